"""ui.exports: XLSX and CSV of one table: the same values, formula-safe, money in the store's currency.

Expected cells are written out by hand from the table below, never read back from the writer.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.http import QueryDict

from shopops.ui.exports import export_filename, export_response, money_format
from shopops.ui.tables import Column, DataTable, Row, chart_data, table_from_chart, table_page

FORMULAS = ["=1+2", "+SUM(A1:A2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=HYPERLINK(\"http://x\",\"y\")"]


def _table(currency: str = "USD", rows=None) -> DataTable:
    columns = [Column("name", "名称"), Column("gmv", "GMV", unit="money"), Column("share", "Share", unit="percent"),
               Column("orders", "Orders", unit="int"), Column("day", "Day", unit="date"),
               Column("ratio", "Ratio", unit="ratio")]
    rows = rows if rows is not None else [
        Row({"name": "A 店", "gmv": Decimal("1234.5"), "share": 0.25, "orders": 3, "day": dt.date(2025, 11, 1),
             "ratio": 1.5}),
        Row({"name": "B", "gmv": Decimal("-10.005"), "share": None, "orders": 0, "day": None, "ratio": None}),
    ]
    return DataTable("t", "表 1", columns, rows, currency=currency)


def _xlsx(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def _csv(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese right
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_xlsx_and_csv_hold_the_same_values():
    table = _table()
    sheet = _xlsx(export_response(table, "xlsx", "t"))
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["名称", "GMV", "Share", "Orders", "Day", "Ratio"]
    assert rows[1] == ["A 店", 1234.5, 0.25, 3, dt.datetime(2025, 11, 1), 1.5]
    assert rows[2] == ["B", -10.01, None, 0, None, None]  # money to the cent, half up
    body = _csv(export_response(table, "csv", "t"))
    assert body[0] == ["名称", "GMV (USD)", "Share", "Orders", "Day", "Ratio"]
    assert body[1:] == [["A 店", "1234.50", "0.25", "3", "2025-11-01", "1.5"], ["B", "-10.01", "", "0", "", ""]]


@pytest.mark.parametrize("currency, fmt", [("USD", '"US$"#,##0.00'), ("CNY", '"¥"#,##0.00'),
                                           ("HKD", '"HK$"#,##0.00'), ("", "#,##0.00")])
def test_money_is_in_the_stores_currency(currency, fmt):
    sheet = _xlsx(export_response(_table(currency), "xlsx", "t"))
    assert sheet["B2"].number_format == fmt == money_format(currency)
    assert sheet["C2"].number_format == "0.00%" and sheet["D2"].number_format == "#,##0"
    header = _csv(export_response(_table(currency), "csv", "t"))[0]
    assert header[1] == (f"GMV ({currency})" if currency else "GMV")
    assert "¥" not in header[1] or currency == "CNY"


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_like_text_is_never_a_formula(text):
    table = _table(rows=[Row({"name": text, "gmv": Decimal("1"), "orders": 1})])
    sheet = _xlsx(export_response(table, "xlsx", "t"))
    cell = sheet["A2"]
    assert cell.data_type == "s" and cell.quotePrefix is True
    assert cell.value.strip() == text.strip()  # the value itself is kept (XML reads a CR back as LF)
    body = _csv(export_response(table, "csv", "t"))
    assert body[1][0] == "'" + text


def test_plain_numbers_and_headers_stay_as_they_are():
    table = DataTable("t", "t", [Column("code", "-1"), Column("n", "=header")], [Row({"code": "-12.5", "n": "+3"})])
    sheet = _xlsx(export_response(table, "xlsx", "t"))
    assert sheet["A2"].value == "-12.5" and not sheet["A2"].quotePrefix  # a plain number, not a formula
    assert sheet["B1"].quotePrefix and sheet["B1"].data_type == "s"
    body = _csv(export_response(table, "csv", "t"))
    assert body == [["-1", "'=header"], ["-12.5", "+3"]]


def test_the_first_column_shows_the_row_header_and_totals_stay():
    table = DataTable("t", "t", [Column("k", "Key"), Column("v", "V", unit="count")],
                      [Row({"k": "ads", "v": 2}, header="Paid ads"), Row({"k": "", "v": 3}, header="All", is_total=True)])
    assert _csv(export_response(table, "csv", "t"))[1:] == [["Paid ads", "2"], ["All", "3"]]


def test_datetimes_are_written_in_the_stores_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    at = dt.datetime(2025, 11, 10, 16, 30, tzinfo=dt.UTC)  # 00:30 next day in Shanghai
    table = DataTable("t", "t", [Column("at", "At", unit="datetime")], [Row({"at": at})])
    assert _csv(export_response(table, "csv", "t"))[1] == ["2025-11-11 00:30:00"]
    assert _xlsx(export_response(table, "xlsx", "t"))["A2"].value == dt.datetime(2025, 11, 11, 0, 30)


def test_file_names_are_cleaned_and_chinese_names_arrive_intact():
    assert export_filename("../../etc/passwd", "csv") == "etc-passwd.csv"
    assert export_filename('a"b;c\r\nd', "xlsx") == "a-b-c-d.xlsx"
    assert export_filename("", "csv") == "table.csv"
    response = export_response(_table(), "csv", "订单 拒绝行")
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E8%AE%A2%E5%8D%95-%E6%8B%92%E7%BB%9D%E8%A1%8C.csv"
    assert export_response(_table(), "xlsx", "traffic-sources-2025-11-10")["Content-Disposition"] == (
        'attachment; filename="traffic-sources-2025-11-10.xlsx"')
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    with pytest.raises(ValueError, match="unknown export format"):
        export_response(_table(), "pdf", "t")


# ---------------------------------------------------------------------------
# sort and paging
# ---------------------------------------------------------------------------
def _numbers(n: int) -> DataTable:
    return DataTable("n", "n", [Column("name", "Name"), Column("v", "V", unit="int")],
                     [Row({"name": f"r{i:02d}", "v": (i * 7) % n if i != 3 else None}) for i in range(n)]
                     + [Row({"name": "total", "v": 999}, is_total=True)])


def test_sort_and_page_by_the_query():
    table = table_page(_numbers(12), QueryDict("sort=v&dir=asc&page=2"), per_page=5, path="/x")
    # values (i*7)%12 for i=0..11, i=3 empty: 0 7 2 — 4 11 6 1 8 3 10 5 -> ascending 0 1 2 3 4 5 6 7 8 10 11
    values = sorted(((i * 7) % 12 for i in range(12) if i != 3))
    assert [r.values["v"] for r in table.rows] == values[5:10] + [999]  # total row stays at the bottom
    assert table.paging.number == 2 and table.paging.pages == 3 and table.paging.total == 12
    assert table.paging.first == 6 and table.paging.last == 10
    assert table.paging.previous_url == "/x?sort=v&dir=asc&page=1" and table.paging.next_url == "/x?sort=v&dir=asc&page=3"
    last = table_page(_numbers(12), QueryDict("sort=v&dir=asc&page=3"), per_page=5)
    assert [r.values["v"] for r in last.rows] == [values[10], None, 999]  # the empty value sorts last
    desc = table_page(_numbers(12), QueryDict("sort=v"), per_page=50)
    assert [r.values["v"] for r in desc.rows][:-1] == sorted(values, reverse=True) + [None]
    assert desc.sort_links["v"].endswith("sort=v&dir=asc") and desc.sort_links["name"].endswith("sort=name&dir=desc")


@pytest.mark.parametrize("query", ["page=abc", "page=-3", "page=0", "sort=nope", "dir=sideways", "page=", "sort=v&page=1e9"])
def test_bad_sort_or_page_parameters_give_a_page_not_an_error(query):
    table = table_page(_numbers(12), QueryDict(query), per_page=5)
    assert table.paging.number == 1  # not a page number (or below 1): the first page
    assert len(table.rows) == 6  # 5 rows + the total


def test_a_page_past_the_end_is_the_last_page():
    assert table_page(_numbers(12), QueryDict("page=99"), per_page=5).paging.number == 3


def test_prefixed_parameters_sort_one_table_of_several():
    table = table_page(_numbers(4), QueryDict("plans_sort=name&plans_dir=asc&sort=v"), prefix="plans_")
    assert [r.values["name"] for r in table.rows] == ["r00", "r01", "r02", "r03", "total"]


def test_an_export_gets_every_row_sorted():
    table = table_page(_numbers(12), QueryDict("sort=name&dir=desc&page=2"), per_page=5, paged=False)
    assert table.paging is None and len(table.rows) == 13 and table.rows[0].values["name"] == "r11"


# ---------------------------------------------------------------------------
# the table view of a chart
# ---------------------------------------------------------------------------
def test_a_chart_reads_as_a_table():
    chart = chart_data(["2025-10", "2025-11"], [
        {"key": "new", "name": "New", "unit": "count", "type": "bar", "axis": 0, "data": ["3", "5"]},
        {"key": "gmv", "name": "GMV", "unit": "money", "type": "line", "axis": 1, "data": ["10.50", None]}],
        currency="USD")
    table = table_from_chart(chart, "c", "Chart", category_label="Month")
    assert [c.label for c in table.columns] == ["Month", "New", "GMV"]
    texts = [[cell.text for cell in cells] for _row, cells in table.cells()]
    assert texts == [["2025-10", "3", "US$10.50"], ["2025-11", "5", "—"]]
