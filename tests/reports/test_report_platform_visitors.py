"""Weekly reports on each store's own 口径 (issue 19 items 1 and 4), on a store built here.

The Tmall store's daily 生意参谋 export (``tests/ingest/platform_fixtures/sycm_shop_daily.csv``)
imported through the real profile; by hand, week 2025-W46 (11-10..11-16) holds its days 11-10..11-14:

  访客数      1523 + 4210 + 1388 + 1450 + 1602 = 10173 visitor-days
  支付买家数  47 + 163 + 39 + 42 + 48 = 339

The same store also has 3 stray events (visitors e1, e2, e3) in the week: a platform store's events are
not its visitors, so the report must not show 3 (nor 10176).

With the 生意参谋 period export (``sycm_shop_period.csv``, 2025-11-10至2025-11-16: 访客数 9512) the week is
exactly an imported period: the report shows 9512, exact.

Orders (by hand): week W45 (11-03..11-09) two paid orders t0a 100.00 and t0b 100.00, t0a refunded 100.00 on
11-04 (so W45's refund rate at any age is 100 / 200 = 50 %); W46 two paid orders t1 80.00 (11-12) and t2
120.00 (11-16, the data's last day), none refunded yet: a refund rate of 0 % that is not mature (orders of
0..4 days) — never an improvement.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get
from shopops.reports.builder import report_build
from shopops.warehouse.loader import load

FIXTURES = Path(__file__).parents[1] / "ingest" / "platform_fixtures"
WEEK = "2025-W46"


def _ts(day: str, hour: int = 4) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, hour, tzinfo=dt.UTC)


def _order(order_id: str, day: str, amount: str) -> dict:
    return {"store_id": "tmall", "order_id": order_id, "customer_id": f"b-{order_id}", "status": "paid",
            "created_at": _ts(day), "paid_at": _ts(day), "paid_date": dt.date.fromisoformat(day),
            "paid_amount": Decimal(amount), "traffic_source": "search"}


@pytest.fixture
def store(warehouse):
    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "tmall", "platform": "tmall", "name": "天猫旗舰店", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    load(warehouse, "orders", pa.Table.from_pylist([
        _order("t0a", "2025-11-03", "100.00"), _order("t0b", "2025-11-05", "100.00"),
        _order("t1", "2025-11-12", "80.00"), _order("t2", "2025-11-16", "120.00")]))
    load(warehouse, "refunds", pa.Table.from_pylist([
        {"store_id": "tmall", "refund_id": "r0", "order_id": "t0a", "requested_at": _ts("2025-11-04", 1),
         "refunded_at": _ts("2025-11-04"), "refund_date": dt.date(2025, 11, 4), "amount": Decimal("100.00"),
         "status": "success"}]))
    load(warehouse, "events", pa.Table.from_pylist([
        {"store_id": "tmall", "event_id": f"e{i}", "visitor_id": f"e{i}", "event_type": "page_view", "page": "home",
         "occurred_at": _ts("2025-11-12"), "event_date": dt.date(2025, 11, 12)} for i in (1, 2, 3)]))
    out = import_file(FIXTURES / "sycm_shop_daily.csv", profile=profile_get("sycm_shop_daily"), con=warehouse,
                      store_id="tmall", strict=True)
    assert out.loaded and out.inserted == 5
    return warehouse


def _table(report, section: str, table: str):
    return next(t for t in report.section(section).tables if t.id == table)


def test_a_platform_stores_weekly_report_shows_its_report_visitors_not_events(store):
    report = report_build(kind="weekly", period=WEEK, con=store)
    kpis = [line.kpi for line in report.overview]
    assert "visitors" not in kpis and "conversion_rate" not in kpis
    assert report.line("report_visitors").current == 10173  # hand-summed visitor-days, not 3 events
    # 支付转化率 in the platform's 口径: the report's paying buyers over its visitors (not the 2 orders / 3 events)
    assert report.line("report_conversion_rate").current == pytest.approx(339 / 10173)
    assert "访客人天" in report.section("overview").note
    stores = _table(report, "stores", "stores").rows
    assert stores[0]["channel_visitors"] == 10173
    funnel = _table(report, "traffic", "store_funnel").rows
    assert [r["visitors"] for r in funnel] == [10173, 1408, 488, 382, 339]  # 访客, 加购, 收藏, 下单, 支付 (sums)
    assert not any(t.id == "funnel" for t in report.section("traffic").tables)  # no event funnel


@pytest.mark.django_db  # the monthly report reads its targets
def test_the_period_export_of_exactly_the_week_gives_the_exact_figure(store):
    out = import_file(FIXTURES / "sycm_shop_period.csv", profile=profile_get("sycm_shop_period"), con=store,
                      store_id="tmall", strict=True)
    assert out.inserted == 5
    report = report_build(kind="weekly", period=WEEK, con=store, language="en")
    assert report.line("period_visitors").current == 9512
    assert report.line("period_conversion_rate").current == pytest.approx(318 / 9512)
    assert report.line("period_visitors").previous is None  # no period export of W45: no comparison, not 0
    note = report.section("overview").note
    assert "period export of exactly this period" in note and "visitor-days" not in note
    # the month of the file (2025-11-01~2025-11-30) too
    monthly = report_build(kind="monthly", period="2025-11", con=store)
    assert monthly.line("period_visitors").current == 9876  # November is in the file: exact too


@pytest.mark.django_db
def test_html_xlsx_and_pdf_carry_the_platform_figure_and_its_label(store):
    from openpyxl import load_workbook

    from shopops.reports.services import report_generate

    for language, label, days in (("zh-hans", "访客数(平台报表)", "访客人天"), ("en", "Visitors (platform report)",
                                                                                 "visitor-days")):
        generated = report_generate(kind="weekly", period=WEEK, language=language, formats=("html", "xlsx", "pdf"))
        html = generated.path("html").read_text(encoding="utf-8")
        assert 'data-col="current" class="num" data-value="10173" data-kpi="report_visitors"' in html
        assert days in html and label in html
        ws = load_workbook(generated.path("xlsx")).worksheets[1]
        rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
        assert rows[label][1] == 10173
        assert any(days in str(r[0]) for r in ws.iter_rows(values_only=True) if r and r[0])
        assert generated.path("pdf").read_bytes()[:5] == b"%PDF-"


def test_an_immature_refund_fall_in_a_weekly_report_is_never_an_improvement(store):
    """W46's refund rate (0 %) vs W45 at the same order age: W45's refund of 11-04 is known by 11-09 (the
    same age), so the base is 50 %; the fall is immature (W46's orders are 0..4 days old on 11-16)."""
    report = report_build(kind="weekly", period=WEEK, con=store)
    line = report.line("refund_rate")
    assert line.current == pytest.approx(0.0) and line.previous == pytest.approx(0.5)
    overview = {r["_kpi"]: r for r in report.section("overview").tables[0].rows}
    assert overview["refund_rate"]["_good"] is None  # a fall, not called good
    assert "未成熟" in report.section("overview").note
    assert all(n.kpi not in ("refund_rate", "refund_amount") or not n.is_good for n in report.notable)
    assert not [n for n in report.notable if n.kpi == "refund_rate"]  # no immature fall listed at all


def test_a_store_without_ad_reports_has_its_ad_figures_unknown_not_zero(store):
    """The store above has orders and a traffic report and no ad report at all: ad spend and ROAS are "—"
    with the reason in the ads section, in both languages (not ¥0.00 and a ROAS of 0)."""
    for language, words in (("zh-hans", "未导入推广数据"), ("en", "No ad data imported")):
        report = report_build(kind="weekly", period=WEEK, con=store, language=language)
        assert report.line("ad_spend").current is None and report.line("roas").current is None
        assert report.section("ads").note.startswith(words)
        assert _table(report, "ads", "ad_tools").rows == ()
    load(store, "ad_spend_daily", pa.table({
        "store_id": ["tmall"], "date": [dt.date(2025, 11, 12)], "ad_tool": ["ztc"], "plan_id": ["p1"],
        "cost": pa.array([Decimal("0.00")], pa.decimal128(18, 2)),
        "attributed_gmv": pa.array([Decimal("0.00")], pa.decimal128(18, 2))}))
    report = report_build(kind="weekly", period=WEEK, con=store)  # a report row of ¥0: a real 0
    assert report.line("ad_spend").current == Decimal("0.00") and report.section("ads").note == ""


def test_a_store_set_to_run_no_ads_reads_zero_spend_and_warns_when_reports_contradict(store):
    """The same store, set to run no paid ads (store settings): with no ad report its ad spend is a known
    ¥0.00 and ROAS not applicable (—), the ads section says it runs no ads (not "no ad data"); an ad report
    of ¥50.00 on 11-12 is counted and the section warns that the setting contradicts it."""
    from shopops.ingest.services import store_runs_no_ads_set

    assert store_runs_no_ads_set(store_id="tmall", runs_no_ads=True, con=store)
    for language, words in (("zh-hans", "这些店铺不投放付费广告"), ("en", "These stores run no paid ads")):
        report = report_build(kind="weekly", period=WEEK, con=store, language=language)
        assert report.line("ad_spend").current == Decimal("0.00") and report.line("roas").current is None
        assert report.section("ads").note.startswith(words), report.section("ads").note
    load(store, "ad_spend_daily", pa.table({
        "store_id": ["tmall"], "date": [dt.date(2025, 11, 12)], "ad_tool": ["ztc"], "plan_id": ["p1"],
        "cost": pa.array([Decimal("50.00")], pa.decimal128(18, 2)),
        "attributed_gmv": pa.array([Decimal("100.00")], pa.decimal128(18, 2))}))
    report = report_build(kind="weekly", period=WEEK, con=store)
    assert report.line("ad_spend").current == Decimal("50.00") and report.line("roas").current == pytest.approx(2.0)
    assert report.section("ads").note == "注意:tmall 设为不投放付费广告,但本期导入了推广报表:其花费已计入,请核对店铺设置。"


def test_the_platform_funnel_says_what_each_rate_is_over(store):
    """Walkthrough B #8: 下单 showed 5,837 / 87,413 (vs visitors) in a column named 环节转化率 whose 支付 row was vs
    the row above. The platforms' formulas are deliberate — a buyer may order without adding to cart, so 下单 is not
    a part of 加购 — so each row names its base. By hand (the sums above): 加购 1408 / 10173, 收藏 488 / 10173,
    下单 382 / 10173, 支付 339 / 382."""
    for language, header, bases in (
            ("zh-hans", "转化率(÷对比基数)", [None, "访客数", "访客数", "访客数", "下单买家数"]),
            ("en", "Rate (÷ measured against)", [None, "Visitors", "Visitors", "Visitors", "Ordering buyers"])):
        report = report_build(kind="weekly", period=WEEK, con=store, language=language)
        table = _table(report, "traffic", "store_funnel")
        labels = {c.key: c.label for c in table.columns}
        assert labels["rate"] == header and "step_rate" not in labels  # not called a step rate
        assert [r["base"] for r in table.rows] == bases
        assert [r["rate"] for r in table.rows] == [None, pytest.approx(1408 / 10173), pytest.approx(488 / 10173),
                                                   pytest.approx(382 / 10173), pytest.approx(339 / 382)]
        assert [r["overall_rate"] for r in table.rows][-1] == pytest.approx(339 / 10173)
        assert ("不是除以上一行" if language == "zh-hans" else "not over the row above") in table.note
