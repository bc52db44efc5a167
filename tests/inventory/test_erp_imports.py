"""ERP imports for the stock pages: purchase orders (``erp_purchase_orders``), receipts
(``erp_receipts``, a GBK file) and the stock list (``stock_erp``) through the real ingest pipeline
into the warehouse, then read by inventory's stock health. Expected numbers are counted by hand
from the files in ``erp_fixtures/`` (see the comments) on the generated shop of ``app_shop``
(store s1, last snapshot 2026-11-27, as-of day 2026-11-30).

Bad input: a receipt for an unknown SKU, a negative on-hand, a duplicate receipt — each a reject
naming file, row, column, value and what was expected, and (receipts, POs) nothing written;
importing the same receipts twice changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shopops.ingest.mapping import ColumnMapping, mapping_toml
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import FieldType, profile_detect, profile_from_toml, profile_get
from shopops.ingest.readers import open_source
from shopops.inventory import selectors
from tests.inventory import app_shop
from tests.inventory.app_shop import DAY

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "erp_fixtures"
RECEIPT_HEADER = "入库单号,入库日期,采购单号,供应商,商品编码,商品名称,颜色及规格,入库数量,单价,金额,仓库,备注"


@pytest.fixture
def shop(warehouse):
    return app_shop.build(warehouse)


def run(con, path: Path, pid: str, *, strict: bool = True, store: str = "s1"):
    return import_file(path, profile=profile_get(pid), con=con, store_id=store, strict=strict)


def count(con, table: str) -> int:
    return con.raw_sql(f"select count(*) from {table}").fetchone()[0]


def receipts_file(tmp_path: Path, rows: list[str], *, name: str = "rk.csv", encoding: str = "gbk") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join([RECEIPT_HEADER, *rows]) + "\n").encode(encoding))
    return path


def by_sku(con) -> dict[str, dict]:
    return {r["sku_id"]: r for r in selectors.stock_health(day=DAY, con=con).rows if r["store_id"] == "s1"}


def test_files_are_detected_and_the_receipts_are_gbk():
    raw = (FIXTURES / "erp_receipts_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    for name, pid in (("erp_receipts_gbk.csv", "erp_receipts"), ("erp_purchase_orders.csv", "erp_purchase_orders")):
        with open_source(FIXTURES / name) as src:
            profile, score = profile_detect(list(src.headers))
        assert profile is not None and profile.id == pid and score > 0.9


def test_pos_and_receipts_feed_on_hand_and_in_transit_once(shop, warehouse):
    before = by_sku(warehouse)
    po = run(warehouse, FIXTURES / "erp_purchase_orders.csv", "erp_purchase_orders")
    assert po.loaded and po.rejects == [] and po.tables["purchase_order_lines"].inserted == 5
    rc = run(warehouse, FIXTURES / "erp_receipts_gbk.csv", "erp_receipts")
    assert rc.loaded and rc.rejects == [] and rc.tables["stock_receipts"].inserted == 5
    assert warehouse.raw_sql("select date, quantity from stock_receipts where receipt_id = 'RK-2611-03'").fetchone() \
        == (dt.date(2026, 11, 28), 10)
    assert warehouse.raw_sql("select status, unit_price from purchase_order_lines where po_number = 'PO-2611-02'"
                             ).fetchone() == ("cancelled", pytest.approx(9))
    after = by_sku(warehouse)
    snap_in_transit = {k: v["in_transit"] for k, v in before.items()}
    # by hand, received after the 11-27 snapshot / open units of approved ERP POs:
    expected = {
        # RK-02 25 on 11-29 (RK-01's 30 on 11-20 is in the snapshot); PO-01 100 − 30 − 25 = 45
        "s1-M-5": (25, 45),
        # RK-02 40; PO-01 40 − 40 = 0 (ordered through the ERP: the snapshot's in-transit is not used)
        "s1-M-2": (40, 0),
        # PO-02 cancelled: on an ERP PO, nothing open
        "s1-M-3": (0, 0),
        # PO-03 awaits approval (待审核 → draft): not on order; the snapshot's in-transit stays
        "s1-M-1": (0, snap_in_transit["s1-M-1"]),
        # RK-03 by merchant code M-4 (store s1's only SKU with it), no PO: snapshot in-transit stays
        "s1-M-4": (10, snap_in_transit["s1-M-4"]),
        # PO-04 by merchant code: 30 − RK-04's 12 = 18 open; RK-04 12 on 11-29
        "s1-M-6": (12, 18),
    }
    for sku, (received, in_transit) in expected.items():
        assert after[sku]["on_hand"] == before[sku]["on_hand"] + received, sku
        assert after[sku]["received_after_snapshot"] == received, sku
        assert after[sku]["in_transit"] == in_transit, sku
    # store s2 is untouched
    s2 = {r["sku_id"]: (r["on_hand"], r["in_transit"]) for r in selectors.stock_health(day=DAY, con=warehouse).rows
          if r["store_id"] == "s2"}
    assert s2 == {r["sku_id"]: (r["on_hand"], r["in_transit"]) for r in selectors.stock_health(
        stores=("s2",), day=DAY, con=warehouse).rows}
    # the same receipts again: nothing changes
    again = run(warehouse, FIXTURES / "erp_receipts_gbk.csv", "erp_receipts")
    result = again.tables["stock_receipts"]
    assert again.loaded and (result.inserted, result.updated, result.unchanged) == (0, 0, 5)
    assert count(warehouse, "stock_receipts") == 5
    assert by_sku(warehouse) == after


def test_receipt_for_an_unknown_sku_is_refused_and_nothing_is_written(shop, warehouse, tmp_path):
    path = receipts_file(tmp_path, [
        "RK-9,2026-11-29,,供应商甲,s1-M-5,,,5,,,主仓,",
        "RK-9,2026-11-29,,供应商甲,X-999,未知商品,,3,,,主仓,",
    ])
    out = run(warehouse, path, "erp_receipts", strict=False)  # receipts load whole or not at all anyway
    assert not out.loaded and count(warehouse, "stock_receipts") == 0
    [reject] = out.rejects
    assert (reject.file, reject.row, reject.column, reject.value) == ("rk.csv", 3, "商品编码", "X-999")
    assert reject.reason.startswith("unknown SKU for store s1: not a sku_id or merchant_code of skus")
    # the same code in another store is not a code of this one
    path = receipts_file(tmp_path, ["RK-9,2026-11-29,,供应商甲,s2-M-5,,,5,,,主仓,"], name="rk2.csv")
    out = run(warehouse, path, "erp_receipts")
    assert [(r.row, r.value) for r in out.rejects] == [(2, "s2-M-5")] and count(warehouse, "stock_receipts") == 0


def test_duplicate_receipt_lines_are_named(shop, warehouse, tmp_path):
    path = receipts_file(tmp_path, [
        "RK-7,2026-11-29,,供应商甲,s1-M-5,,,5,,,主仓,",
        "RK-7,2026-11-29,,供应商甲,s1-M-2,,,5,,,主仓,",
        "RK-7,2026-11-29,,供应商甲,s1-M-5,,,6,,,主仓,",
    ])
    out = run(warehouse, path, "erp_receipts", strict=False)
    assert not out.loaded and count(warehouse, "stock_receipts") == 0
    [reject] = out.rejects
    assert (reject.row, reject.value) == (4, "RK-7, s1-M-5")  # the file's own values (was the internal key s1|RK-7|s1-M-5)
    assert reject.reason == "duplicate of row 2 (same 入库单号, 商品编码)"  # the file's column names


def test_zero_or_negative_receipt_quantity_and_bad_date(shop, warehouse, tmp_path):
    path = receipts_file(tmp_path, [
        "RK-8,2026-11-29,,供应商甲,s1-M-5,,,0,,,主仓,",
        "RK-8,2026-11-29,,供应商甲,s1-M-2,,,-4,,,主仓,",
        "RK-8,2026-11-31,,供应商甲,s1-M-3,,,4,,,主仓,",
    ], encoding="utf-8")
    out = run(warehouse, path, "erp_receipts")
    got = [(r.row, r.column, r.value, r.reason) for r in out.rejects]
    assert got[:2] == [(2, "入库数量", "0", "below 1: expected a whole number ≥ 1"),
                       (3, "入库数量", "-4", "below 1: expected a whole number ≥ 1")]
    assert got[2][:3] == (4, "入库日期", "2026-11-31")
    assert count(warehouse, "stock_receipts") == 0


def test_negative_on_hand_in_the_erp_stock_list_is_refused(shop, warehouse, tmp_path):
    path = tmp_path / "库存.csv"
    path.write_text(
        "快照日期,商品编码,商品名称,款式编码,颜色及规格,实际库存数,订单占有数,可用数,采购在途数,安全库存下限,安全库存上限\n"
        "2026-11-30,s1-M-5,商品M-5,M-5,黑色,10,2,8,0,5,50\n"
        "2026-11-30,s1-M-2,商品M-2,M-2,黑色,0,3,-3,0,5,50\n", encoding="gbk")
    out = run(warehouse, path, "stock_erp")  # strict: the whole list or nothing
    assert not out.loaded
    [reject] = out.rejects
    assert (reject.file, reject.row, reject.column, reject.value, reject.reason) == (
        "库存.csv", 3, "可用数", "-3", "below 0: expected a whole number ≥ 0")
    assert warehouse.raw_sql("select count(*) from inventory_snapshots where date = '2026-11-30'").fetchone()[0] == 0


def test_a_generic_mapping_gets_the_same_rules(shop, warehouse, tmp_path):
    toml = mapping_toml(profile_id="my_receipts", name="我的入库单", target="stock_receipts", columns=[
        ColumnMapping("单号", "receipt_id", FieldType.STRING, required=True),
        ColumnMapping("日期", "date", FieldType.DATE, required=True),
        ColumnMapping("编码", "sku_id", FieldType.STRING, required=True),
        ColumnMapping("数量", "quantity", FieldType.INT, required=True),
    ])
    profile = profile_from_toml(toml)
    path = tmp_path / "mine.csv"
    path.write_text("单号,日期,编码,数量\nA1,2026-11-29,M-5,7\nA1,2026-11-29,NOPE,1\n", encoding="utf-8")
    out = import_file(path, profile=profile, con=warehouse, store_id="s1")
    assert [(r.row, r.column, r.value) for r in out.rejects] == [(3, "编码", "NOPE")]
    assert count(warehouse, "stock_receipts") == 0
    path.write_text("单号,日期,编码,数量\nA1,2026-11-29,M-5,7\n", encoding="utf-8")
    out = import_file(path, profile=profile, con=warehouse, store_id="s1")
    assert out.loaded and out.rejects == []
    assert by_sku(warehouse)["s1-M-5"]["received_after_snapshot"] == 7
