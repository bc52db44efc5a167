"""Alerts other modules raise reach the insights inbox and the 晨报: one row per condition,
refreshed while raised, resolved when no longer raised; a broken source stops nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from shopops.core.alerts import Alert
from shopops.core.roles import Role
from shopops.insights import selectors, services
from shopops.insights.models import ModuleAlert
from shopops.team.services import role_groups_sync, user_create
from support import alert_sources

TOY = "support.alert_sources.toy"
D1, D2, D3 = dt.date(2026, 11, 20), dt.date(2026, 11, 21), dt.date(2026, 11, 22)
PASSWORD = "a-long-test-password-42"


def _alert(key: str, day: dt.date, *, money: str = "1200.50", severity: str = "high", text: str = "断货风险") -> Alert:
    return Alert(source="support", kind="stockout_risk", key=key, store_id="tmall", day=day, severity=severity,
                 text_zh=text, text_en=f"{text} (en)", money_at_stake=Decimal(money), product_id="P1",
                 link="/inventory/")


@pytest.fixture
def raised():
    alert_sources.RAISED.clear()
    yield alert_sources.RAISED
    alert_sources.RAISED.clear()


def _state() -> list[tuple]:
    return sorted(ModuleAlert.objects.values_list("source", "kind", "key", "day", "first_day", "status",
                                                  "money_at_stake", "severity"))


@pytest.mark.django_db
def test_collect_twice_changes_nothing(raised):
    raised += [_alert("tmall:SKU1", D1), _alert("tmall:SKU2", D1, money="80")]
    first = services.module_alerts_collect(day=D1, sources=[TOY])
    before = _state()
    again = services.module_alerts_collect(day=D1, sources=[TOY])
    assert (first.raised, first.created, first.resolved) == (2, 2, 0)
    assert (again.raised, again.created, again.resolved) == (2, 0, 0)
    assert _state() == before
    assert [r[6] for r in before] == [Decimal("1200.50"), Decimal("80.00")]


@pytest.mark.django_db
def test_condition_refreshed_resolved_and_reopened(raised):
    raised.append(_alert("tmall:SKU1", D1))
    services.module_alerts_collect(day=D1, sources=[TOY])
    raised[:] = [_alert("tmall:SKU1", D2, money="2000", severity="critical")]
    services.module_alerts_collect(day=D2, sources=[TOY])
    row = ModuleAlert.objects.get()
    assert (row.day, row.first_day, row.severity, row.money_at_stake) == (D2, D1, "critical", Decimal("2000.00"))
    raised.clear()  # stocked again: no longer raised
    out = services.module_alerts_collect(day=D3, sources=[TOY])
    assert out.resolved == 1
    assert ModuleAlert.objects.get().status == ModuleAlert.Status.RESOLVED
    raised.append(_alert("tmall:SKU1", D3))
    services.module_alerts_collect(day=D3, sources=[TOY])
    row = ModuleAlert.objects.get()
    assert (row.status, row.first_day) == (ModuleAlert.Status.OPEN, D3)


@pytest.mark.django_db
def test_judging_an_older_day_leaves_newer_alerts_alone(raised):
    raised.append(_alert("tmall:SKU1", D2))
    services.module_alerts_collect(day=D2, sources=[TOY])
    out = services.module_alerts_collect(day=D1, sources=[TOY])  # toy raises nothing for D1
    assert out.resolved == 0
    assert ModuleAlert.objects.get().status == ModuleAlert.Status.OPEN


@pytest.mark.django_db
def test_a_broken_source_is_reported_and_changes_nothing(raised):
    raised.append(_alert("tmall:SKU1", D1))
    services.module_alerts_collect(day=D1, sources=[TOY])
    before = _state()
    out = services.module_alerts_collect(
        day=D2, sources=["support.alert_sources.broken", "support.alert_sources.wrong_source", "support.nope.x"])
    assert set(out.failed) == {"support.alert_sources.broken", "support.alert_sources.wrong_source", "support.nope.x"}
    assert "the stock table is locked" in out.failed["support.alert_sources.broken"]
    assert "may raise only 'support'" in out.failed["support.alert_sources.wrong_source"]
    assert _state() == before
    assert "failed" in out.text()


def test_alert_rejects_what_it_cannot_keep():
    with pytest.raises(ValueError, match="severity 'urgent'"):
        _alert("k", D1, severity="urgent")
    with pytest.raises(ValueError, match="must be a path inside shopops"):
        Alert(source="s", kind="k", key="1", store_id="", day=D1, severity="low", text_zh="x", text_en="x",
              link="https://evil.example/")
    with pytest.raises(ValueError, match="must be a Decimal"):
        Alert(source="s", kind="k", key="1", store_id="", day=D1, severity="low", text_zh="x", text_en="x",
              money_at_stake=12.5)


@pytest.mark.django_db
def test_inbox_and_brief_show_alerts_escaped_and_acting_needs_the_module(raised):
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    user_create(username="cs", password=PASSWORD, role=Role.CUSTOMER_SERVICE)
    raised.append(_alert("tmall:SKU1", D1, text="<script>alert(1)</script>爆款断货"))
    services.module_alerts_collect(day=D1, sources=[TOY])
    alert = ModuleAlert.objects.get()

    c = Client()
    c.login(username="director", password=PASSWORD)
    page = c.get("/insights/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;爆款断货" in page and "<script>alert(1)" not in page
    assert ">筛选</button>" in page and "过滤器" not in page  # a verb; Django's admin catalog said 过滤器 (a noun)
    assert 'data-alert="%d"' % alert.pk in page

    with translation.override("en"):
        lines = selectors.brief_lines(selectors.brief(day=D1))
    assert any(line.endswith("<script>alert(1)</script>爆款断货 (en)") for line in lines)

    other = Client()
    other.login(username="cs", password=PASSWORD)
    assert other.post(f"/insights/alerts/{alert.pk}/acknowledge/").status_code == 403
    assert ModuleAlert.objects.get().status == ModuleAlert.Status.OPEN
    assert c.post(f"/insights/alerts/{alert.pk}/acknowledge/").status_code == 302
    assert ModuleAlert.objects.get().status == ModuleAlert.Status.ACKNOWLEDGED
    assert c.post(f"/insights/alerts/{alert.pk}/delete/").status_code == 404
    assert c.post("/insights/alerts/999999/acknowledge/").status_code == 404


@pytest.mark.django_db
def test_two_sources_of_one_module_resolve_only_their_own(raised):
    raised.append(_alert("tmall:SKU1", D1))
    alert_sources.OTHER[:] = [Alert(source="support", kind="sla_breach", key="tmall", store_id="tmall", day=D1,
                                    severity="medium", text_zh="超时", text_en="late")]
    both = [TOY, "support.alert_sources.other"]
    services.module_alerts_collect(day=D1, sources=both)
    services.module_alerts_collect(day=D1, sources=[TOY])  # the other source is not asked: its alert stays
    assert sorted(ModuleAlert.objects.values_list("kind", "status")) == [("sla_breach", "open"), ("stockout_risk", "open")]
    alert_sources.OTHER.clear()
    services.module_alerts_collect(day=D2, sources=both)
    assert sorted(ModuleAlert.objects.values_list("kind", "status")) == [("sla_breach", "resolved"),
                                                                         ("stockout_risk", "open")]


@pytest.mark.django_db
def test_an_alert_links_its_page_only_for_roles_that_may_open_it(raised):
    """The ads specialist reads the insights inbox and the 晨报 but has no inventory module: a stock alert
    shows its text there without the link to /inventory/ (a 403); the director gets the link."""
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    user_create(username="ads", password=PASSWORD, role=Role.ADS_SPECIALIST)
    raised.append(_alert("tmall:SKU1", D1, text="爆款断货"))
    services.module_alerts_collect(day=D1, sources=[TOY])
    pages = ("/insights/", f"/insights/brief/?day={D1.isoformat()}")
    director, ads = Client(), Client()
    director.login(username="director", password=PASSWORD)
    ads.login(username="ads", password=PASSWORD)
    assert ads.get("/inventory/").status_code == 403 and director.get("/inventory/").status_code == 200
    for url in pages:
        mine, theirs = director.get(url), ads.get(url)
        assert mine.status_code == theirs.status_code == 200, url
        assert '<a href="/inventory/">爆款断货</a>' in mine.content.decode(), url
        page = theirs.content.decode()
        assert "爆款断货" in page and 'href="/inventory/"' not in page, url


@pytest.mark.django_db
def test_the_brief_names_the_store_and_keeps_five_alerts_of_a_kind(raised, warehouse):
    """The 晨报 message listed 25 积压 lines out of 45, the same SKU code of two stores as one line repeated."""
    import pyarrow as pa

    from shopops.warehouse.loader import load

    load(warehouse, "stores", pa.table({"store_id": ["tmall", "jd"], "platform": ["tmall", "jd"],
                                        "name": ["栖木旗舰店", "栖木京东店"], "currency": ["CNY", "CNY"],
                                        "time_zone": ["Asia/Shanghai"] * 2}))
    for i in range(8):  # 8 overstock alerts, the same code in both stores, money 800 … 100
        raised.append(Alert(source="support", kind="overstock", key=f"k{i}", store_id=("tmall", "jd")[i % 2],
                            day=D1, severity="medium", text_zh="QM-1 积压 29 件", text_en="QM-1 overstock: 29 units",
                            money_at_stake=Decimal(800 - 100 * i)))
    services.module_alerts_collect(day=D1, sources=[TOY])
    lines = selectors.brief_lines(selectors.brief(day=D1))
    stock = [line for line in lines if "QM-1" in line]
    # the five with the most money (800, 700, 600, 500, 400), each with its store
    assert stock == ["· [中] 栖木旗舰店 · QM-1 积压 29 件", "· [中] 栖木京东店 · QM-1 积压 29 件"] * 2 + \
        ["· [中] 栖木旗舰店 · QM-1 积压 29 件"]
    assert lines[-1] == "· … 另有 3 条预警：积压"
    with translation.override("en"):
        assert selectors.brief_lines(selectors.brief(day=D1))[-1] == "· … and 3 more alerts: overstock"
