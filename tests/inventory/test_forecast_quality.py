"""Forecast quality floors, scored here with numpy against what really sold (never by the engine's
own numbers): on the demo store over three seeds neither tuning (7) nor the bench's reported figures
(11–13) used, and on real data (Online Retail, ../shared/data).

* the mean MASE over merchant codes (MAE ÷ in-sample seasonal-naive MAE) is not worse than the
  seasonal naive's by more than 5 % (the small demo sells ~0.3 units a day per code: at that
  sparsity the mean forecast can only gain a few per cent on MAE; docs/inventory.md explains);
* on a held-out 双11 the campaign windows cut the WAPE of units per category and day by a quarter
  or more against the same engine without windows;
* on Online Retail (the 300 and the 500 best sellers, daily, last 28 days held out) the mean MASE is at
  least 15 % below the seasonal naive's — beyond the issue's bar of 10 % (measured 0.79 and 0.74).
"""

from __future__ import annotations

import datetime as dt
import os
import statistics
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from shopops.inventory.forecasting import forecast_demand
from tests.support.demand_demo import demo_demand, demo_windows

END = dt.date(2025, 11, 30)
DAYS = 420
SEEDS = (21, 22, 23)
ORIGIN = dt.date(2025, 8, 3)
CAMPAIGN = (dt.date(2025, 10, 8), dt.date(2025, 10, 15), dt.date(2025, 11, 13))
# ../shared/data from the project root (as every test reads it); SHOPOPS_SHARED_DATA overrides (a worktree)
RETAIL = Path(os.environ.get("SHOPOPS_SHARED_DATA") or Path(__file__).resolve().parents[2].parent / "shared" / "data") \
    / "online_retail_uci" / "online_retail.csv.gz"


def _matrix(daily: pd.DataFrame, ids, first: dt.date, last: dt.date) -> np.ndarray:
    idx = {k: i for i, k in enumerate(ids)}
    out = np.zeros((len(ids), (last - first).days + 1))
    d = daily[(daily["ds"] >= first) & (daily["ds"] <= last) & daily["unique_id"].isin(idx)]
    np.add.at(out, (d["unique_id"].map(idx).to_numpy(), np.array([(x - first).days for x in d["ds"]], dtype=int)),
              d["y"].to_numpy())
    return out


def _mase(train: np.ndarray, start: np.ndarray, actual: np.ndarray, pred: np.ndarray, m: int = 7):
    t = train.shape[1]
    scale = np.array([np.abs(train[i, start[i] + m:] - train[i, start[i]:t - m]).mean() if t - start[i] > 2 * m
                      else np.nan for i in range(train.shape[0])])
    naive = np.stack([np.resize(train[i, t - m:], actual.shape[1]) for i in range(train.shape[0])])
    ok = scale > 0
    return (np.abs(pred - actual).mean(axis=1)[ok] / scale[ok]).mean(), \
        (np.abs(naive - actual).mean(axis=1)[ok] / scale[ok]).mean()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    root = tmp_path_factory.mktemp("demand")
    return [demo_demand(root, seed=s, end=END, days=DAYS) for s in SEEDS]


@pytest.mark.slow
def test_daily_mase_holds_against_seasonal_naive_over_seeds(seeds):
    first = END - dt.timedelta(days=DAYS - 1)
    ratios = []
    for dd in seeds:
        train = dd.daily[dd.daily["ds"] <= ORIGIN]
        starts = {k: v for k, v in dd.starts.items() if v <= ORIGIN}
        fc = forecast_demand(train, horizon=28, end=ORIGIN, windows=demo_windows(2024, 2025),
                             attributes=dd.attributes, starts=starts)
        keep = fc.series["demand_class"].to_numpy() != "new"
        ids = fc.series["unique_id"].to_numpy()[keep]
        pred = fc.forecasts["mean"].to_numpy().reshape(-1, 28)[keep]
        tr = _matrix(dd.daily, ids, first, ORIGIN)
        act = _matrix(dd.daily, ids, ORIGIN + dt.timedelta(days=1), ORIGIN + dt.timedelta(days=28))
        start = np.array([(max(dd.starts.get(k, first), first) - first).days for k in ids])
        engine, naive = _mase(tr, start, act, pred)
        ratios.append(engine / naive)
    assert statistics.mean(ratios) <= 1.05, ratios


@pytest.mark.slow
def test_campaign_windows_cut_the_error_on_a_held_out_double_11(seeds):
    cut, first, last = CAMPAIGN
    gains = []
    for dd in seeds:
        cats = dd.attributes.set_index("unique_id")["category"]
        train = dd.daily[dd.daily["ds"] <= cut]
        starts = {k: v for k, v in dd.starts.items() if v <= cut}
        actual = dd.daily[(dd.daily["ds"] >= first) & (dd.daily["ds"] <= last)]
        act = actual.assign(cat=actual["unique_id"].map(cats)).groupby(["cat", "ds"])["y"].sum()
        wape = {}
        for label, windows in (("with", demo_windows(2024, 2025)), ("without", [])):
            fc = forecast_demand(train, horizon=(last - cut).days, end=cut, windows=windows,
                                 attributes=dd.attributes, starts=starts)
            f = fc.forecasts[(fc.forecasts["ds"] >= first) & (fc.forecasts["ds"] <= last)]
            pred = f.assign(cat=f["unique_id"].map(cats)).groupby(["cat", "ds"])["mean"].sum()
            both = pd.concat([pred.rename("p"), act.rename("a")], axis=1).fillna(0.0)
            wape[label] = float(np.abs(both["p"] - both["a"]).sum() / both["a"].sum())
        gains.append(wape["with"] / wape["without"])
        assert wape["with"] < 0.4, wape
    assert statistics.mean(gains) <= 0.75, gains


@pytest.mark.slow
def test_online_retail_beats_seasonal_naive_by_ten_percent():
    if not RETAIL.exists():
        pytest.skip(f"the shared data folder is absent ({RETAIL})")
    r = pd.read_csv(RETAIL, dtype={"InvoiceNo": str, "StockCode": str}, usecols=["InvoiceNo", "StockCode", "Quantity",
                                                                                  "InvoiceDate"])
    r = r[~r["InvoiceNo"].str.startswith("C") & (r["Quantity"] > 0)]
    r["ds"] = pd.to_datetime(r["InvoiceDate"]).dt.date
    every = r.groupby(["StockCode", "ds"], as_index=False)["Quantity"].sum().rename(
        columns={"StockCode": "unique_id", "Quantity": "y"})
    ranked = every.groupby("unique_id")["y"].sum().sort_values(ascending=False, kind="stable").index
    for n in (300, 500):
        top = ranked[:n]
        daily = every[every["unique_id"].isin(top)]
        first, end = daily["ds"].min(), daily["ds"].max()
        cut = end - dt.timedelta(days=28)
        fc = forecast_demand(daily[daily["ds"] <= cut], horizon=28, end=cut, starts={k: first for k in top})
        ids = fc.series["unique_id"].to_numpy()
        pred = fc.forecasts["mean"].to_numpy().reshape(-1, 28)
        tr = _matrix(daily, ids, first, cut)
        act = _matrix(daily, ids, cut + dt.timedelta(days=1), end)
        engine, naive = _mase(tr, np.zeros(len(ids), dtype=int), act, pred)
        assert engine <= 0.85 * naive, (n, engine, naive)
