"""The forecast as the default demo's pages get it: one year of history, listing dates before the data
(``planning.demand_forecast`` clips them at 730 days back), festival-calendar windows — scored on the next 56
days, which the demo generator writes too (its run goes 56 days past the origin; the engine sees only the year up
to it). docs/inventory.md, "The one-year demo's ×3".

    .venv/bin/python bench/inventory_forecast_oneyear.py                # dev seeds 7 and 11
    .venv/bin/python bench/inventory_forecast_oneyear.py --seeds 7

Per seed and level (merchant codes; store SKUs), over the **volume series** (≥ 1 unit a day over the 56 days up
to the origin) and over every series with demand: forecast ÷ actual units over the first 14 and all 56 days,
and the share of held-out days inside the daily 80 % / 95 % intervals and of held-out weeks inside the forecast
page's weekly 80 % interval (``selectors.series_forecast``: ±z·√(Σsd² + (σ·Σuplift/2)²)). Numpy/pandas only
on the scoring side. Generated stores are cached under ``SHOPOPS_EVAL_DIR`` (default ``/tmp/shopops-eval``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from statistics import NormalDist

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

from shopops.inventory.forecasting import forecast_demand  # noqa: E402
from shopops.inventory.planning import HISTORY_DAYS, default_windows  # noqa: E402
from tests.support.demand_demo import demo_demand  # noqa: E402

ORIGIN = dt.date(2026, 12, 5)  # the sixth session's demo day: the day after 双12's warm-up starts
HISTORY = 365
HORIZON = 56


def score(seed: int, level: str, root: Path) -> dict:
    dd = demo_demand(root, seed=seed, end=ORIGIN + dt.timedelta(days=HORIZON), days=HISTORY + HORIZON, level=level)
    data_first = ORIGIN - dt.timedelta(days=HISTORY - 1)
    first = ORIGIN - dt.timedelta(days=HISTORY_DAYS - 1)
    # the page's starts: a listing date before the data is clipped at 730 days back, not at the data's first day
    starts = {k: (first if v <= data_first else v) for k, v in dd.starts.items() if v <= ORIGIN}
    windows = default_windows(first - dt.timedelta(days=60), ORIGIN + dt.timedelta(days=HORIZON))
    fc = forecast_demand(dd.daily[dd.daily["ds"] <= ORIGIN], horizon=HORIZON, freq="D", end=ORIGIN, windows=windows,
                         attributes=dd.attributes, starts=starts)
    ids = fc.series["unique_id"].to_numpy()
    f = fc.forecasts
    if not np.array_equal(f["unique_id"].to_numpy()[::HORIZON], ids):
        raise RuntimeError("forecast rows are not in the series' order")

    def units(a: dt.date, days: int) -> np.ndarray:
        span = [a + dt.timedelta(days=k) for k in range(days)]
        d = dd.daily[dd.daily["ds"].isin(set(span))]
        return d.pivot_table(index="unique_id", columns="ds", values="y", aggfunc="sum").reindex(
            index=ids, columns=span).fillna(0.0).to_numpy()

    actual = units(ORIGIN + dt.timedelta(days=1), HORIZON)
    before = units(ORIGIN - dt.timedelta(days=55), 56)
    col = {c: f[c].to_numpy().reshape(-1, HORIZON)
           for c in ("mean", "lo_80", "hi_80", "lo_95", "hi_95", "uplift", "sd")}
    sigma = fc.series["sigma"].to_numpy()[:, None]
    z80 = NormalDist().inv_cdf(0.9)
    out = {}
    sets = (("volume", before.mean(axis=1) >= 1.0), ("all", fc.series["demand_class"].to_numpy() != "inactive"))
    for name, sel in sets:
        m, a = col["mean"][sel], actual[sel]
        inside = {lvl: ((a >= col[f"lo_{lvl}"][sel] - 1e-9) & (a <= col[f"hi_{lvl}"][sel] + 1e-9)).mean()
                  for lvl in (80, 95)}
        wm = m.reshape(-1, 8, 7).sum(axis=2)
        wa = a.reshape(-1, 8, 7).sum(axis=2)
        wsd = np.sqrt((col["sd"][sel].reshape(-1, 8, 7) ** 2).sum(axis=2)
                      + (0.5 * sigma[sel] * col["uplift"][sel].reshape(-1, 8, 7).sum(axis=2)) ** 2)
        week = ((wa >= np.maximum(wm - z80 * wsd, 0) - 1e-9) & (wa <= wm + z80 * wsd + 1e-9)).mean()
        out[name] = {"series": int(sel.sum()), "ratio_14": m[:, :14].sum() / max(a[:, :14].sum(), 1e-9),
                     "ratio_56": m.sum() / max(a.sum(), 1e-9), "cover_80": inside[80], "cover_95": inside[95],
                     "week_cover_80": week}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default="7,11", help="dev seeds only (7, 11-16, 31-33); never the held-out ones")
    ap.add_argument("--eval-dir", default=None)
    args = ap.parse_args()
    root = Path(args.eval_dir or os.environ.get("SHOPOPS_EVAL_DIR", "/tmp/shopops-eval")) / "inventory"
    for seed in (int(s) for s in args.seeds.split(",")):
        for level in ("merchant_code", "sku"):
            for name, r in score(seed, level, root).items():
                print(f"seed {seed:5d} {level:13s} {name:6s} series {r['series']:5d}  forecast/actual d1-14 "
                      f"{r['ratio_14']:.3f} d1-56 {r['ratio_56']:.3f}  daily 80 % {r['cover_80']:.3f} 95 % "
                      f"{r['cover_95']:.3f}  weekly 80 % {r['week_cover_80']:.3f}", flush=True)


if __name__ == "__main__":
    main()
