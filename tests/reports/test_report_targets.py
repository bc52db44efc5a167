"""A monthly report on every store uses the cockpit's targets rule (walkthrough B #7): where every store has a
target for an additive KPI and no all-stores target is set, the stores' targets are added up and marked so; the
stores table shows each store's own targets.

Three stores, November 2025, by hand:

  store   orders (paid)                     GMV      GMV target   achievement    buyers target
  a       a1 100.00, a2 200.00              300.00      400.00    300/400 = 75 %      5
  b       b1 150.00                         150.00      100.00    150/100 = 150 %     5
  c       c1 50.00                           50.00      100.00     50/100 = 50 %      (none)

  all stores: GMV 500.00; the stores' GMV targets added up 400 + 100 + 100 = 600.00, achievement 500/600.
  Paying buyers have a target in a and b only, and buyers do not add up over stores: no all-stores buyers target.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.reports.builder import report_build

NOVEMBER = dt.date(2025, 11, 1)


def _order(store: str, order_id: str, day: str, amount: str) -> dict:
    d = dt.date.fromisoformat(day)
    at = dt.datetime(d.year, d.month, d.day, 4, tzinfo=dt.UTC)
    return {"store_id": store, "order_id": order_id, "customer_id": f"b-{order_id}", "status": "paid",
            "created_at": at, "paid_at": at, "paid_date": d, "paid_amount": Decimal(amount), "traffic_source": "search"}


@pytest.fixture
def shops(warehouse, db):
    from shopops.metrics.services import target_set
    from shopops.warehouse.loader import load

    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": s, "platform": "own", "name": f"店铺{s.upper()}", "currency": "CNY", "time_zone": "Asia/Shanghai"}
        for s in ("a", "b", "c")]))
    load(warehouse, "orders", pa.Table.from_pylist([
        _order("a", "a1", "2025-11-03", "100.00"), _order("a", "a2", "2025-11-20", "200.00"),
        _order("b", "b1", "2025-11-05", "150.00"), _order("c", "c1", "2025-11-28", "50.00")]))
    for store, value in (("a", "400.00"), ("b", "100.00"), ("c", "100.00")):
        target_set(kpi="gmv", month=NOVEMBER, value=value, store_id=store)
    for store in ("a", "b"):
        target_set(kpi="paying_buyers", month=NOVEMBER, value=5, store_id=store)
    return warehouse


def _table(report, section: str, table: str):
    return next(t for t in report.section(section).tables if t.id == table)


def test_all_stores_gmv_target_is_the_stores_targets_added_up_and_marked(shops):
    report = report_build(kind="monthly", period="2025-11", con=shops)
    assert report.has_targets
    gmv = report.line("gmv")
    assert gmv.current == Decimal("500.00")
    assert gmv.target == Decimal("600.00") and gmv.target_summed
    assert gmv.achievement == pytest.approx(500 / 600)
    assert report.line("paying_buyers").target is None  # buyers do not add up over stores
    overview = report.section("overview")
    assert "尚未设置目标" not in overview.note  # the old "no target set" note
    rows = {r["_kpi"]: r for r in overview.tables[0].rows}
    assert "target_basis" in {c.key for c in overview.tables[0].columns}
    assert rows["gmv"]["target_basis"] == "各店目标之和"  # the cockpit's words (its msgid, translated)
    assert rows["paid_orders"]["target_basis"] == ""
    assert "各店目标之和" in overview.note

    english = report_build(kind="monthly", period="2025-11", con=shops, language="en")
    assert {r["_kpi"]: r for r in english.section("overview").tables[0].rows}["gmv"]["target_basis"] == \
        "the stores' targets added up"


def test_the_stores_table_shows_each_stores_own_targets(shops):
    report = report_build(kind="monthly", period="2025-11", con=shops)
    table = _table(report, "stores", "stores")
    keys = [c.key for c in table.columns]
    # beside the KPI they are set for
    assert keys.index("gmv_target") > keys.index("gmv") and keys.index("paying_buyers_target") > keys.index("paying_buyers")
    rows = {r["_store_id"]: r for r in table.rows}
    assert rows["a"]["gmv_target"] == Decimal("400.00") and rows["a"]["gmv_achievement"] == pytest.approx(0.75)
    assert rows["b"]["gmv_target"] == Decimal("100.00") and rows["b"]["gmv_achievement"] == pytest.approx(1.5)
    assert rows["c"]["gmv_target"] == Decimal("100.00") and rows["c"]["gmv_achievement"] == pytest.approx(0.5)
    assert rows["a"]["paying_buyers_target"] == 5 and rows["a"]["paying_buyers_achievement"] == pytest.approx(2 / 5)
    assert "paying_buyers_target" not in rows["c"]
    assert "达成率" in report.section("stores").note


def test_an_all_stores_target_wins_and_a_store_without_a_target_leaves_no_sum(shops):
    from shopops.metrics.models import Target
    from shopops.metrics.services import target_set

    target_set(kpi="gmv", month=NOVEMBER, value="1000.00")  # set for all stores: shown as set, not summed
    report = report_build(kind="monthly", period="2025-11", con=shops)
    assert report.line("gmv").target == Decimal("1000.00") and not report.line("gmv").target_summed
    assert "target_basis" not in {c.key for c in report.section("overview").tables[0].columns}

    Target.objects.filter(store_id__in=("", "c")).delete()  # c has no GMV target: a partial sum is no target
    report = report_build(kind="monthly", period="2025-11", con=shops)
    assert report.line("gmv").target is None and not report.has_targets
    assert "尚未设置目标" in report.section("overview").note
    rows = {r["_store_id"]: r for r in _table(report, "stores", "stores").rows}
    assert rows["a"]["gmv_target"] == Decimal("400.00") and "gmv_target" not in rows["c"]


def test_a_report_on_some_stores_does_not_sum_the_targets(shops):
    report = report_build(kind="monthly", period="2025-11", stores=("a", "b"), con=shops)
    assert report.line("gmv").target is None  # 400 + 100 is not a target of a and b together set by anyone
    rows = {r["_store_id"]: r for r in _table(report, "stores", "stores").rows}
    assert rows["a"]["gmv_target"] == Decimal("400.00")
    one = report_build(kind="monthly", period="2025-11", stores=("b",), con=shops)
    assert one.line("gmv").target == Decimal("100.00") and one.line("gmv").achievement == pytest.approx(1.5)


def test_the_workbook_and_html_show_the_summed_target(shops, tmp_path):
    from openpyxl import load_workbook

    from shopops.reports.render_html import report_body_html
    from shopops.reports.render_xlsx import report_xlsx

    report = report_build(kind="monthly", period="2025-11", con=shops)
    html = report_body_html(report)
    assert re.search(r'data-col="target" class="num" data-value="600\.0*" data-kpi="gmv">¥600\.00<', html)
    assert "各店目标之和" in html
    ws = load_workbook(report_xlsx(report, tmp_path / "r.xlsx"))["核心指标概览"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(r for r in rows if r[:2] == ["指标", "本期"])
    gmv = dict(zip(header, next(r for r in rows if r[0] == "支付金额")))
    assert gmv["目标"] == 600 and gmv["达成率"] == pytest.approx(500 / 600) and gmv["目标来源"] == "各店目标之和"
