"""A year chinesecalendar does not ship (2027 with 1.11.0): the calendar says so in a banner, and an
admin enters the State Council schedule, which core.festivals, the calendar and the service desk's
SLA business hours then use. Expected days are written out by hand here."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from shopops.campaigns import services
from shopops.campaigns.models import PublicHolidayDay, PublicHolidaySchedule
from shopops.core import festivals
from shopops.core.errors import ShopopsError
from shopops.core.roles import Role
from tests.campaigns.factories import user

pytestmark = pytest.mark.django_db
YEAR = 2027
NOTICE_2027 = """日期,类型,名称
2027-01-01,放假,元旦
2027-02-06~2027-02-12, 放假, 春节
2027-02-14, 上班, 春节
2027-10-01..2027-10-07\tholiday\t国庆节
2027-09-26 上班 国庆节
"""


@pytest.fixture(autouse=True)
def _fresh():
    services.entered_public_days_forget()
    yield
    services.entered_public_days_forget()


def _skip_if_the_package_has(year: int):
    if year in festivals.holiday_years():  # pragma: no cover - a newer package: the test moves on a year
        pytest.skip(f"chinesecalendar {festivals.chinese_calendar_version()} ships {year}")


def test_entered_days_are_checked_line_by_line_and_nothing_is_saved_on_a_problem():
    _skip_if_the_package_has(YEAR)
    director = user(Role.OPS_DIRECTOR, "boss")
    bad = ("2027-02-30,放假,春节\n"  # no such date
           "2027-02-10,上班,春节\n"  # a Wednesday cannot be a 调休 working day
           "2028-01-01,放假,元旦\n"  # another year
           "2027-05-01,休假\n"  # unknown kind
           "2027-10-01,放假,国庆节\n2027-10-01,放假,国庆节\n"  # twice
           "2027-10-09~2027-10-08,放假\n")  # a span ending before it starts
    with pytest.raises(ShopopsError) as err, translation.override("en"):
        services.public_holiday_schedule_save(user=director, year=YEAR, text=bad)
    text = str(err.value)
    for piece in ("line 1: “2027-02-30” is not a date", "line 2: 2027-02-10 is a weekday (星期三)",
                  "line 3: 2028-01-01 is not in 2027", "line 4: kind “休假”", "line 6: 2027-10-01 is given twice (line 5)",
                  "line 7: the span ends (2027-10-08) before it starts (2027-10-09)"):
        assert piece in text, (piece, text)
    assert not PublicHolidaySchedule.objects.exists() and not PublicHolidayDay.objects.exists()
    with pytest.raises(ShopopsError, match="没有填写任何日期"), translation.override("zh-hans"):
        services.public_holiday_schedule_save(user=director, year=YEAR, text="# nothing\n\n")
    with pytest.raises(ShopopsError, match=r"already has the State Council schedule of 2026 .*covers 2004–2026"), \
            translation.override("en"):
        services.public_holiday_schedule_save(user=director, year=2026, text="2026-10-01,放假")
    with pytest.raises(services.PlanActionNotAllowed):
        services.public_holiday_schedule_save(user=user(Role.OPS_SPECIALIST, "ops"), year=YEAR, text=NOTICE_2027)


def test_an_entered_year_is_used_by_festivals_and_sla_and_saving_it_again_changes_nothing():
    _skip_if_the_package_has(YEAR)
    from shopops.service import sla

    with pytest.raises(festivals.HolidayDataMissing):
        festivals.public_days(YEAR)
    assert festivals.public_days_origin(YEAR) is None
    desk = sla.default_calendar()
    assert desk(dt.date(2027, 10, 1)) is True  # a Friday: Monday–Friday without the schedule
    director = user(Role.OPS_DIRECTOR, "boss")
    saved = services.public_holiday_schedule_save(user=director, year=YEAR, text=NOTICE_2027, notice="国办发明电〔2026〕")
    assert saved.changed and (saved.holidays, saved.workdays) == (1 + 7 + 7, 2)
    days = festivals.public_days(YEAR)
    assert festivals.public_days_origin(YEAR) == "entered" and all(d.entered for d in days)
    off = {d.day for d in days if d.kind == festivals.PublicDayKind.HOLIDAY}
    on = {d.day for d in days if d.kind == festivals.PublicDayKind.MAKEUP_WORKDAY}
    assert on == {dt.date(2027, 2, 14), dt.date(2027, 9, 26)}
    assert off == ({dt.date(2027, 1, 1)} | {dt.date(2027, 2, d) for d in range(6, 13)}
                   | {dt.date(2027, 10, d) for d in range(1, 8)})
    assert {d.name_zh for d in days} == {"元旦", "春节", "国庆节"} and "National Day" in {d.name_en for d in days}
    # the service desk's business days follow at once in this process
    assert desk(dt.date(2027, 10, 1)) is False  # Friday, 国庆节
    assert desk(dt.date(2027, 9, 26)) is True  # Sunday, 调休
    assert desk(dt.date(2027, 10, 8)) is True  # an ordinary Friday
    start = sla.add_business_seconds(dt.datetime(2027, 9, 30, 17, tzinfo=dt.timezone(dt.timedelta(hours=8))), 2 * 3600,
                                     sla.BusinessHours(is_working_day=desk))
    assert start.date() == dt.date(2027, 10, 8)  # one hour on 09-30, the next after the holiday
    # the same days again: nothing written
    before = list(PublicHolidayDay.objects.order_by("pk").values_list("pk", flat=True))
    again = services.public_holiday_schedule_save(user=director, year=YEAR, text=NOTICE_2027, notice="国办发明电〔2026〕")
    assert not again.changed
    assert list(PublicHolidayDay.objects.order_by("pk").values_list("pk", flat=True)) == before
    # the package's years are untouched by what is entered
    assert all(not d.entered for d in festivals.public_days(2026))


def test_calendar_banner_page_permissions_and_bad_input(client):
    _skip_if_the_package_has(YEAR)
    ops = user(Role.OPS_SPECIALIST, "ops")
    client.force_login(ops)
    cal = reverse("campaigns:calendar")
    html = client.get(cal, {"view": "month", "date": "2027-10-01"}).content.decode()
    assert 'data-holidays-missing="2027"' in html and "国庆节" not in html
    assert reverse("campaigns:holidays") not in html  # only who may enter it gets the link
    assert client.get(reverse("campaigns:holidays")).status_code == 200
    r = client.post(reverse("campaigns:holidays"), {"year": YEAR, "days": NOTICE_2027})
    assert r.status_code == 403 and not PublicHolidaySchedule.objects.exists()
    client.force_login(user(Role.OPS_DIRECTOR, "boss"))
    r = client.post(reverse("campaigns:holidays"), {"year": YEAR, "days": "2027-10-01,放假\n2027-10-04,上班\n"})
    assert r.status_code == 400
    assert "第 2 行：2027-10-04 是工作日（星期一）" in r.content.decode()
    assert not PublicHolidaySchedule.objects.exists()
    r = client.post(reverse("campaigns:holidays"), {"year": YEAR, "days": NOTICE_2027, "notice": "国办发明电"})
    assert r.status_code == 302
    r = client.post(reverse("campaigns:holidays"), {"year": YEAR, "days": NOTICE_2027, "notice": "国办发明电"}, follow=True)
    assert "nothing changed" in r.content.decode() or "没有变化" in r.content.decode()
    r = client.get(cal, {"view": "month", "date": "2027-10-01", "kind": ["holiday", "workday"]})
    assert r.status_code == 400 and "workday" in r.content.decode()  # not a kind of the filter: said, no 500
    html = client.get(cal, {"view": "month", "date": "2027-10-01", "kind": ["holiday"]}).content.decode()
    assert "data-holidays-missing" not in html and 'data-holidays-entered="2027"' in html
    assert "国庆节" in html and "调休" in html
    assert PublicHolidaySchedule.objects.get().entered_by.username == "boss"
