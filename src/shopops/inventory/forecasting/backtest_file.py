"""``shopops forecast backtest``: the forecaster on any history a user brings (pure).

A CSV with columns ``id,date,value`` (UTF-8 or GBK; one row per series and period; ``--freq W``:
weekly values dated on any one weekday). The last ``horizon`` periods are held out; the engine
(no campaign windows) forecasts them from the rest; each series' MASE is its MAE over the held-out
periods ÷ its in-sample seasonal-naive MAE (the season the engine used: 7 days, 52 weeks with two
years of weeks, else 1). Output: one line per candidate model with its mean MASE on the engine's
own last backtest window, then ``chosen: mean MASE x (seasonal naive y)`` over the held-out
periods — the mean over series of each series' MASE, series with a zero scale left out.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from shopops.inventory.forecasting.engine import forecast_demand


def read_series(path: Path) -> pd.DataFrame:
    path = Path(path)
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValueError(f"{path}: not UTF-8 or GBK text")
    from io import StringIO

    frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False)
    frame.columns = [c.strip().lower() for c in frame.columns]
    missing = {"id", "date", "value"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected id,date,value "
                         f"(found {', '.join(frame.columns)})")
    dates = pd.to_datetime(frame["date"], errors="coerce")
    values = pd.to_numeric(frame["value"], errors="coerce")
    for col, parsed, expected in (("date", dates, "a date like 2025-01-31"), ("value", values, "a number ≥ 0")):
        bad = parsed.isna() | ((parsed < 0) if col == "value" else False)
        if bad.any():
            k = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(f"{path}: row {k + 2}, column {col}: {frame[col].iloc[k]!r} is not {expected}")
    if (frame["id"].str.strip() == "").any():
        k = int(np.flatnonzero((frame["id"].str.strip() == "").to_numpy())[0])
        raise ValueError(f"{path}: row {k + 2}, column id: empty series id")
    return pd.DataFrame({"unique_id": frame["id"].str.strip(), "ds": dates.dt.date, "y": values.astype(float)})


def backtest_scores(frame: pd.DataFrame, *, freq: str, horizon: int, settings=None) -> dict:
    """The held-out evaluation behind :func:`backtest`: per series the engine's forecast, the seasonal
    naive's, the actual values and the in-sample scale (numpy arrays ``[series, horizon]`` / ``[series]``)."""
    step = 7 if freq == "W" else 1
    end = max(frame["ds"])
    cut = end - dt.timedelta(days=horizon * step)
    firsts = frame.groupby("unique_id")["ds"].min()
    starts = {k: d - dt.timedelta(days=step - 1) for k, d in firsts.items() if d <= cut}
    train = frame[(frame["ds"] <= cut) & frame["unique_id"].isin(starts)]
    if train.empty:
        raise ValueError(f"no series has history before the {horizon} held-out periods")
    fc = forecast_demand(train, horizon=horizon, freq=freq, end=cut, starts=starts,
                         **({"settings": settings} if settings is not None else {}))
    ids = fc.series["unique_id"].to_numpy()
    idx = {k: i for i, k in enumerate(ids)}
    first = min(starts.values())
    n_in = ((cut - first).days + 1) // step
    n_all = n_in + horizon
    mat = np.zeros((len(ids), n_all))
    f = frame[frame["unique_id"].isin(idx)]
    col = np.array([n_in - 1 - (cut - d).days // step if d <= cut else n_in + ((d - cut).days - 1) // step
                    for d in f["ds"]])
    ok = col >= 0
    np.add.at(mat, (f["unique_id"].map(idx).to_numpy()[ok], col[ok]), f["y"].to_numpy()[ok])
    start = np.array([max(n_in - 1 - (cut - starts[k]).days // step, 0) for k in ids])
    m = fc.season
    train_m, actual = mat[:, :n_in], mat[:, n_in:]
    scale = np.array([np.abs(train_m[i, start[i] + m:] - train_m[i, start[i]:n_in - m]).mean()
                      if n_in - start[i] > m else np.nan for i in range(len(ids))])
    naive = np.stack([np.resize(train_m[i, n_in - m:], horizon) for i in range(len(ids))])
    pred = fc.forecasts["mean"].to_numpy().reshape(len(ids), horizon)
    return {"ids": ids, "pred": pred, "naive": naive, "actual": actual, "scale": scale, "season": m, "forecast": fc}


def backtest(frame: pd.DataFrame, *, freq: str, horizon: int) -> list[str]:
    r = backtest_scores(frame, freq=freq, horizon=horizon)
    pred, naive, actual, scale, m, fc = (r[k] for k in ("pred", "naive", "actual", "scale", "season", "forecast"))
    ids = r["ids"]
    ok = scale > 0
    chosen = (np.abs(pred - actual).mean(axis=1)[ok] / scale[ok]).mean()
    sn = (np.abs(naive - actual).mean(axis=1)[ok] / scale[ok]).mean()
    lines = [f"series: {len(ids)} ({int(ok.sum())} scored), held out: last {horizon} periods, season {m}"]
    per_model = fc.model_mase.replace([np.inf, -np.inf], np.nan).dropna().groupby("model")["mase"].agg(["mean", "size"])
    for model, row in per_model.sort_values("mean").iterrows():
        lines.append(f"{model}: mean MASE {row['mean']:.3f} on the last backtest window ({int(row['size'])} series)")
    lines.append(f"chosen: mean MASE {chosen:.3f} (seasonal naive {sn:.3f})")
    return lines
