"""Typing takes fast paths (first format, plain cast, fixed UTC offset) only where they give
what the full rules give: values in other accepted spellings, bad values and zones with
daylight saving come out as before. Expected values are written by hand / by zoneinfo."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from shopops.ingest.pipeline import ROW, _to_utc, type_batch
from shopops.ingest.profiles import profile_from_toml

PROFILE = profile_from_toml('''
id = "t"
table = "orders"
[columns]
"单号" = { to = "order_id", type = "id", required = true }
"金额" = { to = "paid_amount", type = "money", required = true }
"付款" = { to = "paid_at", type = "datetime" }
"下单" = { to = "created_at", type = "datetime" }
''')


def batch(rows):
    cols = ["单号", "金额", "付款", "下单"]
    return pl.DataFrame({c: [r[i] for r in rows] for i, c in enumerate(cols)}).with_row_index(ROW, offset=2)


def utc(*args):
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_a_block_in_the_first_spelling_only():
    typed = type_batch(batch([("1001", "1299.00", "2025-11-11 00:05:00", "2025-11-10 23:59:00")]),
                       PROFILE, tz="Asia/Shanghai", pii_key="")
    assert typed.rejects.height == 0
    assert typed.frame.row(0, named=True) == {
        ROW: 2, "order_id": "1001", "paid_amount": Decimal("1299.00"),
        "paid_at": utc(2025, 11, 10, 16, 5), "created_at": utc(2025, 11, 10, 15, 59)}


def test_other_spellings_in_the_same_block_and_bad_values_named():
    typed = type_batch(batch([
        ("1001", "1299.00", "2025-11-11 00:05:00", "2025-11-11 00:00:00"),
        ("1002.0", "¥1,299.50", "2025/11/11 08:00", " 2025-11-11 00:00 "),
        ("1003", "12.345", "11/11/2025", ""),
    ]), PROFILE, tz="Asia/Shanghai", pii_key="")
    rows = {r["order_id"]: r for r in typed.frame.iter_rows(named=True)}
    assert set(rows) == {"1001", "1002"}  # a spreadsheet's 1002.0 is the id 1002
    assert rows["1002"]["paid_amount"] == Decimal("1299.50")
    assert rows["1002"]["paid_at"] == utc(2025, 11, 11, 0, 0)
    assert rows["1002"]["created_at"] == utc(2025, 11, 10, 16, 0)
    rejects = sorted(typed.rejects.iter_rows(), key=lambda r: r[1])
    assert [(r[0], r[1], r[2]) for r in rejects] == [(4, "付款", "11/11/2025"), (4, "金额", "12.345")]
    assert "at most 2 decimals" in rejects[1][3]


@pytest.mark.parametrize("tz", ["Asia/Shanghai", "America/New_York", "Europe/Berlin"])
def test_utc_conversion_matches_the_zone_database(tz):
    # a span over both daylight-saving switches of 2025 (and none in a block of one day)
    naive = [dt.datetime(2025, 1, 1, 12) + dt.timedelta(hours=7 * i) for i in range(1300)]
    zone = ZoneInfo(tz)
    for values in (naive, naive[:3]):
        got = _to_utc(pl.Series(values, dtype=pl.Datetime("us")), tz).to_list()
        expected = [v.replace(tzinfo=zone).astimezone(dt.UTC) for v in values]
        assert got == expected
