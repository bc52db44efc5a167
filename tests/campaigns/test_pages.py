"""The campaign pages through the Django client: permissions per action (403), bad input (400 with the
precise message, nothing saved), the ICS export parsed back, the content import, scorecard visibility."""

from __future__ import annotations

import datetime as dt
import re
import io
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shopops.campaigns import services
from shopops.campaigns.models import BudgetLine, CampaignPhase, CampaignPlan, ContentPost, Task
from shopops.core.roles import Role
from shopops.metrics.models import Target
from shopops.warehouse.loader import load

from .factories import plan, user

pytestmark = pytest.mark.django_db
UTC = dt.UTC


@pytest.fixture
def shop(warehouse):
    load(warehouse, "stores", pa.table({"store_id": ["own", "tmall", "hk"], "platform": ["own", "tmall", "own"],
                                        "name": ["商城", "天猫店", "HK"], "currency": ["CNY", "CNY", "HKD"],
                                        "time_zone": ["Asia/Shanghai", "Asia/Shanghai", "Asia/Hong_Kong"]}))
    return warehouse


def test_a_user_without_the_module_gets_403_on_every_page_and_action(client):
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password-1")
    client.force_login(nobody)
    p = plan()
    task = services.task_create(title="t", due_on=dt.date(2026, 12, 1), plan=p)
    gets = ["campaigns:plans", "campaigns:plan_create", "campaigns:board", "campaigns:timeline", "campaigns:calendar",
            "campaigns:content", "campaigns:scorecards", "campaigns:task_create"]
    for name in gets:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("campaigns:plan", args=[p.pk])).status_code == 403
    posts = [reverse("campaigns:plan_transition", args=[p.pk]), reverse("campaigns:phase_add", args=[p.pk]),
             reverse("campaigns:budget_add", args=[p.pk]), reverse("campaigns:tasks_generate", args=[p.pk]),
             reverse("campaigns:task_status", args=[task.pk]), reverse("campaigns:task_dependency", args=[task.pk]),
             reverse("campaigns:task_comment", args=[task.pk]), reverse("campaigns:content_import")]
    for url in posts:
        assert client.post(url, {"to": "approved", "status": "done", "body": "x"}).status_code == 403, url
    assert Task.objects.get().status == "todo" and CampaignPlan.objects.get().status == "draft"


@pytest.mark.parametrize("role", [Role.OPS_SPECIALIST, Role.DESIGNER, Role.ANALYST])
def test_only_the_director_approves_a_plan(client, shop, role):
    client.force_login(user(role))
    p = plan()
    page = client.get(reverse("campaigns:plan", args=[p.pk]))
    assert page.status_code == 200
    assert 'data-to="approved" disabled' in page.content.decode()
    response = client.post(reverse("campaigns:plan_transition", args=[p.pk]), {"to": "approved"})
    assert response.status_code == 403
    assert "team.approve_campaign_plan" in response.content.decode()
    p.refresh_from_db()
    assert p.status == "draft"
    client.force_login(user(Role.OPS_DIRECTOR, "boss"))
    assert client.post(reverse("campaigns:plan_transition", args=[p.pk]), {"to": "approved"}).status_code == 302
    p.refresh_from_db()
    assert p.status == "approved"


@pytest.mark.parametrize("role", [Role.DESIGNER, Role.COPYWRITER, Role.CUSTOMER_SERVICE, Role.PROCUREMENT, Role.ANALYST])
def test_only_planners_change_a_plan(client, shop, role):
    # every role of the module opens plans and works on tasks, but goals, budget, phases, promotions and the
    # template's tasks are the planners' (ops, ads, the director): refused on the server, buttons not shown
    client.force_login(user(role))
    p = plan()
    detail = client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    assert reverse("campaigns:plan_edit", args=[p.pk]) not in detail and "data-generate-form" not in detail
    assert "data-new-plan" not in client.get(reverse("campaigns:plans")).content.decode()
    refused = [("get", reverse("campaigns:plan_create"), {}), ("get", reverse("campaigns:plan_edit", args=[p.pk]), {}),
               ("post", reverse("campaigns:plan_create"), {"name": "x"}),
               ("post", reverse("campaigns:phase_add", args=[p.pk]), {"kind": "main", "name": "x"}),
               ("post", reverse("campaigns:budget_add", args=[p.pk]), {"channel": "content", "label": "x", "amount": "1", "currency": "CNY"}),
               ("post", reverse("campaigns:promotion_attach", args=[p.pk]), {"promotion": "1"}),
               ("post", reverse("campaigns:tasks_generate", args=[p.pk]), {"template": "1"})]
    for method, url, data in refused:
        assert getattr(client, method)(url, data).status_code == 403, url
    assert (CampaignPlan.objects.count(), BudgetLine.objects.count(), CampaignPhase.objects.count(), Task.objects.count()) == (1, 0, 0, 0)
    task = services.task_create(title="t", due_on=dt.date(2026, 12, 1), plan=p)  # tasks stay everyone's
    assert client.post(reverse("campaigns:task_comment", args=[task.pk]), {"body": "done?"}).status_code == 302
    for planner in (Role.OPS_SPECIALIST, Role.ADS_SPECIALIST):
        client.force_login(user(planner, planner.value))
        budget = {"channel": "ad_tools", "label": "万相台", "amount": "1000", "currency": "CNY"}
        assert client.post(reverse("campaigns:budget_add", args=[p.pk]), budget).status_code == 302
    assert BudgetLine.objects.filter(plan=p).count() == 2


def test_plan_form_creates_a_plan_and_refuses_mixed_currencies(client, shop):
    client.force_login(user(Role.OPS_SPECIALIST, "ops"))
    data = {"name": "年货节", "stores": ["own", "hk"], "starts_on": "2027-01-10", "ends_on": "2027-01-20",
            "goal_gmv": "300000", "hero_skus": "SKU-1, SKU-2"}
    bad = client.post(reverse("campaigns:plan_create"), data)
    assert bad.status_code == 400
    assert "own: CNY, hk: HKD" in bad.content.decode()
    assert not CampaignPlan.objects.exists()
    data["stores"] = ["own", "tmall"]
    ok = client.post(reverse("campaigns:plan_create"), data)
    assert ok.status_code == 302
    p = CampaignPlan.objects.get()
    assert (p.store_ids, p.currency, p.hero_skus, p.goal_gmv) == (["own", "tmall"], "CNY", ["SKU-1", "SKU-2"], Decimal("300000.00"))
    # the pages name the stores (the warehouse's names), listed the page language's way
    for url in (reverse("campaigns:plans"), reverse("campaigns:plan", args=[p.pk])):
        assert "商城、天猫店" in client.get(url).content.decode() and "own, tmall" not in client.get(url).content.decode()
        client.cookies["django_language"] = "en"
        assert "商城, 天猫店" in client.get(url).content.decode()
        del client.cookies["django_language"]
    # a plan of every store says so rather than listing them
    CampaignPlan.objects.filter(pk=p.pk).update(store_ids=["own", "tmall", "hk"])
    page = client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    assert "全部 3 家店铺" in page and "商城、天猫店" not in page


def test_bad_phase_budget_and_dependency_on_the_pages(client, shop):
    client.force_login(user(Role.OPS_SPECIALIST, "ops"))
    p = plan()
    r = client.post(reverse("campaigns:phase_add", args=[p.pk]),
                    {"kind": "warmup", "starts_at": "2026-12-12T10:00", "ends_at": "2026-12-11T10:00"})
    assert r.status_code == 400
    html = r.content.decode()
    assert "2026-12-11 10:00" in html and "2026-12-12 10:00" in html
    assert not CampaignPhase.objects.exists()
    r = client.post(reverse("campaigns:phase_add", args=[p.pk]),
                    {"kind": "warmup", "starts_at": "2026-12-10T10:00", "ends_at": "2026-12-11T10:00"})
    assert r.status_code == 302
    phase = CampaignPhase.objects.get()
    assert phase.starts_at == dt.datetime(2026, 12, 10, 2, tzinfo=UTC)  # 10:00 store time
    r = client.post(reverse("campaigns:budget_add", args=[p.pk]),
                    {"channel": "ad_tools", "label": "直通车", "amount": "8000", "currency": "HKD"})
    assert r.status_code == 400 and "HKD" in r.content.decode() and not BudgetLine.objects.exists()
    assert client.post(reverse("campaigns:budget_add", args=[p.pk]),
                       {"channel": "ad_tools", "label": "直通车", "amount": "8000", "currency": "CNY"}).status_code == 302
    page = client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    # the column holds what the money is for (it read 行号, another app's word for "Line"); its subtotal says so
    assert ">预算项目</th>" in page and "行号" not in page and "小计 · " in page
    a = services.task_create(title="选品", due_on=dt.date(2026, 11, 10), plan=p)
    b = services.task_create(title="详情页", due_on=dt.date(2026, 11, 20), plan=p, depends_on=[a])
    r = client.post(reverse("campaigns:task_dependency", args=[a.pk]), {"depends_on": b.pk})
    assert r.status_code == 400
    assert "“选品” → “详情页” → “选品”" in r.content.decode()
    r = client.post(reverse("campaigns:task_dependency", args=[a.pk]), {"depends_on": a.pk})
    assert r.status_code == 400
    assert "“选品”" in r.content.decode()
    assert list(a.depends_on.all()) == []
    for bad in ("abc", "\x00", "9" * 30, "2026-02-30"):  # not a task id: the page's message, not a 500
        r = client.post(reverse("campaigns:task_dependency", args=[a.pk]), {"depends_on": bad})
        assert r.status_code == 400 and "请选择它依赖的任务" in r.content.decode(), bad
        r = client.post(reverse("campaigns:promotion_attach", args=[p.pk]), {"promotion": bad})
        assert r.status_code == 400 and "请选择要关联的优惠" in r.content.decode(), bad
    assert list(a.depends_on.all()) == []
    edit = {"name": p.name, "starts_on": "2026-12-10", "ends_on": "2026-12-12", "currency": "CNY"}
    r = client.post(reverse("campaigns:plan_edit", args=[p.pk]), {**edit, "goal_paying_buyers": "9" * 30})
    assert r.status_code == 400 and "2147483647" in r.content.decode().replace(",", "")
    p.refresh_from_db()
    assert p.goal_paying_buyers is None
    p.goal_paying_buyers = 1518
    p.save(update_fields=["goal_paying_buyers"])
    page = client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    assert "<dd>1,518</dd>" in page  # a count with its separator, as the money beside it


def test_ics_export_parses_back_with_icalendar(client, shop):
    from icalendar import Calendar

    client.force_login(user(Role.OPS_SPECIALIST, "ops"))
    p = plan(name="双12 <b>", starts_on=dt.date(2026, 12, 10), ends_on=dt.date(2026, 12, 13))
    services.task_create(title="客服话术", due_on=dt.date(2026, 12, 7), plan=p)
    services.task_create(title="复盘", due_on=dt.date(2027, 1, 2), plan=p)  # outside December
    services.store_day_save(store_id="own", name="会员日", day=18)
    r = client.get(reverse("campaigns:calendar"), {"view": "month", "date": "2026-12-01", "format": "ics"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(r.content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert {"双12 <b>", "客服话术", "会员日", "双12 <b>"} <= set(events)
    assert "复盘" not in events
    campaign = events["双12 <b>"]
    assert campaign.decoded("dtstart") == dt.date(2026, 12, 10)
    assert campaign.decoded("dtend") == dt.date(2026, 12, 14)  # DTEND is exclusive for all-day events
    assert events["会员日"].decoded("dtstart") == dt.date(2026, 12, 18)
    assert len({str(e["uid"]) for e in cal.walk("VEVENT")}) == len(cal.walk("VEVENT"))
    # filtered by owner: only what the owner owns or is assigned (festivals and holidays stay)
    other = user(Role.DESIGNER, "art")
    services.task_create(title="主图", due_on=dt.date(2026, 12, 5), plan=p, assignee=other)
    r = client.get(reverse("campaigns:calendar"), {"date": "2026-12-01", "owner": other.pk, "format": "ics"})
    titles = {str(e["summary"]) for e in Calendar.from_ical(r.content).walk("VEVENT") if "task" in str(e["uid"]) or "plan" in str(e["uid"])}
    assert titles == {"主图"}
    html = client.get(reverse("campaigns:calendar"), {"date": "2026-12-01"}).content.decode()
    assert "双12 &lt;b&gt;" in html and "双12 <b>" not in html  # escaped


def test_content_results_import_errors_and_idempotent_reimport(client, shop):
    client.force_login(user(Role.COPYWRITER, "copy"))
    at = dt.datetime(2026, 12, 1, 12, tzinfo=UTC)
    services.content_post_save(code="XHS-1", channel="xiaohongshu", title="冬季穿搭", publish_at=at, cost="600")
    services.content_post_save(code="DY-1", channel="douyin", title="直播", publish_at=at, format="livestream", cost="1000")
    bad = "内容编号,曝光,互动,成交订单\nXHS-1,12000,abc,3\nNOPE,1,1,1\n".encode()
    r = client.post(reverse("campaigns:content_import"), {"file": _upload("r.csv", bad)})
    assert r.status_code == 400
    html = r.content.decode()
    assert "abc" in html and "NOPE" in html and "互动" in html  # the value, the unknown post, the column
    assert ContentPost.objects.filter(reach__isnull=False).count() == 0  # nothing half-written
    good = "内容编号,曝光,互动,成交订单,成交金额\nXHS-1,12000,300,4,1200\nDY-1,50000,2000,40,16000.50\n".encode("gb18030")
    for _ in range(2):
        r = client.post(reverse("campaigns:content_import"), {"file": _upload("r.csv", good)})
        assert r.status_code == 302
    x = ContentPost.objects.get(code="XHS-1")
    assert (x.reach, x.engagements, x.attributed_orders, x.attributed_gmv) == (12000, 300, 4, Decimal("1200.00"))
    page = client.get(reverse("campaigns:content")).content.decode()
    # cost per engagement 600 / 300 = 2.00; per order 600 / 4 = 150.00; 抖音 1000 / 2000 = 0.50, 1000 / 40 = 25.00
    assert 'data-col="cpe" data-value="2.00"' in page and 'data-col="cpo" data-value="150.00"' in page
    assert 'data-col="cpe" data-value="0.50"' in page and 'data-col="cpo" data-value="25.00"' in page
    # a mapping names other columns
    mapped = "post,views,likes\nXHS-1,13000,310\n".encode()
    r = client.post(reverse("campaigns:content_import"), {"file": _upload("m.csv", mapped), "code_column": "post",
                                                           "reach_column": "views", "engagements_column": "likes"})
    assert r.status_code == 302
    assert ContentPost.objects.get(code="XHS-1").reach == 13000


def _upload(name: str, data: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_attachments_are_served_only_with_the_module(client, shop, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    ops = user(Role.OPS_SPECIALIST, "ops")
    client.force_login(ops)
    task = services.task_create(title="主图", due_on=dt.date(2026, 12, 1))
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    r = client.post(reverse("campaigns:task_attachment", args=[task.pk]), {"file": _upload("主图.png", png)})
    assert r.status_code == 302
    att = task.attachments.get()
    got = client.get(reverse("campaigns:attachment", args=[att.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == png
    assert "attachment" in got["Content-Disposition"]
    r = client.post(reverse("campaigns:task_attachment", args=[task.pk]), {"file": _upload("x.html", b"<script>")})
    assert r.status_code == 400 and task.attachments.count() == 1
    nobody = get_user_model().objects.create_user("nobody", password="x-long-password-1")
    client.force_login(nobody)
    assert client.get(reverse("campaigns:attachment", args=[att.pk])).status_code == 403


def _sales(warehouse):
    """Two stores in 2026-11: own GMV 900 (target 1000 → 90 %), tmall GMV 500 (target 1000 → 50 %);
    own ad GMV 600 on spend 200 (3.00×)."""
    rows = [("own", "o1", 400), ("own", "o2", 500), ("tmall", "t1", 500)]
    paid = dt.datetime(2026, 11, 5, 4, tzinfo=UTC)
    load(warehouse, "orders", pa.table({
        "store_id": [r[0] for r in rows], "order_id": [r[1] for r in rows], "customer_id": ["c1", "c2", "c3"],
        "status": ["paid"] * 3, "created_at": [paid] * 3, "paid_at": [paid] * 3, "paid_date": [dt.date(2026, 11, 5)] * 3,
        "paid_amount": pa.array([Decimal(r[2]) for r in rows], pa.decimal128(18, 2))}))
    load(warehouse, "ad_spend_daily", pa.table({
        "store_id": ["own"], "date": [dt.date(2026, 11, 5)], "ad_tool": ["ztc"], "plan_id": ["p1"],
        "cost": pa.array([Decimal("200")], pa.decimal128(18, 2)),
        "attributed_gmv": pa.array([Decimal("600")], pa.decimal128(18, 2))}))
    for store in ("own", "tmall"):
        Target.objects.create(store_id=store, kpi="gmv", month=dt.date(2026, 11, 1), value=Decimal("1000"))


def test_scorecards_director_sees_everyone_a_specialist_only_themself(client, shop):
    _sales(shop)
    director, ops, ads = user(Role.OPS_DIRECTOR, "boss"), user(Role.OPS_SPECIALIST, "ops"), user(Role.ADS_SPECIALIST, "ads")
    services.store_responsibility_set(user=ops, store_ids=["own"])
    services.store_responsibility_set(user=ads, store_ids=["tmall"])
    t = services.task_create(title="a", due_on=dt.date(2026, 11, 10), assignee=ops)
    services.task_status_set(task=t, status="done", today=dt.date(2026, 11, 9))
    services.task_create(title="b", due_on=dt.date(2026, 11, 12), assignee=ops)  # open past due: late
    client.force_login(ops)
    page = client.get(reverse("campaigns:scorecards"), {"month": "2026-11"}).content.decode()
    assert 'data-user="ops"' in page and 'data-user="ads"' not in page and 'data-user="boss"' not in page
    assert 'data-col="target_achievement" data-value="0.9"' in page
    assert 'data-col="roi" data-value="3.0"' in page
    assert 'data-col="on_time" data-value="0.5"' in page
    assert ">50%</span>" in page and ">90%</span>" in page  # percentages as every other page writes them (no space)
    assert client.get(reverse("campaigns:scorecards"), {"month": "2026-11", "user": "ads"}).status_code == 403
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("campaigns:scorecards"),
                                                        {"month": "2026-11", "format": "xlsx"}).content)).active
    assert [row[:3] for row in book.iter_rows(min_row=2, values_only=True)] == [("ops", "运营", "商城")]  # the store's name
    client.force_login(director)
    page = client.get(reverse("campaigns:scorecards"), {"month": "2026-11"}).content.decode()
    assert 'data-user="ops"' in page and 'data-user="ads"' in page and 'data-user="boss"' in page
    assert 'data-user="ads"' in page and 'data-col="target_achievement" data-value="0.5"' in page
    assert client.get(reverse("campaigns:scorecards"), {"month": "2026-11", "user": "ads"}).status_code == 200
    assert client.get(reverse("campaigns:scorecards"), {"month": "11/2026"}).status_code == 400


def test_the_team_entry_opens_the_scorecards(client, shop):
    client.force_login(user(Role.OPS_DIRECTOR, "boss"))
    html = client.get(reverse("campaigns:plans")).content.decode()
    assert f'href="{reverse("campaigns:scorecards")}" data-module="team"' in html
    assert f'href="{reverse("campaigns:plans")}" data-module="campaigns" class="active"' in html
    html = client.get(reverse("campaigns:scorecards")).content.decode()
    assert 'data-module="team" class="active"' in html and 'data-module="campaigns" class="active"' not in html


def test_calendar_shows_holidays_and_makeup_workdays_as_the_library_has_them(client, shop):
    import chinese_calendar
    from icalendar import Calendar

    client.force_login(user(Role.OPS_SPECIALIST, "ops"))
    r = client.get(reverse("campaigns:calendar"), {"view": "quarter", "date": "2026-10-01", "format": "ics",
                                                   "kind": ["holiday"]})
    events = Calendar.from_ical(r.content).walk("VEVENT")
    holidays = {e.decoded("dtstart") for e in events if str(e["categories"].cats[0]) == "holiday"}
    workdays = {e.decoded("dtstart") for e in events if str(e["categories"].cats[0]) == "workday"}
    start, end = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
    assert holidays == {d for d in chinese_calendar.holidays if start <= d <= end}
    assert workdays == {d for d in chinese_calendar.workdays if start <= d <= end}
    assert holidays  # 国庆 is in the quarter
    # platform festivals: 双11 phases in November, only for the stores' platforms when filtered
    html = client.get(reverse("campaigns:calendar"), {"date": "2026-11-01", "kind": ["festival"]}).content.decode()
    assert "双11" in html and "k-festival" in html
    own_only = client.get(reverse("campaigns:calendar"), {"date": "2026-11-01", "kind": ["festival"], "store": ["own"]})
    assert 'data-item="festival-' not in own_only.content.decode()  # the own shop has no platform schedule
    tmall = client.get(reverse("campaigns:calendar"), {"date": "2026-11-01", "kind": ["festival"], "store": ["tmall"]})
    assert 'data-item="festival-double11-2026' in tmall.content.decode()


def test_attached_promotions_show_the_floor_guards_verdict(client, shop):
    """TEE: list 100, cost 60 → floor 63. 5折 takes it to 50 (below); a gift over 399 changes no price."""
    from shopops.promotions import services as promo

    client.force_login(user(Role.OPS_SPECIALIST, "ops"))
    half = promo.promotion_create(name="5折", kind="item_discount", parameters={"rate": "0.5"}, stackable=True)
    gift = promo.promotion_create(name="满399赠", kind="gift", parameters={"threshold": "399", "gift_value": "39",
                                                                          "gift_sku": "GIFT"})
    promo.floor_price_set(sku="TEE", list_price=Decimal("100"), cost=Decimal("60"))
    p = plan()
    for x in (half, gift):
        assert client.post(reverse("campaigns:promotion_attach", args=[p.pk]), {"promotion": x.pk}).status_code == 302
    assert set(p.promo_campaign.promotions.all()) == {half, gift}
    page = client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    assert "data-floor-check" in page and "data-verdict" not in page  # not run until asked
    page = client.get(reverse("campaigns:plan", args=[p.pk]), {"check": "1"}).content.decode()
    assert f'data-promotion="{half.pk}"' in page
    half_row = page.split(f'data-promotion="{half.pk}"')[1].split("</tr>")[0]
    gift_row = page.split(f'data-promotion="{gift.pk}"')[1].split("</tr>")[0]
    assert 'data-verdict="violation"' in half_row and 'data-verdict="ok"' in gift_row
    # shown again without asking while nothing changed; a changed floor price needs a new check
    assert 'data-verdict="violation"' in client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    promo.floor_price_set(sku="TEE", list_price=Decimal("100"), cost=Decimal("40"))  # floor 42: 50 is fine now
    assert "data-verdict" not in client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    page = client.get(reverse("campaigns:plan", args=[p.pk]), {"check": "1"}).content.decode()
    assert 'data-verdict="violation"' not in page
    # the 活动 container links to the promotions module only for a role that may open it (a link to a 403 is
    # a dead end): customer service reads the plan and the container's name, without the link
    container = reverse("promotions:campaign", args=[p.promo_campaign.pk])
    assert f'href="{container}"' in page and client.get(container).status_code == 200
    client.force_login(user(Role.CUSTOMER_SERVICE, "cs"))
    assert client.get(container).status_code == 403
    page = client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    assert p.promo_campaign.name in page and f'href="{container}"' not in page
    # … and on the marketing calendar (the director's calendar links it)
    month = {"date": p.starts_on.isoformat(), "kind": ["promotion"]}
    calendar = client.get(reverse("campaigns:calendar"), month).content.decode()
    assert f'data-item="promo-campaign-{p.promo_campaign.pk}"' in calendar and f'href="{container}"' not in calendar
    client.force_login(user(Role.OPS_DIRECTOR, "boss"))
    assert f'href="{container}"' in client.get(reverse("campaigns:calendar"), month).content.decode()


def test_board_done_column_holds_the_last_two_weeks_and_the_rest_on_request(client, shop):
    from shopops.campaigns.selectors import store_today

    client.force_login(user(Role.OPS_DIRECTOR, "boss"))
    today = store_today()
    p = plan(starts_on=today - dt.timedelta(days=60), ends_on=today - dt.timedelta(days=50))
    recent = services.task_create(title="近期完成", due_on=today - dt.timedelta(days=3), plan=p)
    old = services.task_create(title="去年完成", due_on=today - dt.timedelta(days=400), plan=p)
    services.task_status_set(task=recent, status=Task.Status.DONE, today=today - dt.timedelta(days=13))
    services.task_status_set(task=old, status=Task.Status.DONE, today=today - dt.timedelta(days=14))
    html = client.get(reverse("campaigns:board")).content.decode()
    done = html[html.index('data-column="done"'):]
    assert f'data-task="{recent.pk}"' in done and f'data-task="{old.pk}"' not in done
    assert 'data-done-hidden="1"' in done
    # a task due in another year shows its year
    assert (today - dt.timedelta(days=400)).strftime("%Y-%m-%d") not in done
    everything = client.get(reverse("campaigns:board") + "?done=all").content.decode()
    assert f'data-task="{old.pk}"' in everything and "data-done-hidden" not in everything
    assert (today - dt.timedelta(days=400)).strftime("%Y-%m-%d") in everything
    # one plan: every task of it
    assert f'data-task="{old.pk}"' in client.get(reverse("campaigns:board") + f"?plan={p.pk}").content.decode()


def test_a_month_in_progress_judges_target_achievement_against_the_time_gone(client, shop):
    from shopops.campaigns import selectors

    _sales(shop)
    director, ads = user(Role.OPS_DIRECTOR, "boss"), user(Role.ADS_SPECIALIST, "ads")
    services.store_responsibility_set(user=ads, store_ids=["tmall"])  # GMV 500 of a 1,000 target
    month = dt.date(2026, 11, 1)
    early = {r.username: r for r in selectors.scorecards(viewer=director, month=month, as_of=dt.date(2026, 11, 5))}
    assert early["ads"].target_achievement == 0.5
    assert early["ads"].time_progress == pytest.approx(5 / 30)  # 5 of November's 30 days
    assert early["ads"].flags["target_achievement"] is True  # 50 % done with 17 % of the month gone
    whole = {r.username: r for r in selectors.scorecards(viewer=director, month=month, as_of=dt.date(2026, 11, 30))}
    assert whole["ads"].time_progress is None
    assert whole["ads"].flags["target_achievement"] is False  # the month is over: 50 % < 90 %
    client.force_login(director)
    page = client.get(reverse("campaigns:scorecards"), {"month": "2026-11"}).content.decode()
    # money with thousands separators (the test stores mix CNY and HKD: no symbol), not a bare Decimal
    assert ">1,000.00<" in page and "1000.0000" not in page


def test_scorecard_roi_without_ad_data_is_unknown_not_zero(client, shop):
    """_sales: tmall has no ad report in 2026-11 (its ad spend is unknown, not ¥0); own spent 200 for 600."""
    from shopops.campaigns.selectors import scorecards

    _sales(shop)
    director, ads, both = user(Role.OPS_DIRECTOR, "boss"), user(Role.ADS_SPECIALIST, "ads"), user(Role.OPS_SPECIALIST, "both")
    services.store_responsibility_set(user=ads, store_ids=["tmall"])
    services.store_responsibility_set(user=both, store_ids=["own", "tmall"])
    rows = {r.username: r for r in scorecards(viewer=director, month=dt.date(2026, 11, 1), as_of=dt.date(2026, 11, 30))}
    assert (rows["ads"].ad_spend, rows["ads"].roi, rows["ads"].ad_stores, rows["ads"].flags["roi"]) == (None, None, 0, None)
    # both: ROI over the one store with ad data, 600 / 200
    assert (rows["both"].ad_spend, rows["both"].roi, rows["both"].ad_stores) == (Decimal("200.00"), 3.0, 1)
    client.force_login(director)
    page = client.get(reverse("campaigns:scorecards"), {"month": "2026-11"}).content.decode()
    row = re.search(r'<tr[^>]*data-user="ads".*?</tr>', page, re.S).group(0)
    assert 'data-col="roi" data-value=""' in row and "0.00×" not in row


def test_scorecard_roi_of_stores_that_run_no_ads(client, shop):
    """_sales with tmall set to run no paid ads: its ad spend is a known ¥0 (not unknown). "ads" (tmall only):
    spend 0.00, ROI not applicable — "—" with "runs no paid ads", not "no data"; "both": (600 + 0) / (200 + 0)."""
    from shopops.campaigns.selectors import scorecards
    from shopops.ingest.services import store_runs_no_ads_set

    _sales(shop)
    store_runs_no_ads_set(store_id="tmall", runs_no_ads=True, con=shop)
    director, ads, both = user(Role.OPS_DIRECTOR, "boss"), user(Role.ADS_SPECIALIST, "ads"), user(Role.OPS_SPECIALIST, "both")
    services.store_responsibility_set(user=ads, store_ids=["tmall"])
    services.store_responsibility_set(user=both, store_ids=["own", "tmall"])
    rows = {r.username: r for r in scorecards(viewer=director, month=dt.date(2026, 11, 1), as_of=dt.date(2026, 11, 30))}
    assert (rows["ads"].ad_spend, rows["ads"].roi, rows["ads"].ad_stores, rows["ads"].runs_no_ads) == (
        Decimal("0.00"), None, 1, True)
    assert (rows["both"].ad_spend, rows["both"].roi, rows["both"].ad_stores, rows["both"].runs_no_ads) == (
        Decimal("200.00"), 3.0, 2, False)
    client.force_login(director)
    page = client.get(reverse("campaigns:scorecards"), {"month": "2026-11"}).content.decode()
    row = re.search(r'<tr[^>]*data-user="ads".*?</tr>', page, re.S).group(0)
    assert 'data-col="roi" data-value=""' in row and "data-runs-no-ads" in row and "不投放付费广告" in row
    assert "data-runs-no-ads" not in re.search(r'<tr[^>]*data-user="both".*?</tr>', page, re.S).group(0)


def test_a_task_is_moved_by_its_assignee_its_role_or_a_planner_not_by_anyone(client, shop):
    from shopops.campaigns.selectors import store_today

    today = store_today()
    analyst, copywriter = user(Role.ANALYST, "ana"), user(Role.COPYWRITER, "cw")
    p = plan(starts_on=today + dt.timedelta(days=10), ends_on=today + dt.timedelta(days=12))
    theirs = services.task_create(title="复盘报告", due_on=today + dt.timedelta(days=15), plan=p, assignee=analyst,
                                  role=Role.ANALYST.value)
    open_copy = services.task_create(title="卖点文案", due_on=today + dt.timedelta(days=5), plan=p,
                                     role=Role.COPYWRITER.value)
    client.force_login(copywriter)
    # the analyst's task: no move buttons on the board, a 403 on the server, nothing changed
    board = client.get(reverse("campaigns:board")).content.decode()
    card = re.search(rf'data-task="{theirs.pk}".*?</article>', board, re.S).group(0)
    assert "data-move" not in card
    r = client.post(reverse("campaigns:task_status", args=[theirs.pk]), {"status": "doing"})
    assert r.status_code == 403 and "只有任务的处理人" in r.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Task.Status.TODO
    # a copywriting task nobody has taken yet: the copywriter moves it
    card = re.search(rf'data-task="{open_copy.pk}".*?</article>', board, re.S).group(0)
    assert "data-move" in card
    assert client.post(reverse("campaigns:task_status", args=[open_copy.pk]), {"status": "doing"}).status_code == 302
    # the assignee moves their own
    client.force_login(analyst)
    assert client.post(reverse("campaigns:task_status", args=[theirs.pk]), {"status": "doing"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == Task.Status.DOING
