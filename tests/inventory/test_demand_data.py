"""The inventory warehouse reads against pandas over the generator's own files (the oracle)."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from shopops.inventory import demand_data
from tests.inventory.conftest import DAYS, END

FIRST = END - dt.timedelta(days=DAYS - 1)


def _lines(files) -> pd.DataFrame:
    out = []
    for store_dir in sorted(p for p in files.iterdir() if p.is_dir()):
        lines = pd.concat([pd.read_csv(f, dtype=str) for f in sorted(store_dir.glob("shopops_order_lines*.csv"))])
        orders = pd.concat([pd.read_csv(f, dtype=str) for f in sorted(store_dir.glob("shopops_orders*.csv"))])
        skus = pd.read_csv(store_dir / "shopops_skus.csv", dtype=str)
        paid = orders[orders["付款时间"].notna() & ~orders["订单状态"].isin(["交易关闭", "等待买家付款"])]
        lines = lines[lines["订单编号"].isin(paid["订单编号"])].merge(skus[["SKU ID", "商家编码"]], on="SKU ID")
        lines["store"] = store_dir.name
        lines["ds"] = pd.to_datetime(lines["付款时间"]).dt.date
        lines["y"] = lines["购买数量"].astype(int)
        out.append(lines)
    return pd.concat(out, ignore_index=True)


def test_daily_units_per_merchant_code_and_per_store_sku(inventory_warehouse):
    con, files = inventory_warehouse
    lines = _lines(files)
    got = demand_data.daily_units(first=FIRST, last=END, level="merchant_code", con=con)
    want = lines.groupby(["商家编码", "ds"])["y"].sum()
    assert got.set_index(["unique_id", "ds"])["y"].astype(int).sort_index().to_dict() == want.sort_index().to_dict()
    got_sku = demand_data.daily_units(first=FIRST, last=END, level="sku", stores=("jd",), con=con)
    jd = lines[lines["store"] == "jd"]
    want_sku = jd.assign(uid="jd:" + jd["SKU ID"]).groupby(["uid", "ds"])["y"].sum()
    assert got_sku.set_index(["unique_id", "ds"])["y"].astype(int).sort_index().to_dict() == want_sku.sort_index().to_dict()
    # one SKU's own lines (the forecast page): the same days and units as the pandas count of that SKU
    sku = jd["SKU ID"].value_counts().index[0]
    one = demand_data.daily_units(first=FIRST, last=END, level="sku", stores=("jd",), skus=(sku,), con=con)
    want_one = jd[jd["SKU ID"] == sku].groupby("ds")["y"].sum()
    assert set(one["unique_id"]) == {f"jd:{sku}"}
    assert one.set_index("ds")["y"].astype(int).sort_index().to_dict() == want_one.sort_index().to_dict()


def test_stock_on_a_day_sums_the_latest_snapshot_over_stores(inventory_warehouse):
    con, files = inventory_warehouse
    snaps = []
    for store_dir in sorted(p for p in files.iterdir() if p.is_dir()):
        s = pd.read_csv(store_dir / "shopops_inventory_snapshots.csv", dtype=str)
        skus = pd.read_csv(store_dir / "shopops_skus.csv", dtype=str)
        s = s.merge(skus[["SKU ID", "商家编码"]], on="SKU ID")
        snaps.append(s)
    s = pd.concat(snaps)
    day = END - dt.timedelta(days=10)
    s = s[pd.to_datetime(s["日期"]).dt.date <= day].reset_index(drop=True)
    s["d"] = pd.to_datetime(s["日期"])
    # each SKU's latest snapshot (SKU ids are unique per store here), then summed per merchant code
    last_rows = s.loc[s.groupby(["商家编码", "SKU ID"])["d"].idxmax()]
    want = last_rows.assign(on_hand=last_rows["可售库存"].astype(int)).groupby("商家编码")["on_hand"].sum()
    got = demand_data.stock_on(day=day, level="merchant_code", con=con).set_index("unique_id")["on_hand"]
    assert got.sort_index().to_dict() == want.sort_index().to_dict()


def test_item_attributes_have_category_and_decimal_cost(inventory_warehouse):
    from decimal import Decimal

    con, _files = inventory_warehouse
    a = demand_data.item_attributes(level="merchant_code", con=con)
    assert a["unique_id"].is_unique and len(a) > 1000
    assert set(a["category"]) >= {"女装", "男装"}
    assert isinstance(a["cost"].iloc[0], Decimal)
