"""Demand series of the demo store straight from the generator's files (pandas, no engine code):
the oracle side of the forecast tests and the input of ``bench/inventory_forecast.py``.

``demo_demand`` generates a demo store (cached per arguments under ``root``) and returns daily paid
units per merchant code (the same goods summed over the five stores) or per store SKU, with each
series' category and price, and the campaign windows of the demo calendar (each phase of a big
sale its own kind, e.g. ``双11/9``, the same kind every year)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass
class DemoDemand:
    daily: pd.DataFrame  # unique_id, ds (date), y
    attributes: pd.DataFrame  # unique_id, category, subcategory, price
    starts: dict[str, dt.date]  # listing date per series
    end: dt.date


def generate_files(root: Path, *, seed: int, end: dt.date, days: int, scale: str = "small") -> Path:
    from shopops.demo.generator import generate

    out = Path(root) / f"demo-{scale}-{seed}-{end.isoformat()}-{days}"
    if not (out / "done").exists():
        generate(out, days=days, scale=scale, seed=seed, end_date=end)
        (out / "done").write_text("ok")
    return out


def demo_demand(root: Path, *, seed: int, end: dt.date, days: int, scale: str = "small",
                level: str = "merchant_code") -> DemoDemand:
    files = generate_files(root, seed=seed, end=end, days=days, scale=scale)
    lines, skus, products = [], [], []
    for store_dir in sorted(p for p in files.iterdir() if p.is_dir()):
        store = store_dir.name
        for f in sorted(store_dir.glob("shopops_order_lines*.csv")):
            t = pd.read_csv(f, dtype=str, usecols=["SKU ID", "购买数量", "付款时间"])
            t["store"] = store
            lines.append(t)
        s = pd.read_csv(store_dir / "shopops_skus.csv", dtype=str)
        s["store"] = store
        skus.append(s)
        p = pd.read_csv(store_dir / "shopops_products.csv", dtype=str)
        p["store"] = store
        products.append(p)
    li = pd.concat(lines, ignore_index=True)
    li = li[li["付款时间"].notna() & (li["付款时间"] != "")]
    li["ds"] = pd.to_datetime(li["付款时间"]).dt.date
    li["y"] = li["购买数量"].astype(int)
    sk = pd.concat(skus, ignore_index=True)
    pr = pd.concat(products, ignore_index=True)
    sk = sk.merge(pr[["store", "商品ID", "类目", "子类目", "上架日期"]], on=["store", "商品ID"], how="left")
    if level == "merchant_code":
        sk["unique_id"] = sk["商家编码"]
    else:
        sk["unique_id"] = sk["store"] + ":" + sk["SKU ID"]
    li = li.merge(sk[["store", "SKU ID", "unique_id"]], on=["store", "SKU ID"], how="inner")
    daily = li.groupby(["unique_id", "ds"], as_index=False)["y"].sum()
    attrs = sk.drop_duplicates("unique_id")[["unique_id", "类目", "子类目", "销售价", "上架日期"]]
    attrs = attrs.rename(columns={"类目": "category", "子类目": "subcategory", "销售价": "price"})
    attrs["price"] = attrs["price"].astype(float)
    first = end - dt.timedelta(days=days - 1)
    starts = {r.unique_id: max(dt.date.fromisoformat(r.上架日期), first) for r in attrs.itertuples()}
    return DemoDemand(daily=daily, attributes=attrs[["unique_id", "category", "subcategory", "price"]], starts=starts, end=end)


def demo_windows(first_year: int, last_year: int):
    """The demo calendar's big sales as campaign windows: each phase its own kind (name/index within
    the year), so one year's 双11 day lines up with the next year's."""
    from shopops.demo.generator.calendar import campaigns_of_year
    from shopops.inventory.forecasting import CampaignWindow

    out = []
    for year in range(first_year, last_year + 1):
        seen: dict[str, int] = {}
        for c in campaigns_of_year(year):
            i = seen.get(c.name, 0)
            seen[c.name] = i + 1
            out.append(CampaignWindow(kind=f"{c.name}/{i}", first=c.first, last=c.last))
    return out
