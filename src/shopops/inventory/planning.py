"""The engines over the warehouse: forecast, stock health, purchase suggestions and the pre-campaign
plan for the stores' series, in the shapes the inventory pages need (no Django: the app passes its
app-DB facts in — supplier terms, open PO quantities, planned promotion windows).

    fc = demand_forecast(end=day, level="merchant_code")                    # DemandForecast
    rows = stock_health(day=day, forecast=fc, level="merchant_code")        # one dict per series
    orders = purchase_suggestions(forecast=fc, stock=…, terms={id: SupplyTerms}, open_po={id: qty})
    lines = campaign_plan(forecast=fc, stock=…, terms=…, today=…, first=…, last=…)

The forecast's ``forecasts`` frame holds the daily (or weekly) means and intervals per series; its
``series`` frame the demand class, chosen model, backtest MASE (and seasonal naive's) and ``sigma``
(the forecast error sd per period) — what the stock pages show per SKU.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import numpy as np
import pandas as pd

from shopops.inventory import demand_data
from shopops.inventory.forecasting import CampaignWindow, DemandForecast, ForecastSettings, forecast_demand
from shopops.inventory.forecasting.festival_windows import festival_windows
from shopops.inventory.replenishment import ItemPlanInput, Policy, SupplierOrder, SupplyTerms, purchase_list
from shopops.inventory.stock_health import (
    days_of_cover, infer_receipts, sell_through, slow_mover, stock_age, stockouts,
)
from shopops.inventory.stocking_plan import CampaignStockInput, CampaignStockLine, campaign_stocking_plan

HISTORY_DAYS = 730


def default_windows(first: dt.date, last: dt.date) -> list[CampaignWindow]:
    """The festival calendar's windows (Tmall's typical schedule, 春节) over ``first``–``last``."""
    return festival_windows(first, last)


def demand_forecast(*, end: dt.date, level: str = "sku", freq: str = "D", horizon: int = 56,
                    stores: tuple[str, ...] = (), windows: list[CampaignWindow] | None = None,
                    extra_windows: list[CampaignWindow] = (), history_days: int = HISTORY_DAYS,
                    settings: ForecastSettings = ForecastSettings(), con=None) -> DemandForecast:
    """Forecast every series of ``stores`` (all: empty) from the last ``history_days`` up to ``end``.

    ``windows`` default to the festival calendar over the history and the horizon; ``extra_windows``
    (planned promotions: ``promotion_windows``) come first, so they win on the days they cover."""
    first = end - dt.timedelta(days=history_days - 1)
    daily = demand_data.daily_units(first=first, last=end, level=level, stores=stores, con=con)
    attrs = demand_data.item_attributes(level=level, stores=stores, con=con)
    starts = {}
    for r in attrs.itertuples():
        launched = r.launched_on if isinstance(r.launched_on, dt.date) and not pd.isna(r.launched_on) else None
        if launched is not None and launched <= end:
            starts[r.unique_id] = max(launched, first)
    if not daily.empty:
        sold = set(daily["unique_id"])
        starts = {k: v for k, v in starts.items() if k in sold or (end - v).days < history_days}
    span_days = horizon * (7 if freq == "W" else 1)
    if windows is None:
        windows = default_windows(first - dt.timedelta(days=60), end + dt.timedelta(days=span_days))
    return forecast_demand(daily, horizon=horizon, freq=freq, end=end, windows=[*extra_windows, *windows],
                           attributes=attrs, starts=starts, settings=settings)


def daily_path(forecast: DemandForecast, unique_id: str) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    """(daily means, daily uplift, daily sd) of one series; a weekly forecast is spread evenly over its days."""
    f = forecast.forecasts[forecast.forecasts["unique_id"] == unique_id]
    row = forecast.series[forecast.series["unique_id"] == unique_id]
    sigma = float(row["sigma"].iloc[0]) if len(row) else 0.0
    if forecast.freq == "W":
        means = tuple(float(x) / 7 for x in np.repeat(f["mean"].to_numpy(), 7))
        uplift = tuple(float(x) for x in np.repeat(f["uplift"].to_numpy(), 7))
        return means, uplift, sigma / np.sqrt(7)
    return tuple(f["mean"].astype(float)), tuple(f["uplift"].astype(float)), sigma


def _paths(forecast: DemandForecast) -> dict[str, tuple[np.ndarray, np.ndarray, float]]:
    f = forecast.forecasts
    n = forecast.horizon
    ids = f["unique_id"].to_numpy()[::n]
    means = f["mean"].to_numpy().reshape(-1, n)
    ups = f["uplift"].to_numpy().reshape(-1, n)
    sig = forecast.series.set_index("unique_id")["sigma"].reindex(ids).fillna(0.0).to_numpy()
    if forecast.freq == "W":
        means, ups, sig = np.repeat(means, 7, axis=1) / 7, np.repeat(ups, 7, axis=1), sig / np.sqrt(7)
    return {i: (means[k], ups[k], float(sig[k])) for k, i in enumerate(ids)}


def stock_health(*, day: dt.date, forecast: DemandForecast, level: str = "sku", stores: tuple[str, ...] = (),
                 lookback_days: int = 90, con=None) -> list[dict]:
    """One row per series with stock or sales: on_hand, in_transit, daily_forecast (next 28 days' mean),
    days_of_cover, sell_through and units_sold (look-back), stockout_days and lost_units (look-back;
    expected demand on a stock-out day = the forecast model's level, i.e. the series' mean daily
    demand on in-stock days), days_since_last_sale, age buckets (FIFO over receipts inferred from the
    snapshots), status (ok / slow / dead) and actions, demand_class, model, mase, mase_seasonal_naive."""
    first = day - dt.timedelta(days=lookback_days - 1)
    stock = demand_data.stock_on(day=day, level=level, stores=stores, con=con).set_index("unique_id")
    hist = demand_data.stock_history(first=day - dt.timedelta(days=365), last=day, level=level, stores=stores, con=con)
    sales = demand_data.daily_units(first=day - dt.timedelta(days=365), last=day, level=level, stores=stores, con=con)
    paths = _paths(forecast)
    series = forecast.series.set_index("unique_id")
    last_sale = sales[sales["y"] > 0].groupby("unique_id")["ds"].max()
    recent = sales[sales["ds"] >= first].groupby("unique_id")["y"].sum()
    sales_by = {k: g for k, g in sales.groupby("unique_id")}
    hist_by = {k: g for k, g in hist.groupby("unique_id")}
    ids = sorted(set(stock.index) | set(recent.index))
    out = []
    for uid in ids:
        on_hand = int(stock["on_hand"].get(uid, 0)) if uid in stock.index else 0
        in_transit = int(stock["in_transit"].get(uid, 0)) if uid in stock.index else 0
        path = paths.get(uid)
        daily = float(np.mean(path[0][:28])) if path is not None else 0.0
        sold = float(recent.get(uid, 0.0))
        h = hist_by.get(uid)
        s = sales_by.get(uid)
        outs = lost = 0.0
        ages = None
        if h is not None and len(h):
            snap_dates = np.array([d.toordinal() for d in h["ds"]])
            on_hand_hist = h["on_hand"].to_numpy(dtype=np.float64)
            if s is not None and len(s):
                s_days = np.array([d.toordinal() for d in s["ds"]])
                s_units = s["y"].to_numpy(dtype=np.float64)
                order = np.argsort(s_days, kind="stable")
                s_days, s_units = s_days[order], s_units[order]
                cum = np.cumsum(s_units)
            else:
                s_days, s_units, cum = np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
            recent_snaps = snap_dates >= first.toordinal()
            if recent_snaps.any():
                dates = snap_dates[recent_snaps]
                every = max(int(np.median(np.diff(dates))) if dates.size > 1 else 1, 1)
                by_day = dict(zip(s_days.tolist(), s_units.tolist()))
                sold_on = np.array([by_day.get(int(d), 0.0) for d in dates])  # units sold on each snapshot day
                oh = on_hand_hist[recent_snaps]
                so = stockouts(oh, sold_on)
                instock_rate = sold / max(lookback_days - so.days * every, 1)
                exp = np.full(dates.size, max(daily if daily > 0 else instock_rate, 0.0))
                so = stockouts(oh, sold_on, exp, every=every)
                outs, lost = so.days, so.lost_units
            # receipts from all snapshots of the year (units sold between consecutive snapshots)
            pos = np.searchsorted(s_days, snap_dates, side="right")
            upto = np.where(pos > 0, cum[np.maximum(pos - 1, 0)] if cum.size else 0.0, 0.0)
            sold_between = np.diff(upto, prepend=upto[0])
            rec = infer_receipts(on_hand_hist, sold_between)
            ages = stock_age(on_hand, [(dt.date.fromordinal(int(d)), int(q)) for d, q in zip(snap_dates, rec) if q > 0],
                             today=day)
        since = (day - last_sale[uid]).days if uid in last_sale.index else None
        cover = days_of_cover(on_hand, daily)
        st = sell_through(sold, on_hand)
        old_share = ((ages.get("91-180", 0) + ages.get(">180", 0)) / on_hand) if ages and on_hand else 0.0
        sm = slow_mover(on_hand=on_hand, days_since_last_sale=since, cover_days=cover, sell_through_ratio=st,
                        aged_over_90_share=old_share)
        meta = series.loc[uid] if uid in series.index else None
        out.append({
            "unique_id": uid, "on_hand": on_hand, "in_transit": in_transit, "daily_forecast": daily,
            "days_of_cover": cover, "units_sold": sold, "sell_through": st, "stockout_days": int(outs),
            "lost_units": float(lost), "days_since_last_sale": since, "age": ages, "status": sm.status,
            "actions": sm.actions,
            "demand_class": None if meta is None else meta["demand_class"],
            "model": None if meta is None else meta["model"],
            "mase": None if meta is None or pd.isna(meta["mase"]) else float(meta["mase"]),
            "mase_seasonal_naive": None if meta is None or pd.isna(meta["mase_seasonal_naive"])
            else float(meta["mase_seasonal_naive"]),
        })
    return out


def purchase_suggestions(*, forecast: DemandForecast, stock: pd.DataFrame, terms: dict[str, SupplyTerms],
                         open_po: dict[str, int] | None = None, prices: dict[str, Decimal] | None = None,
                         volumes: dict[str, float] | None = None, policy: Policy = Policy(),
                         budget: Decimal | None = None, capacity: float | None = None) -> list[SupplierOrder]:
    """The suggested purchase list by supplier for every series with supply ``terms``. ``stock``: the
    ``demand_data.stock_on`` frame; ``open_po``: remaining units on open POs per series (when the app
    knows its POs, they replace the snapshot's in-transit — never both)."""
    paths = _paths(forecast)
    st = stock.set_index("unique_id")
    items = []
    for uid, t in sorted(terms.items()):
        means, _ups, sd = paths.get(uid, (np.zeros(1), np.ones(1), 0.0))
        items.append(ItemPlanInput(
            uid, t, on_hand=int(st["on_hand"].get(uid, 0)) if uid in st.index else 0,
            daily_demand=tuple(float(x) for x in means), demand_sd=sd,
            open_po_qty=None if open_po is None else int(open_po.get(uid, 0)),
            in_transit=int(st["in_transit"].get(uid, 0)) if uid in st.index else 0,
            unit_price=(prices or {}).get(uid), unit_volume=(volumes or {}).get(uid, 1.0)))
    return purchase_list(items, policy=policy, budget=budget, capacity=capacity)


def campaign_plan(*, forecast: DemandForecast, stock: pd.DataFrame, terms: dict[str, SupplyTerms], today: dt.date,
                  first: dt.date, last: dt.date, open_po: dict[str, int] | None = None, service_level: float = 0.95,
                  post_days: int = 30) -> list[CampaignStockLine]:
    """The pre-campaign stocking plan for the window ``first``–``last`` (the forecast must reach
    ``last`` + ``post_days``; it is extended flat otherwise). Forecast ``end`` must be ``today``."""
    if forecast.end != today:
        raise ValueError(f"the forecast ends {forecast.end}; the plan needs one made up to today ({today})")
    paths = _paths(forecast)
    st = stock.set_index("unique_id")
    items = []
    for uid, t in sorted(terms.items()):
        means, ups, sd = paths.get(uid, (np.zeros(1), np.ones(1), 0.0))
        items.append(CampaignStockInput(
            uid, t, on_hand=int(st["on_hand"].get(uid, 0)) if uid in st.index else 0,
            daily_demand=tuple(float(x) for x in means), demand_sd=sd, uplift=tuple(float(x) for x in ups),
            open_po_qty=None if open_po is None else int(open_po.get(uid, 0)),
            in_transit=int(st["in_transit"].get(uid, 0)) if uid in st.index else 0))
    return campaign_stocking_plan(items, today=today, first=first, last=last, service_level=service_level,
                                  post_days=post_days)
