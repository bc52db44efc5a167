"""Readers: XLSX sheets, zip archives and broken files, each with a specific message."""

import zipfile

import openpyxl
import pytest

from shopops.core.errors import ValidationError
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get
from shopops.ingest.readers import open_source

ORDERS = profile_get("shopops_orders")
HEADER = ["订单编号", "买家ID", "订单状态", "下单时间", "付款时间", "实付金额"]
ROWS = [
    ["X1", "u1", "交易成功", "2025-11-11 00:01:00", "2025-11-11 00:02:00", 1199.5],
    ["X2", 7, "交易成功", "2025-11-11 10:00:00", "2025-11-11 10:00:30", 30],
]


def workbook(path, *, first_sheet_other=True):
    wb = openpyxl.Workbook()
    ws = wb.active
    if first_sheet_other:
        ws.title = "说明"
        ws.append(["本表由后台导出"])
        ws = wb.create_sheet("订单")
    ws.append(HEADER)
    for r in ROWS:
        ws.append(r)
    ws.append([None] * len(HEADER))  # trailing blank row, as exports often have
    wb.save(path)
    return path


def test_xlsx_sheet_is_detected_from_the_profile_columns(warehouse, tmp_path):
    path = workbook(tmp_path / "orders.xlsx")
    with open_source(path, expected=set(ORDERS.headers)) as src:
        assert src.description == "xlsx sheet '订单'"
    out = import_file(path, profile=ORDERS, con=warehouse, store_id="tmall")
    assert (out.rows_read, out.inserted, out.rows_rejected) == (2, 2, 0)
    got = warehouse.table("orders").order_by("order_id").to_pandas()
    assert [str(v) for v in got.paid_amount] == ["1199.50", "30.00"]
    assert list(got.customer_id) == ["u1", "7"]


def test_xlsx_named_sheet_missing_lists_the_sheets(warehouse, tmp_path):
    path = workbook(tmp_path / "orders.xlsx")
    with pytest.raises(ValidationError, match="no sheet named 'Sheet9'; sheets: 说明, 订单"):
        import_file(path, profile=ORDERS, con=warehouse, store_id="tmall", sheet="Sheet9")


def test_password_protected_and_corrupt_workbooks(warehouse, tmp_path):
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(ValidationError, match="locked.xlsx: the workbook is password-protected"):
        import_file(locked, profile=ORDERS, con=warehouse, store_id="tmall")
    good = workbook(tmp_path / "good.xlsx").read_bytes()
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(good[: len(good) // 2])
    with pytest.raises(ValidationError, match="broken.xlsx: the zip/xlsx file is truncated or corrupt"):
        import_file(broken, profile=ORDERS, con=warehouse, store_id="tmall")


def test_zip_with_one_csv_imports_and_with_two_is_refused(warehouse, tmp_path):
    csv_text = ",".join(HEADER) + "\n" + "\n".join(",".join(str(v) for v in r) for r in ROWS) + "\n"
    one = tmp_path / "one.zip"
    with zipfile.ZipFile(one, "w") as zf:
        zf.writestr("orders.csv", csv_text.encode("gb18030"))
    assert import_file(one, profile=ORDERS, con=warehouse, store_id="tmall").inserted == 2
    two = tmp_path / "two.zip"
    with zipfile.ZipFile(two, "w") as zf:
        zf.writestr("a.csv", csv_text)
        zf.writestr("b.csv", csv_text)
    with pytest.raises(ValidationError, match="two.zip: a zip must hold exactly one data file; it holds 2"):
        import_file(two, profile=ORDERS, con=warehouse, store_id="tmall")
