"""Stock positions and stock health per store and SKU: plain pandas, no Django.

Two steps, so the expensive one can be cached by the warehouse's data version and the cheap
one sees every receipt and PO the team records:

1. :func:`position_facts` — from the warehouse facts (end-of-day snapshots, paid units per
   day, the SKU list) one row per (store, SKU) as of ``day``: the last snapshot's on hand and
   in transit, units sold in the last 30 and 90 days, stock-out days in the last 30, the
   units on hand 90 days ago.
2. :func:`stock_health` — adds what the app DB knows (receipts recorded after the SKU's last
   snapshot, open purchase orders) and derives the numbers the page shows.

Definitions (docs/inventory.md, shared/GLOSSARY.md):

* **on hand** = the last snapshot's ``on_hand`` (end of its day) + units received in shopops
  or imported from the ERP's receipts after that day (up to now; the next snapshot replaces both).
* **in transit** = open purchase-order units in shopops (sent or partly received) for SKUs
  shopops orders, plus the open units of PO lines imported from the ERP (ordered − imported
  receipts); for SKUs on neither, the snapshot's ``in_transit`` (the ERP's). Never both: that
  is the double count reorder rules are known for.
* **daily demand** = units sold in the last 30 days / 30 (the forecast replaces it where one
  exists); **days of cover** = on hand / daily demand (none without demand).
* **sell-through** (售罄率, 30 days) = units sold / (units sold + on hand).
* **stock-out days** (30 days) = days whose latest snapshot showed 0 on hand (snapshots
  carried forward: with weekly snapshots, a week per empty snapshot) and that sold nothing — a sale
  shows stock that day (a SKU restocked between weekly snapshots, or sold out late in the day).
* **lost sales** = stock-out days × the demand of the in-stock days (units sold / in-stock
  days; the 90-day rate when the SKU was out all 30 days), valued at the selling price.
* **aged stock** (库龄 > 90 days), first in first out: what was on hand 90 days ago minus what
  sold since, no more than what is on hand now; valued at cost.
* **overstock** = on hand above ``overstock_days`` of demand (all of it without demand),
  valued at cost.
* **slow mover** (滞销) = stock on hand and no sale in 90 days, or a 30-day sell-through under
  10 % with more than 90 days of cover.
* **stock-out risk** (断货风险) = the stock runs short within the lead time (the preferred supplier's, 14
  days without one) on the demand path: the store's forecast (festivals, planned promotions) where one
  is given, else the 30-day average every day. The walk (``stock_health.forecast_shortfall``) starts from
  on hand; open PO lines arrive on their expected day (an overdue one tomorrow), the rest of the in-transit
  (no day known: ERP POs, the snapshot's) tomorrow — an order due after the stock runs out does not stop
  the risk. The inventory alerts' ``stockout_risk`` reads the same walk off these rows (one rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import pandas as pd

from shopops.inventory.stock_health import Shortfall, forecast_shortfall

WINDOW_DAYS = 30
HISTORY_DAYS = 90
AGED_DAYS = 90


@dataclass(frozen=True, slots=True)
class HealthRules:
    overstock_days: int = 120  # cover beyond this is overstock
    slow_sell_through: float = 0.10
    slow_cover_days: int = 90
    default_lead_days: int = 14  # for SKUs no supplier supplies yet


STATUS_ORDER = ("stockout", "at_risk", "overstock", "slow", "healthy", "inactive")

POSITION_COLUMNS = ["store_id", "sku_id", "merchant_code", "product_id", "title", "spec", "price", "cost",
                    "snapshot_date", "snapshot_on_hand", "snapshot_in_transit", "units_30", "units_90",
                    "stockout_days", "on_hand_aged_ago"]


def _ffill_on_day(snaps: pd.DataFrame, day: dt.date) -> pd.Series:
    """On hand per (store_id, sku_id) at the end of ``day``: the latest snapshot on or before it."""
    s = snaps[snaps["date"] <= day]
    if s.empty:
        return pd.Series(dtype="float64")
    last = s.sort_values("date").groupby(["store_id", "sku_id"], sort=False).tail(1)
    return last.set_index(["store_id", "sku_id"])["on_hand"].astype("float64")


def position_facts(*, snapshots: pd.DataFrame, sales: pd.DataFrame, skus: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """One row per (store, SKU) with a snapshot on or before ``day`` (columns ``POSITION_COLUMNS``).

    ``snapshots``: store_id, sku_id, date, on_hand, in_transit (at least the last 120 days);
    ``sales``: store_id, sku_id, date, units (paid units per day; the last 90 days suffice);
    ``skus``: store_id, sku_id, merchant_code, product_id, title, spec, price, cost."""
    snaps = snapshots[snapshots["date"] <= day].copy()
    if snaps.empty:
        return pd.DataFrame(columns=POSITION_COLUMNS)
    snaps["on_hand"] = snaps["on_hand"].fillna(0).clip(lower=0)
    snaps["in_transit"] = snaps["in_transit"].fillna(0).clip(lower=0)
    snaps = snaps.sort_values(["store_id", "sku_id", "date"])
    last = snaps.groupby(["store_id", "sku_id"], sort=False).tail(1).set_index(["store_id", "sku_id"])
    out = pd.DataFrame({"snapshot_date": last["date"], "snapshot_on_hand": last["on_hand"].astype("int64"),
                        "snapshot_in_transit": last["in_transit"].astype("int64")})
    w30 = day - dt.timedelta(days=WINDOW_DAYS - 1)
    w90 = day - dt.timedelta(days=HISTORY_DAYS - 1)
    s = sales[(sales["date"] >= w90) & (sales["date"] <= day)]
    u90 = s.groupby(["store_id", "sku_id"])["units"].sum()
    u30 = s[s["date"] >= w30].groupby(["store_id", "sku_id"])["units"].sum()
    out["units_30"] = u30.reindex(out.index).fillna(0).astype("int64")
    out["units_90"] = u90.reindex(out.index).fillna(0).astype("int64")
    # stock-out days: each day of the window takes the latest snapshot on or before it
    grid = snaps[["store_id", "sku_id", "date", "on_hand"]]
    before = grid[grid["date"] < w30].groupby(["store_id", "sku_id"], sort=False).tail(1)
    inside = grid[grid["date"] >= w30]
    base = pd.concat([before, inside])
    base = base.assign(start=base["date"].where(base["date"] >= w30, w30))
    base = base.sort_values(["store_id", "sku_id", "start"])
    nxt = base.groupby(["store_id", "sku_id"], sort=False)["start"].shift(-1)
    end = nxt.fillna(day + dt.timedelta(days=1))
    span = (pd.to_datetime(end) - pd.to_datetime(base["start"])).dt.days
    zero_days = span.where(base["on_hand"] <= 0, 0)
    # … less the days of those spans that sold: a sale shows stock that day (a weekly snapshot of 0 carried
    # over a week the SKU kept selling in is not a week out of stock)
    zero = base.loc[base["on_hand"] <= 0, ["store_id", "sku_id", "start"]].assign(end=end[base["on_hand"] <= 0])
    sold = s[(s["date"] >= w30) & (s["units"] > 0)][["store_id", "sku_id", "date"]].drop_duplicates()
    hit = sold.merge(zero, on=["store_id", "sku_id"])
    hit = hit[(hit["date"] >= hit["start"]) & (hit["date"] < hit["end"])]
    sold_out_days = hit.drop_duplicates(["store_id", "sku_id", "date"]).groupby(["store_id", "sku_id"]).size()
    out["stockout_days"] = (zero_days.groupby([base["store_id"], base["sku_id"]]).sum().reindex(out.index).fillna(0)
                            - sold_out_days.reindex(out.index).fillna(0)).clip(lower=0, upper=WINDOW_DAYS).astype("int64")
    aged_ago = _ffill_on_day(snaps, day - dt.timedelta(days=AGED_DAYS))
    out["on_hand_aged_ago"] = aged_ago.reindex(out.index).fillna(0).astype("int64")
    out = out.reset_index()
    meta = skus.drop_duplicates(["store_id", "sku_id"])
    out = out.merge(meta, on=["store_id", "sku_id"], how="left")
    for col in ("merchant_code", "product_id", "title", "spec"):
        out[col] = out[col].fillna("") if col in out else ""
    return out[POSITION_COLUMNS]


def arrival_days(*, in_transit: int, dated: list[tuple[dt.date, int]], day: dt.date) -> dict[int, float]:
    """Units arriving per day of the walk (1 = the day after ``day``): dated open PO lines on their day (overdue
    ones tomorrow), the rest of ``in_transit`` (no day known) tomorrow."""
    out: dict[int, float] = {}
    known = 0
    for expected, qty in dated:
        d = max((expected - day).days, 1)
        out[d] = out.get(d, 0.0) + qty
        known += qty
    rest = max(int(in_transit) - known, 0)
    if rest:
        out[1] = out.get(1, 0.0) + rest
    return out


_NO_SHORTFALL = Shortfall(None, 0.0, 0)


def lead_time_shortfall(*, on_hand: int, path, days: int, arrivals: dict[int, float]) -> Shortfall:
    """``forecast_shortfall`` over the lead time, skipping the day-by-day walk when on hand alone covers it."""
    path = np.asarray(path, dtype=np.float64)
    if days <= 0:
        return _NO_SHORTFALL
    if path.size >= days and on_hand >= float(np.nan_to_num(path[:days], nan=0.0).clip(min=0).sum()) - 1e-9:
        return _NO_SHORTFALL
    return forecast_shortfall(float(on_hand), path, days=days, arrivals=arrivals)


def _money(value: Decimal | None, units: float) -> Decimal:
    if value is None or units <= 0 or (isinstance(value, float) and np.isnan(value)):
        return Decimal("0.00")
    return (Decimal(value) * Decimal(int(round(units)))).quantize(Decimal("0.01"))


def stock_health(*, positions: pd.DataFrame, receipts: pd.DataFrame, open_po: pd.DataFrame,
                 ordered_here: set[tuple[str, str]], lead_days: dict[str, int], day: dt.date,
                 rules: HealthRules = HealthRules(), erp_open_po: pd.DataFrame | None = None,
                 erp_ordered: set[tuple[str, str]] = frozenset(),
                 paths: dict[tuple[str, str], np.ndarray] | None = None,
                 dated_arrivals: dict[tuple[str, str], list[tuple[dt.date, int]]] | None = None) -> list[dict]:
    """Rows of the stock-health page, one per position of ``positions`` (see the module doc).

    ``receipts``: store_id, sku_id, received_on, quantity (recorded in shopops, and imported from
    the ERP's receipts: different deliveries, each counted once);
    ``open_po``: store_id, sku_id, open_quantity (sent or partly received POs);
    ``ordered_here``: (store, SKU) pairs with any PO line in shopops; ``lead_days``: per merchant code;
    ``erp_open_po`` / ``erp_ordered``: the same for PO lines imported from the ERP
    (``purchase_order_lines``). A SKU with POs in shopops or imported POs takes its in-transit from
    them (summed: different POs), else from the snapshot — never both.
    ``paths``: per (store, SKU) the forecast's daily demand from the day after ``day`` (without one the
    30-day average); ``dated_arrivals``: the open units of shopops' PO lines with their expected day. They
    drive the stock-out risk (module doc): ``risk_day`` (the first day, 1 = tomorrow, the walk runs short
    within the lead time, else None), ``risk_units`` / ``risk_days`` (units and days short over the lead
    time), ``risk_basis`` ("forecast" or "average")."""
    rec: dict[tuple[str, str], list[tuple[dt.date, int]]] = {}
    for r in receipts.itertuples(index=False):  # up to now: a delivery after the as-of day is on hand too
        rec.setdefault((r.store_id, r.sku_id), []).append((r.received_on, int(r.quantity)))
    open_map = {(r.store_id, r.sku_id): int(r.open_quantity) for r in open_po.itertuples(index=False)}
    erp_map = {} if erp_open_po is None else {
        (r.store_id, r.sku_id): int(r.open_quantity) for r in erp_open_po.itertuples(index=False)}
    rows = []
    for p in positions.itertuples(index=False):
        key = (p.store_id, p.sku_id)
        received_after = sum(q for d, q in rec.get(key, ()) if d > p.snapshot_date)
        on_hand = int(p.snapshot_on_hand) + received_after
        in_transit_erp = erp_map.get(key, 0) if key in erp_ordered else 0
        if key in ordered_here or key in erp_ordered:
            in_transit = (open_map.get(key, 0) if key in ordered_here else 0) + in_transit_erp
        else:
            in_transit = int(p.snapshot_in_transit)
        units_30, units_90 = int(p.units_30), int(p.units_90)
        demand = units_30 / WINDOW_DAYS
        cover = on_hand / demand if demand > 0 else None
        sold_and_left = units_30 + on_hand
        sell_through = units_30 / sold_and_left if sold_and_left else None
        stockout = int(p.stockout_days)
        instock = WINDOW_DAYS - stockout
        rate = units_30 / instock if instock > 0 else units_90 / HISTORY_DAYS
        lost_units = stockout * rate
        aged_units = min(on_hand, max(0, int(p.on_hand_aged_ago) - units_90))
        excess = on_hand - demand * rules.overstock_days if demand > 0 else on_hand
        excess_units = max(0, int(np.floor(excess)))
        lead = int(lead_days.get(p.merchant_code, rules.default_lead_days))
        slow = on_hand > 0 and (units_90 == 0 or (sell_through is not None and sell_through < rules.slow_sell_through
                                                  and cover is not None and cover > rules.slow_cover_days))
        path = (paths or {}).get(key)
        basis = "average" if path is None else "forecast"
        if path is None:
            path = np.full(lead, demand)
        fall = lead_time_shortfall(on_hand=on_hand, path=path, days=lead, arrivals=arrival_days(
            in_transit=in_transit, dated=(dated_arrivals or {}).get(key, ()), day=day))
        if on_hand == 0 and (demand > 0 or fall.stockout_day is not None):
            status = "stockout"
        elif fall.stockout_day is not None:
            status = "at_risk"
        elif slow:
            status = "slow"
        elif excess_units > 0 and on_hand > 0:
            status = "overstock"
        elif on_hand == 0 and units_90 == 0:
            status = "inactive"
        else:
            status = "healthy"
        actions: list[str] = []
        if status == "slow":
            if units_90 == 0:
                actions.append("stop_reordering")
            actions.append("clearance" if aged_units > 0 or units_90 == 0 else "bundle")
        elif status == "overstock":
            actions.append("clearance" if aged_units > 0 else "bundle")
        elif status in ("stockout", "at_risk"):
            actions.append("reorder")
        rows.append({
            "store_id": p.store_id, "sku_id": p.sku_id, "merchant_code": p.merchant_code, "product_id": p.product_id,
            "title": p.title, "spec": p.spec, "price": p.price, "cost": p.cost,
            "snapshot_date": p.snapshot_date, "on_hand": on_hand, "received_after_snapshot": received_after,
            "in_transit": in_transit, "in_transit_erp": in_transit_erp, "units_30": units_30, "units_90": units_90, "daily_demand": demand,
            "days_of_cover": cover, "sell_through": sell_through, "stockout_days": stockout,
            "lost_units": lost_units, "lost_sales": _money(p.price, lost_units),
            "aged_units": aged_units, "aged_value": _money(p.cost, aged_units),
            "excess_units": excess_units, "excess_value": _money(p.cost, excess_units),
            "lead_days": lead, "status": status, "actions": tuple(actions),
            "risk_day": fall.stockout_day, "risk_units": fall.lost_units, "risk_days": fall.lost_days,
            "risk_basis": basis,
        })
    return rows


def by_merchant_code(rows: list[dict], *, rules: HealthRules = HealthRules()) -> list[dict]:
    """The same numbers per merchant code across stores (one warehouse stocks every platform):
    sums add up, ratios are recomputed from the sums, the status is the worst of the stores'."""
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["merchant_code"] or r["sku_id"], []).append(r)
    out = []
    for code, members in groups.items():
        on_hand = sum(m["on_hand"] for m in members)
        units_30 = sum(m["units_30"] for m in members)
        demand = units_30 / WINDOW_DAYS
        total = units_30 + on_hand
        out.append({
            "merchant_code": code, "title": members[0]["title"], "spec": members[0]["spec"],
            "stores": sorted(m["store_id"] for m in members),
            "on_hand": on_hand, "in_transit": sum(m["in_transit"] for m in members), "units_30": units_30,
            "units_90": sum(m["units_90"] for m in members), "daily_demand": demand,
            "days_of_cover": on_hand / demand if demand > 0 else None,
            "sell_through": units_30 / total if total else None,
            "stockout_days": max(m["stockout_days"] for m in members),
            "lost_sales": sum((m["lost_sales"] for m in members), Decimal("0.00")),
            "aged_units": sum(m["aged_units"] for m in members),
            "aged_value": sum((m["aged_value"] for m in members), Decimal("0.00")),
            "excess_value": sum((m["excess_value"] for m in members), Decimal("0.00")),
            "status": min((m["status"] for m in members), key=STATUS_ORDER.index),
        })
    return out
