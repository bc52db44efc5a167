"""A store owner's own hand-made exports (walk A): shipping inside the paid amount, a negative
amount, an item report that blanked the catalogue, files imported in either order, a 直通车 header,
and rows dated after the import.

Every expected value is counted by hand from the rows written in this module.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_detect, profile_get

STORE = "tm"
TM_HEADER = "订单编号,买家会员名,买家应付货款,买家应付邮费,买家实际支付金额,订单状态,订单创建时间,订单付款时间"
# 4 paid orders; two carry ¥10 shipping (邮费) inside 买家实际支付金额
TM_ROWS = [
    "3701,tb_a,100.00,10.00,110.00,交易成功,2026-12-01 10:00:00,2026-12-01 10:01:00",
    "3702,tb_b,59.90,0.00,59.90,交易成功,2026-12-02 11:00:00,2026-12-02 11:01:00",
    "3703,tb_c,200.00,10.00,205.50,卖家已发货，等待买家确认,2026-12-03 12:00:00,2026-12-03 12:01:00",
    "3704,tb_d,30.00,,30.00,买家已付款，等待卖家发货,2026-12-04 13:00:00,2026-12-04 13:01:00",
]
# GMV without shipping, by hand: (110.00 − 10.00) + 59.90 + (205.50 − 10.00) + 30.00
TM_GMV = Decimal("385.40")


def write(path: Path, header: str, rows: list[str], encoding: str = "utf-8") -> Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding=encoding)
    return path


def run(con, path: Path, profile: str, **kw):
    return import_file(path, profile=profile_get(profile), con=con, store_id=STORE, **kw)


def one(con, sql: str):
    return con.raw_sql(sql).fetchone()[0]


# --- 1. the paid amount includes shipping ----------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_tmall_paid_amount_excludes_the_buyers_shipping(warehouse, tmp_path, encoding):
    """A clean UTF-8 file (the DuckDB fast path) and a GBK one give the same GMV, shipping left out."""
    out = run(warehouse, write(tmp_path / "ExportOrderList.csv", TM_HEADER, TM_ROWS, encoding), "tmall_orders",
              strict=True)
    assert out.loaded and out.rows_rejected == 0 and out.inserted == 4
    assert one(warehouse, "select sum(paid_amount) from orders where paid_date is not null") == TM_GMV
    got = dict(warehouse.raw_sql("select order_id, paid_amount from orders").fetchall())
    assert got["3701"] == Decimal("100.00") and got["3703"] == Decimal("195.50") and got["3704"] == Decimal("30.00")
    assert one(warehouse, "select sum(shipping_fee) from orders") == Decimal("20.00")
    again = run(warehouse, tmp_path / "ExportOrderList.csv", "tmall_orders", strict=True)
    assert (again.inserted, again.updated) == (0, 0)


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_paid_amount_below_the_shipping_it_includes_is_rejected(warehouse, tmp_path, encoding):
    """Something paid, but less than its shipping: a reject. Nothing paid (an order awaiting payment
    shows 0.00 beside the shipping it owes): loaded, paid 0."""
    rows = [*TM_ROWS, "3705,tb_e,0.00,10.00,5.00,交易成功,2026-12-05 10:00:00,2026-12-05 10:01:00",
            "3709,tb_i,50.00,10.00,0.00,等待买家付款,2026-12-05 09:00:00,"]
    out = run(warehouse, write(tmp_path / "o.csv", TM_HEADER, rows, encoding), "tmall_orders")
    assert [(r.file, r.row, r.column, r.value, r.reason) for r in out.rejects] == [
        ("o.csv", 6, "买家实际支付金额", "5.00",
         "less than the shipping fee it includes (买家应付邮费): expected an amount ≥ 买家应付邮费")]
    assert one(warehouse, "select sum(paid_amount) from orders") == TM_GMV
    assert one(warehouse, "select paid_amount from orders where order_id = '3709'") == Decimal("0.00")


def test_jd_order_amount_excludes_shipping_on_every_line(warehouse, tmp_path):
    """JD's 应付金额 and 运费金额 are the order's, repeated on each line of it."""
    header = "订单号,商品ID,商品名称,订购数量,下单时间,京东价,订单金额,应付金额,订单状态,下单帐号,运费金额,付款确认时间"
    rows = [
        "J1,P1,枕头,1,2026-12-01 10:00:00,49.00,79.00,85.00,完成,jd_a,6.00,2026-12-01 10:02:00",
        "J1,P2,枕套,1,2026-12-01 10:00:00,30.00,79.00,85.00,完成,jd_a,6.00,2026-12-01 10:02:00",
        "J2,P1,枕头,2,2026-12-02 10:00:00,49.00,98.00,98.00,完成,jd_b,0.00,2026-12-02 10:02:00",
    ]
    out = run(warehouse, write(tmp_path / "jd.csv", header, rows, "gb18030"), "jd_orders", strict=True)
    assert out.loaded and out.rows_rejected == 0
    # (85.00 − 6.00) + 98.00
    got = dict(warehouse.raw_sql("select order_id, paid_amount from orders").fetchall())
    assert got == {"J1": Decimal("79.00"), "J2": Decimal("98.00")}


# --- 2. amounts that cannot be negative ----------------------------------------------------

@pytest.mark.parametrize("strict", [False, True])
def test_a_negative_paid_amount_is_rejected_naming_file_row_column_and_value(warehouse, tmp_path, strict):
    rows = [*TM_ROWS, "3706,tb_f,59.00,0.00,-59.00,卖家已发货，等待买家确认,2026-12-05 10:00:00,2026-12-05 10:01:00"]
    out = run(warehouse, write(tmp_path / "o.csv", TM_HEADER, rows), "tmall_orders", strict=strict)
    assert [(r.file, r.row, r.column, r.value, r.reason) for r in out.rejects] == [
        ("o.csv", 6, "买家实际支付金额", "-59.00", "below 0: expected an amount ≥ 0"),
    ]
    paid_orders = one(warehouse, "select count(*) from orders where paid_date is not null")
    assert paid_orders == (0 if strict else 4)


def test_a_negative_paid_amount_in_an_order_lines_export_is_rejected(warehouse, tmp_path):
    header = "订单号,商品ID,商品名称,订购数量,下单时间,京东价,订单金额,应付金额,订单状态,下单帐号,运费金额,付款确认时间"
    rows = [
        "J1,P1,枕头,1,2026-12-01 10:00:00,49.00,49.00,-49.00,完成,jd_a,0.00,2026-12-01 10:02:00",
        "J3,P1,枕头,1,2026-12-02 10:00:00,49.00,49.00,49.00,完成,jd_b,0.00,2026-12-02 10:02:00",
    ]
    out = run(warehouse, write(tmp_path / "jd.csv", header, rows), "jd_orders")
    assert [(r.row, r.column, r.value, r.reason) for r in out.rejects] == [
        (2, "应付金额", "-49.00", "below 0: expected an amount ≥ 0")]
    assert one(warehouse, "select count(*) from orders") == 1


def test_cancellations_and_adjustments_of_a_transaction_file_keep_their_signs(warehouse, tmp_path):
    """Online Retail's C… invoices are cancellations, and its stock adjustments carry negative
    quantities: the published file loads whole."""
    from shopops.ingest.profiles import profile_from_toml

    profile = profile_from_toml((Path(__file__).parent / "fixtures" / "online_retail_uci.toml").read_text("utf-8"))
    path = write(tmp_path / "uci.csv", "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country", [
        "536365,85123A,HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom",
        "C536379,85123A,HEART,-1,2010-12-01 09:41:00,2.55,17850.0,United Kingdom",
        "536366,22633,damaged,-2,2010-12-01 08:28:00,0,,United Kingdom",
    ])
    out = import_file(path, profile=profile, con=warehouse, store_id="uci")
    assert out.loaded and out.rejects == []
    assert one(warehouse, "select count(*) from refunds") == 1


# --- 3 and 4. the item report: keeps the catalogue, and either file may come first ------------

PRODUCTS = ("商品ID,商品标题,类目,子类目,品牌,吊牌价,上架日期,状态",
            ["TS01,纯棉四件套,床上用品,,臻选,399.00,2026-03-01,出售中", "TS02,乳胶枕,床上用品,,臻选,129.00,2026-03-01,出售中"])
ITEMS = ("订单编号,标题,价格,购买数量,外部系统编号,商品属性,套餐信息,备注,订单状态,商家编码",
         ["3701,纯棉四件套 1.8m,100.00,1,TS01,,,,交易成功,TS01-18",
          "3702,乳胶枕 一只装,59.90,1,TS02,,,,交易成功,TS02-1",
          "3703,纯棉四件套 2.0m,200.00,1,TS01,,,,卖家已发货，等待买家确认,TS01-20",
          "3704,乳胶枕 一只装,30.00,1,TS02,,,,买家已付款，等待卖家发货,TS02-1"])


def test_the_item_report_keeps_the_category_and_a_reimport_changes_nothing(warehouse, tmp_path):
    run(warehouse, write(tmp_path / "products.csv", *PRODUCTS), "shopops_products", strict=True)
    items = write(tmp_path / "ExportOrderDetailList.csv", *ITEMS, encoding="gb18030")
    first = run(warehouse, items, "tmall_order_items", strict=True)
    assert first.loaded and first.tables["order_lines"].inserted == 4
    again = run(warehouse, items, "tmall_order_items", strict=True)
    assert (again.inserted, again.updated) == (0, 0)
    got = sorted(warehouse.raw_sql("select product_id, category, brand, list_price from products").fetchall())
    assert got == [("TS01", "床上用品", "臻选", Decimal("399.00")), ("TS02", "床上用品", "臻选", Decimal("129.00"))]


@pytest.mark.parametrize("items_first", [True, False])
def test_lines_get_their_orders_paid_date_whichever_file_comes_first(warehouse, tmp_path, items_first):
    orders = write(tmp_path / "ExportOrderList.csv", TM_HEADER, TM_ROWS, "gb18030")
    items = write(tmp_path / "ExportOrderDetailList.csv", *ITEMS, encoding="gb18030")
    files = [(items, "tmall_order_items"), (orders, "tmall_orders")]
    for path, profile in files if items_first else files[::-1]:
        assert run(warehouse, path, profile, strict=True).loaded
    got = dict(warehouse.raw_sql("select order_id, cast(paid_date as varchar) from order_lines").fetchall())
    assert got == {"3701": "2026-12-01", "3702": "2026-12-02", "3703": "2026-12-03", "3704": "2026-12-04"}
    for path, profile in files:  # and again: nothing changes
        again = run(warehouse, path, profile, strict=True)
        assert (again.inserted, again.updated) == (0, 0)


# --- 5. detection -------------------------------------------------------------------------

def test_a_ztc_report_is_told_from_a_wxt_one_by_its_plan_name_column():
    ztc = "日期,计划ID,计划名称,展现量,点击量,花费,总成交金额,总成交笔数,总购物车数".split(",")
    wxt = "日期,计划ID,计划名字,展现量,点击量,花费,总成交金额,总成交笔数,总购物车数".split(",")
    assert profile_detect(ztc)[0].id == "ads_ztc"
    assert profile_detect(wxt)[0].id == "ads_wxt"


# --- 7. rows dated after the import ---------------------------------------------------------

@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_rows_dated_after_the_import_are_loaded_with_a_warning(warehouse, tmp_path, encoding):
    future = dt.datetime.now(dt.UTC).year + 2
    rows = [*TM_ROWS,
            f"3707,tb_g,10.00,0.00,10.00,交易成功,{future}-12-10 09:00:00,{future}-12-10 09:05:00",
            f"3708,tb_h,10.00,0.00,10.00,等待买家付款,{future}-01-02 08:00:00,"]
    out = run(warehouse, write(tmp_path / "o.csv", TM_HEADER, rows, encoding), "tmall_orders", strict=True)
    assert out.loaded and out.rows_rejected == 0 and out.inserted == 6
    future_warnings = [w for w in out.warnings if "dated after the import" in w]
    assert len(future_warnings) == 2
    created = next(w for w in future_warnings if "column 订单创建时间" in w)
    paid = next(w for w in future_warnings if "column 订单付款时间" in w)
    assert created.startswith("o.csv: 2 row(s) dated after the import (")
    assert created.endswith(f"row 6 ({future}-12-10 09:00:00), row 7 ({future}-01-02 08:00:00)")
    assert paid.startswith("o.csv: 1 row(s)") and paid.endswith(f"row 6 ({future}-12-10 09:05:00)")
    plain = run(warehouse, write(tmp_path / "p.csv", TM_HEADER, TM_ROWS, encoding), "tmall_orders")
    assert not [w for w in plain.warnings if "dated after the import" in w]
