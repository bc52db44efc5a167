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


DATE_FORMATS = ("%d-%m-%Y", "%m-%d-%Y", "%d/%m/%Y", "%m/%d/%Y", "%Y/%m/%d", "%d.%m.%Y", "%Y%m%d")


def _parse_dates(text: pd.Series) -> pd.Series:
    """ISO dates (2025-01-31, with or without a time); else the one of ``DATE_FORMATS`` that reads every row
    (Walmart's store file writes 05-02-2010, day first); when several do (no day above 12), the one whose dates
    lie closest together (the largest gap between consecutive dates is the smallest: a regular series); else
    the format pandas infers from the first row. Rows no format reads are NaT (the caller names the first)."""
    dates = pd.to_datetime(text, errors="coerce", format="ISO8601")
    if not dates.isna().any():
        return dates
    best, best_key = dates, (int(dates.isna().sum()), np.inf)
    for fmt in DATE_FORMATS:
        d = pd.to_datetime(text, errors="coerce", format=fmt)
        bad = int(d.isna().sum())
        if bad > best_key[0]:
            continue
        u = np.sort(d.dropna().unique())
        gap = float(np.diff(u).max() / np.timedelta64(1, "D")) if u.size > 1 else 0.0
        if (bad, gap) < best_key:
            best, best_key = d, (bad, gap)
    if best_key[0]:
        other = pd.to_datetime(text, errors="coerce")
        if int(other.isna().sum()) < best_key[0]:
            best = other
    return best


def read_series(path: Path) -> pd.DataFrame:
    """The file as a long frame ``unique_id, ds, y`` (``ds`` a date). Errors name the file, the row (as a
    spreadsheet counts it: the header is row 1), the column, the value and what was expected. Values below 0
    (returns netted into sales, as in Walmart's weekly file) are kept; ``attrs["notes"]`` says how many."""
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"{path}: no such file")
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

    if not text.strip():
        raise ValueError(f"{path}: the file is empty; expected a header id,date,value and one row per series "
                         f"and period")
    try:
        frame = pd.read_csv(StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
    except pd.errors.ParserError as exc:
        raise ValueError(f"{path}: not a CSV table with columns id,date,value ({exc})") from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = {"id", "date", "value"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected id,date,value "
                         f"(found {', '.join(frame.columns)})")
    if frame.empty:
        raise ValueError(f"{path}: no rows after the header")
    ids = frame["id"].str.strip()
    if (ids == "").any():
        k = int(np.flatnonzero((ids == "").to_numpy())[0])
        raise ValueError(f"{path}: row {k + 2}, column id: empty series id")
    dates = _parse_dates(frame["date"].str.strip())
    if dates.isna().any():
        k = int(np.flatnonzero(dates.isna().to_numpy())[0])
        raise ValueError(f"{path}: row {k + 2}, column date: {frame['date'].iloc[k]!r} is not a date like 2025-01-31 "
                         f"(the file's first date is {frame['date'].iloc[0]!r})")
    values = pd.to_numeric(frame["value"].str.strip(), errors="coerce")
    bad = values.isna() | ~np.isfinite(values.fillna(0.0))
    if bad.any():
        k = int(np.flatnonzero(bad.to_numpy())[0])
        raise ValueError(f"{path}: row {k + 2}, column value: {frame['value'].iloc[k]!r} is not a number "
                         f"(units or sales of the period; a period without sales is 0 or no row)")
    out = pd.DataFrame({"unique_id": ids, "ds": dates.dt.date, "y": values.astype(float)})
    notes = []
    negative = int((out["y"] < 0).sum())
    if negative:
        k = int(np.flatnonzero((out["y"] < 0).to_numpy())[0])
        notes.append(f"note: {negative} value(s) below 0 (first: row {k + 2}, {frame['value'].iloc[k]!r}): the models "
                     f"see them as 0; the MASE scores the values as they are")
    dup = int(out.duplicated(["unique_id", "ds"]).sum())
    if dup:
        k = int(np.flatnonzero(out.duplicated(["unique_id", "ds"]).to_numpy())[0])
        notes.append(f"note: {dup} row(s) repeat a series and date (first: row {k + 2}); their values are summed")
    out.attrs["notes"] = notes
    return out


def backtest_scores(frame: pd.DataFrame, *, freq: str, horizon: int, settings=None) -> dict:
    """The held-out evaluation behind :func:`backtest`: per series the engine's forecast, the seasonal
    naive's, the actual values and the in-sample scale (numpy arrays ``[series, horizon]`` / ``[series]``)."""
    if freq not in ("D", "W"):
        raise ValueError(f"--freq must be D or W, got {freq!r}")
    if horizon < 1:
        raise ValueError(f"--horizon must be at least 1 period, got {horizon}")
    notes = list(frame.attrs.get("notes", []))
    step = 7 if freq == "W" else 1
    if freq == "D":
        days = pd.Series(pd.to_datetime(frame["ds"]).unique())
        if days.size >= 3 and days.dt.weekday.nunique() == 1:
            notes.append("note: every date falls on the same weekday: weekly values? (then --freq W); read as days "
                         "without sales in between")
    end = max(frame["ds"])
    cut = end - dt.timedelta(days=horizon * step)
    firsts = frame.groupby("unique_id")["ds"].min()
    starts = {k: d - dt.timedelta(days=step - 1) for k, d in firsts.items() if d <= cut}
    train = frame[(frame["ds"] <= cut) & frame["unique_id"].isin(starts)]
    if train.empty:
        raise ValueError(f"no series has history before the {horizon} held-out periods (the file runs "
                         f"{min(frame['ds'])} … {end}; hold out fewer periods or bring a longer history)")
    late = int(firsts.size - len(starts))
    if late:
        notes.append(f"note: {late} series start inside the held-out periods: not scored")
    if (train["y"] < 0).any():
        train = train.assign(y=train["y"].clip(lower=0.0))
    fc = forecast_demand(train, horizon=horizon, freq=freq, end=cut, starts=starts,
                         **({"settings": settings} if settings is not None else {}))
    ids = fc.series["unique_id"].to_numpy()
    idx = {k: i for i, k in enumerate(ids)}
    first = min(starts.values())
    n_in = ((cut - first).days + 1) // step
    n_all = n_in + horizon
    mat = np.zeros((len(ids), n_all))
    f = frame[frame["unique_id"].isin(idx)]
    delta = (pd.to_datetime(f["ds"]) - pd.Timestamp(cut)).dt.days.to_numpy()
    col = np.where(delta <= 0, n_in - 1 - (-delta) // step, n_in + (delta - 1) // step)
    ok = col >= 0
    np.add.at(mat, (f["unique_id"].map(idx).to_numpy()[ok], col[ok]), f["y"].to_numpy()[ok])
    start = np.array([max(n_in - 1 - (cut - starts[k]).days // step, 0) for k in ids])
    m = fc.season
    train_m, actual = mat[:, :n_in], mat[:, n_in:]
    scale = np.array([np.abs(train_m[i, start[i] + m:] - train_m[i, start[i]:n_in - m]).mean()
                      if n_in - start[i] > m else np.nan for i in range(len(ids))])
    naive = np.stack([np.resize(train_m[i, n_in - m:], horizon) for i in range(len(ids))])
    pred = fc.forecasts["mean"].to_numpy().reshape(len(ids), horizon)
    return {"ids": ids, "pred": pred, "naive": naive, "actual": actual, "scale": scale, "season": m, "forecast": fc,
            "notes": notes}


def backtest(frame: pd.DataFrame, *, freq: str, horizon: int) -> list[str]:
    r = backtest_scores(frame, freq=freq, horizon=horizon)
    pred, naive, actual, scale, m, fc = (r[k] for k in ("pred", "naive", "actual", "scale", "season", "forecast"))
    ids = r["ids"]
    ok = scale > 0
    if not ok.any():
        raise ValueError(f"no series can be scored: each has a zero or missing in-sample seasonal-naive error "
                         f"(constant, or shorter than the season {m} + 1 periods before the held-out ones)")
    chosen = (np.abs(pred - actual).mean(axis=1)[ok] / scale[ok]).mean()
    sn = (np.abs(naive - actual).mean(axis=1)[ok] / scale[ok]).mean()
    lines = [f"series: {len(ids)} ({int(ok.sum())} scored), held out: last {horizon} periods, season {m}", *r["notes"]]
    per_model = fc.model_mase.replace([np.inf, -np.inf], np.nan).dropna().groupby("model")["mase"].agg(["mean", "size"])
    for model, row in per_model.sort_values("mean").iterrows():
        lines.append(f"{model}: mean MASE {row['mean']:.3f} on the last backtest window ({int(row['size'])} series)")
    lines.append(f"chosen: mean MASE {chosen:.3f} (seasonal naive {sn:.3f})")
    return lines
