"""parse -> map -> validate -> load on hand-written files; expected values counted by hand."""

import datetime as dt
import gzip
import hashlib
import hmac
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from shopops.core.errors import ValidationError
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_detect, profile_get

FIXTURES = Path(__file__).parent / "fixtures"
ORDERS = profile_get("shopops_orders")


def run(con, path, profile=ORDERS, **kw):
    return import_file(Path(path), profile=profile, con=con, store_id="tmall", **kw)


def test_lenient_loads_valid_rows_and_names_every_bad_value(warehouse):
    out = run(warehouse, FIXTURES / "orders_with_errors.csv")
    assert (out.rows_read, out.rows_rejected, out.inserted, out.updated) == (6, 4, 2, 0)
    got = [(r.row, r.column, r.value, r.reason.split(";")[0]) for r in out.rejects]
    assert got == [
        (4, "实付金额", "abc", "expected an amount like 1299.00 or ¥1,299.00 (at most 2 decimals)"),
        (5, "订单状态", "发货了", "unknown value"),
        (6, "订单编号", "T1", "duplicate of row 2 (same 订单编号)"),  # the file's column and value
        (7, "下单时间", "2025-02-30 08:00:00", "expected a date and time like 2025-11-11 00:05:00"),
        (7, "实付金额", "50.001", "expected an amount like 1299.00 or ¥1,299.00 (at most 2 decimals)"),
    ]
    rows = warehouse.table("orders").order_by("order_id").to_pandas()
    assert list(rows.order_id) == ["T1", "T2"]
    t1 = rows.iloc[0]
    assert t1.paid_amount == Decimal("1199.00") and t1.goods_amount == Decimal("1299.00")
    assert t1.status == "completed"
    # 2025-11-11 00:02 in Shanghai is 2025-11-10 16:02 UTC, and its business date is the 11th
    assert t1.paid_at.to_pydatetime() == dt.datetime(2025, 11, 10, 16, 2, tzinfo=dt.UTC)
    assert t1.paid_date.date() == dt.date(2025, 11, 11)
    assert rows.iloc[1].status == "pending_payment" and rows.iloc[1].paid_at is pd_nat()


def pd_nat():
    import pandas as pd

    return pd.NaT


def test_strict_mode_loads_nothing_when_any_row_is_bad(warehouse):
    out = run(warehouse, FIXTURES / "orders_with_errors.csv", strict=True)
    assert not out.loaded and out.rows_rejected == 4
    assert warehouse.table("orders").count().execute() == 0


def test_same_file_twice_changes_nothing_and_a_changed_export_updates(warehouse, tmp_path):
    first = run(warehouse, FIXTURES / "orders_with_errors.csv")
    again = run(warehouse, FIXTURES / "orders_with_errors.csv")
    assert (first.inserted, again.inserted, again.updated) == (2, 0, 0)
    later = tmp_path / "later.csv"
    text = (FIXTURES / "orders_with_errors.csv").read_text(encoding="utf-8")
    later.write_text(text.replace("T2,u2,等待买家付款,2025-11-10 23:59:00,,", "T2,u2,交易关闭,2025-11-10 23:59:00,,"))
    out = run(warehouse, later)
    assert (out.inserted, out.updated) == (0, 1)
    assert warehouse.table("orders").filter(lambda t: t.order_id == "T2").status.execute().tolist() == ["closed"]


def test_gbk_and_gzip_files_read_the_same(warehouse, tmp_path):
    text = (FIXTURES / "orders_with_errors.csv").read_text(encoding="utf-8")
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(text.encode("gb18030"))
    gz = tmp_path / "utf8.csv.gz"
    with gzip.open(gz, "wb") as fh:
        fh.write(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert run(warehouse, gbk).inserted == 2
    assert run(warehouse, gz).inserted == 0  # same rows: nothing new


def test_empty_file_and_missing_required_column_have_specific_messages(warehouse, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match=r"empty.csv: the file is empty \(0 bytes\)"):
        run(warehouse, empty)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("订单编号,买家ID\nT1,u1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="required column.s. missing for profile shopops_orders: 订单状态, 下单时间, 实付金额"):
        run(warehouse, wrong)


def test_phones_are_hashed_and_masked_never_stored(warehouse, tmp_path):
    f = tmp_path / "customers.csv"
    f.write_text("买家ID,手机号,省份\nu1,13812345678,广东\nu2,+86 139-0000-1111,浙江\nu3,12345,北京\n", encoding="utf-8")
    out = run(warehouse, f, profile=profile_get("shopops_customers"), pii_key="s")
    assert (out.inserted, out.rows_rejected) == (2, 1)
    assert out.rejects[0].reason == "expected an 11-digit mobile number (or one masked as 138****5678)"
    assert out.rejects[0].value == "*****"  # a rejected phone is never kept in the clear
    rows = warehouse.table("customers").order_by("customer_id").to_pandas()
    assert list(rows.phone_masked) == ["138******78", "139******11"]  # 3 + 2 digits shown
    assert rows.unified_id[0] == hmac.new(b"s", b"13812345678", hashlib.sha256).hexdigest()
    assert "13812345678" not in rows.to_string()


def test_profile_detection_from_headers():
    headers = (FIXTURES / "orders_with_errors.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    profile, score = profile_detect(headers)
    assert profile.id == "shopops_orders" and score > 0.7
    assert profile_detect(["foo", "bar"]) == (None, 0.0)


def test_truncated_file_wrong_encoding_and_another_profiles_file(warehouse, tmp_path):
    text = (FIXTURES / "orders_with_errors.csv").read_text(encoding="utf-8")
    truncated = tmp_path / "cut.csv"
    truncated.write_text(text[: text.index("T3,u3") + 20], encoding="utf-8")  # cut mid-row
    with pytest.raises(ValidationError, match=r"cut.csv: row 4 has a different number of fields than the header .*the file may be truncated"):
        run(warehouse, truncated)
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(text.encode("utf-16"))
    with pytest.raises(ValidationError, match="utf16.csv: the text is UTF-16 .*save the export as UTF-8 or GBK CSV"):
        run(warehouse, utf16)
    refunds = tmp_path / "refunds.csv"
    refunds.write_text("退款编号,订单编号,退款金额,退款状态\nR1,T1,10.00,退款成功\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"it looks like a shopops standard refunds file \(profile shopops_refunds"):
        run(warehouse, refunds)


def test_extra_columns_are_reported_and_ignored(warehouse, tmp_path):
    extra = tmp_path / "extra.csv"
    lines = (FIXTURES / "orders_with_errors.csv").read_text(encoding="utf-8").splitlines()
    extra.write_text("\n".join([lines[0] + ",备注"] + [ln + ",x" for ln in lines[1:3]]) + "\n", encoding="utf-8")
    out = run(warehouse, extra)
    assert out.inserted == 2
    assert out.warnings == ["extra.csv: column(s) not in profile shopops_orders, ignored: 备注"]
