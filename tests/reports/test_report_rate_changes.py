"""A percent KPI's change is in percentage points in every part of a report (walkthrough B #9): the notable
sentence said "上升 1.30 个百分点" and its table row "▲ 43.77%" for the same pair.

One own-site store (its visitors are its event visitors), by hand:

  week              visitors        paying buyers (orders)       GMV       conversion
  W45 11-03..09     v1..v50 = 50    2 (100.00, 100.00)           200.00    2 / 50 = 4 %
  W46 11-10..16     w1..w60 = 60    3 (80.00, 120.00, 100.00)    300.00    3 / 60 = 5 %

  conversion: 5 % − 4 % = ▲ 1.00 pp (its relative change, +25 %, must not be shown);
  GMV: (300 − 200) / 200 = ▲ 50.00 % (a money KPI: relative).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest

from shopops.metrics.catalog import CATALOG, Unit
from shopops.reports.builder import report_build

WEEK = "2025-W46"


def _at(day: str) -> dt.datetime:
    d = dt.date.fromisoformat(day)
    return dt.datetime(d.year, d.month, d.day, 4, tzinfo=dt.UTC)


@pytest.fixture
def shop(warehouse):
    from shopops.warehouse.loader import load

    load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": "mini", "platform": "own", "name": "小程序商城", "currency": "CNY", "time_zone": "Asia/Shanghai"}]))
    orders = [("o1", "2025-11-04", "100.00"), ("o2", "2025-11-06", "100.00"),
              ("o3", "2025-11-11", "80.00"), ("o4", "2025-11-13", "120.00"), ("o5", "2025-11-15", "100.00")]
    load(warehouse, "orders", pa.Table.from_pylist([
        {"store_id": "mini", "order_id": o, "customer_id": f"c-{o}", "status": "paid", "created_at": _at(day),
         "paid_at": _at(day), "paid_date": dt.date.fromisoformat(day), "paid_amount": Decimal(amount),
         "traffic_source": "search"} for o, day, amount in orders]))
    visits = [(f"v{i}", "2025-11-05") for i in range(1, 51)] + [(f"w{i}", "2025-11-12") for i in range(1, 61)]
    load(warehouse, "events", pa.Table.from_pylist([
        {"store_id": "mini", "event_id": f"e-{v}", "visitor_id": v, "event_type": "page_view", "page": "home",
         "occurred_at": _at(day), "event_date": dt.date.fromisoformat(day)} for v, day in visits]))
    return warehouse


def test_the_catalog_says_which_kpis_are_percent():
    """The rule reads the catalog's unit, not a list of names."""
    assert CATALOG["conversion_rate"].unit is Unit.PERCENT and CATALOG["gmv"].unit is Unit.MONEY
    assert CATALOG["roas"].unit is Unit.RATIO  # a multiple: its change stays relative


def test_a_percent_kpis_change_is_in_points_in_the_sentence_and_the_tables(shop):
    from shopops.reports.render_html import report_body_html

    report = report_build(kind="weekly", period=WEEK, con=shop)
    line = report.line("conversion_rate")
    assert line.current == pytest.approx(0.05) and line.previous == pytest.approx(0.04)
    overview = {r["_kpi"]: r for r in report.section("overview").tables[0].rows}
    assert overview["conversion_rate"]["change_previous"] == pytest.approx(0.01)  # 1 point, not 0.25
    assert overview["gmv"]["change_previous"] == pytest.approx(0.5)
    assert "百分点" in report.section("overview").note

    notable = next(n for n in report.notable if n.kpi == "channel_conversion_rate")
    assert "上升 1.00 个百分点(4.00% → 5.00%)" in notable.sentence
    row = next(r for r in report.section("notable").tables[0].rows if r["_kpi"] == "channel_conversion_rate")
    assert row["change"] == pytest.approx(0.01)

    html = report_body_html(report)
    rows = html.split("<tr>")
    conversion = [r for r in rows if 'data-kpi="conversion_rate"' in r and 'data-col="change_previous"' in r]
    assert len(conversion) == 1 and '>▲ 1.00 pp</td>' in conversion[0]  # the overview row
    assert any('data-col="change"' in r and ">▲ 1.00 pp</td>" in r for r in rows if "channel_conversion_rate" in r)
    assert ">▲ 50.00%</td>" in html  # GMV, relative
    assert "25.00%" not in html  # conversion's relative change is shown nowhere


def test_the_workbook_holds_points_as_a_number_with_a_pp_format(shop, tmp_path):
    from openpyxl import load_workbook

    from shopops.reports.render_xlsx import report_xlsx

    for language, sheet, conversion_label, change in (("zh-hans", "核心指标概览", "支付转化率", "环比"),
                                                       ("en", "Overview", "Conversion rate", "vs previous")):
        report = report_build(kind="weekly", period=WEEK, con=shop, language=language)
        book = load_workbook(report_xlsx(report, tmp_path / f"{language}.xlsx"))
        ws = book[sheet]
        rows = list(ws.iter_rows())
        header = next([c.value for c in r] for r in rows if r[0].value in ("指标", "KPI"))
        col = header.index(change)
        by_label = {r[0].value: r for r in rows}
        cell = by_label[conversion_label][col]
        assert cell.value == pytest.approx(1.0)  # points
        assert '" pp"' in cell.number_format and "%" not in cell.number_format
        gmv = by_label["支付金额" if language == "zh-hans" else "GMV"][col]
        assert gmv.value == pytest.approx(0.5) and gmv.number_format.endswith("0.00%")
        notable = book["显著变化" if language == "zh-hans" else "Notable changes"]
        pp = [c for r in notable.iter_rows() for c in r if isinstance(c.value, (int, float)) and '" pp"' in c.number_format]
        assert [c.value for c in pp] == [pytest.approx(1.0)]


def test_english_cells_and_note_say_pp(shop):
    from shopops.reports.render_html import report_body_html

    report = report_build(kind="weekly", period=WEEK, con=shop, language="en")
    assert "percentage points" in report.section("overview").note
    notable = next(n for n in report.notable if n.kpi == "channel_conversion_rate")
    assert "rose 1.00 pp" in notable.sentence
    assert ">▲ 1.00 pp</td>" in report_body_html(report)
