"""The demand forecast: classify, backtest, choose per series, forecast — column-wise.

``forecast_demand(history, freq="D"|"W", horizon=…)`` takes daily units per series (long frame
``unique_id, ds, y``; days without a row sold nothing) and returns a :class:`DemandForecast`:
the forecast per series and period with prediction intervals, and one row per series with its
demand class, chosen model and backtest error. Steps (docs/inventory.md explains the choices):

1. **Matrix.** Series become rows of a ``[n, T]`` daily matrix from each series' start (its
   ``starts`` date or first sale) to the common ``end``; NaN before the start.
2. **Campaign uplift** (daily, :mod:`.uplift`): learned from past ``windows``; history on
   campaign days is divided by it before fitting (so 双11 does not teach a model that every
   Tuesday is 双11) and future campaign days are multiplied by it.
3. **Weekly** (``freq="W"``): the cleaned days are summed into weeks ending on ``end``'s weekday.
4. **Classify** (:mod:`.classify`) on the last year: smooth / erratic / intermittent / lumpy /
   new / inactive.
5. **Backtest + choose.** Per class, one ``StatsForecast.cross_validation`` call runs the class's
   candidate models over all its series (rolling origin: ``backtest_windows`` windows of
   ``horizon`` periods). A series' model is chosen on every window but the last (the class's
   best model; the series' own best only with ``per_series_switch``), and scored on the last window,
   which the choice never saw: MASE = MAE ÷ in-sample seasonal-naive MAE, beside the seasonal
   naive's own MASE on that window.
   Daily flat-level models are shaped by the class's pooled weekday profile (8 weeks); short-memory
   models by the yearly index (weekly: one per week of the horizon).
   Weekly with a yearly season, numpy candidates beside them: the seasonal profile (the same weeks of
   earlier years, smoothed over neighbouring weeks, re-levelled to the recent weeks; ``_seasonal_profile``).
6. **Forecast.** Per class one ``forecast`` call; each series keeps its chosen model's column.
   Intervals: ± z·sd (clipped at 0), sd = σ times the uplift, where σ is the RMS error of the chosen model
   over all backtest windows, but at least √mean (the Poisson noise of the period's forecast). New products: the mean demand of similar products
   (category, price band) in their first weeks, blended with their own first days.
"""

from __future__ import annotations

import datetime as dt
import time
import warnings
from dataclasses import dataclass, field, replace
from statistics import NormalDist

import numpy as np
import pandas as pd

from shopops.inventory.forecasting import demand_class as cls
from shopops.inventory.forecasting.uplift import CampaignWindow, UpliftModel, learn_uplift, multipliers

SEASONAL_NAIVE = "SeasonalNaive"
ZERO = "Zero"
PEERS = "SimilarProducts"
ENSEMBLE = "Combination"  # the mean of the class's models but seasonal naive
ENSEMBLE_ALL = "CombinationSN"  # the mean of all the class's models, seasonal naive included
ENSEMBLE_BEST = "CombinationBest3"  # the mean of the class's three best models on the choosing windows
PROFILE = "SeasonalProfile"  # weekly: the same weeks of earlier years, smoothed and re-levelled (multiplicative)
PROFILE_ADD = "SeasonalProfileAdditive"  # the same, re-levelled by the difference of the recent weeks' mean
PROFILE_MIX = "SeasonalProfileMix"  # the mean of the two
PROFILE_LEVEL = "SeasonalProfileLevel"  # half the profile, half the class's level models (a weak season)
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass(frozen=True, slots=True)
class ForecastSettings:
    season_daily: int = 7
    season_weekly: int = 52
    backtest_windows: int = 3  # rolling origins; the last one scores, the others choose
    lookback_days: int = 365  # classification and peers look at this much recent history
    min_history_days: int = 56  # shorter (after the backtest windows) -> "new"
    # per-series choice: a series may leave its class's best model when its own best is >10 % better
    # on the choosing windows. Off by default: on sparse series it picks noise (measured, docs/inventory.md:
    # class-level choice was better on Online Retail and on the demo's December, equal in summer)
    per_series_switch: bool = False
    switch_margin: float = 0.10
    theta_max_series: int = 300  # Theta costs ~20 ms a series here: only for this many smooth series
    ets_max_series: int = 0  # AutoETS costs ~0.3 s a series: off by default
    levels: tuple[int, ...] = (80, 95)
    poisson_floor: bool = True  # a period's interval sd is at least √mean (Poisson noise of the forecast level)
    n_jobs: int = 1
    uplift_shrink_units: float = 30.0
    new_product_days: int = 56  # peers' first weeks after launch
    new_blend_days: float = 14.0  # a new series' own rate weighs days / (days + this)
    new_peer_count: int = 5  # peers: the nearest in price (log) within the category
    fit_days: int = 455  # models are fitted on this much recent history (a year and the backtest windows)
    yearly_index: bool = True  # scale short-memory models by the category's same-season change a year ago
    yearly_shrink_units: float = 20.0
    # the index from series that existed over the whole year-ago span only (a product launched inside it reads as
    # a rise of its category). Off: on the dev seed 7 the long tail's summer daily ratio went 0.988 -> 1.083
    # (seed 11: 0.996 -> 0.993; the volume set unchanged), docs/inventory.md
    yearly_established_only: bool = False
    # weekly: the yearly index per week of the horizon (last year's December weeks differ from its January ones;
    # measured: weekly December 1.066 -> 1.04 of seasonal naive on the tuning seed); daily keeps one level
    # (per-week blocks there were 0.01 worse: noisier)
    yearly_index_blocks: bool = True
    # daily: WindowAverage, SES, Croston, TSB, ADIDA forecast a flat level; the class's pooled weekday profile
    # over the last ``weekday_weeks`` weeks shapes it (Online Retail sells nothing on Saturdays)
    weekday_profile: bool = True
    weekday_weeks: int = 8
    weekday_shrink_units: float = 0.0  # > 0: each series' own profile weighs units / (units + this)
    # also the mean of every model and of the class's three best as candidates (measured: no gain on the tuning
    # seed nor on Online Retail's dev products; off)
    combinations: bool = False
    # weekly with a yearly season: the seasonal profile models (``_seasonal_profile``): the same weeks of every
    # earlier year (up to ``profile_years``), each smoothed over its neighbouring weeks (¼ ½ ¼: a holiday that
    # moves by a week between years) and re-levelled by the ratio of the last ``profile_recent`` weeks to the same
    # weeks that year (pseudo-count ``profile_pseudo`` units on both sides), averaged over the years
    seasonal_profile: bool = True
    profile_years: int = 3
    profile_recent: int = 13
    profile_pseudo: float = 3.0


@dataclass
class DemandForecast:
    freq: str
    horizon: int
    end: dt.date
    forecasts: pd.DataFrame  # unique_id, ds, mean, lo_<l>, hi_<l>, uplift, sd (the interval's sd per period)
    series: pd.DataFrame  # unique_id, demand_class, adi, cv2, model, mase, mase_seasonal_naive, history, sigma, daily_mean
    uplift: UpliftModel
    model_mase: pd.DataFrame  # unique_id, model, mase on the scoring window (every candidate of its class)
    timings: dict[str, float] = field(default_factory=dict)
    season: int = 7  # the season length the models and the MASE scale used (periods)

    def chosen_mean_mase(self) -> tuple[float, float, int]:
        """(mean MASE of the chosen models, of seasonal naive, series scored) over the scored series."""
        s = self.series.dropna(subset=["mase", "mase_seasonal_naive"])
        return float(s["mase"].mean()), float(s["mase_seasonal_naive"].mean()), len(s)


def _candidates(demand_class: str, season: int, n_series: int, settings: ForecastSettings, weekly: bool):
    from statsforecast.models import (ADIDA, TSB, AutoETS, CrostonSBA, SeasonalExponentialSmoothingOptimized,
                                      SeasonalNaive, SeasonalWindowAverage, SimpleExponentialSmoothingOptimized, Theta,
                                      WindowAverage)

    window = 8 if weekly else 28
    models = [SeasonalNaive(season_length=season)]
    if demand_class in (cls.SMOOTH, cls.ERRATIC):
        models += [SeasonalWindowAverage(season_length=season, window_size=2 if weekly else 4),
                   SeasonalExponentialSmoothingOptimized(season_length=season),
                   SimpleExponentialSmoothingOptimized(), WindowAverage(window_size=window)]
        if demand_class == cls.SMOOTH and n_series <= settings.theta_max_series:
            models.append(Theta(season_length=season))
        if n_series <= settings.ets_max_series:
            models.append(AutoETS(season_length=season))
    else:  # intermittent, lumpy
        models += [CrostonSBA(), TSB(alpha_d=0.1, alpha_p=0.1), ADIDA(), WindowAverage(window_size=window)]
    return models


def _matrix(history: pd.DataFrame, end: dt.date, starts: dict[str, dt.date] | None, period_days: int = 1):
    """Column-wise: day numbers as int64 (no per-row Python), ``np.add.at`` into ``[n, T]``."""
    uid = history["unique_id"].to_numpy()
    if pd.api.types.infer_dtype(uid, skipna=False) != "string":  # a C scan; astype(str) only when needed
        uid = history["unique_id"].astype(str).to_numpy()
    day = pd.to_datetime(history["ds"]).to_numpy().astype("datetime64[D]").astype(np.int64)
    y_in = history["y"].to_numpy(dtype=np.float64)
    bad = np.flatnonzero(np.isnan(y_in) | (y_in < 0))
    if bad.size:
        k = bad[0]
        what = "empty value" if np.isnan(y_in[k]) else f"negative units {y_in[k]}"
        raise ValueError(f"demand history: {what} for series {uid[k]!r} on {dt.date.fromordinal(int(day[k]) + 719163)}")
    end_n = (end - dt.date(1970, 1, 1)).days
    keep = day <= end_n
    uid, day, y_in = uid[keep], day[keep], y_in[keep]
    inv, codes = pd.factorize(uid)  # hashing: faster than sorting millions of strings
    codes = np.asarray(codes, dtype=object)
    first_any = np.full(codes.size, np.iinfo(np.int64).max)
    np.minimum.at(first_any, inv, day)
    first_sale = np.full(codes.size, np.iinfo(np.int64).max)
    pos = y_in > 0
    np.minimum.at(first_sale, inv[pos], day[pos])
    start_of = {c: int(first_sale[k] if first_sale[k] != np.iinfo(np.int64).max else first_any[k])
                for k, c in enumerate(codes)}
    # a listing date before the data's first period (the one ending on the earliest day of ``history``: weekly
    # files date a week on its last day) says nothing about the days before the data: the series starts with the
    # data (a year of "no sales" before a one-year store's data read as zeros: the yearly index then tripled
    # every forecast, docs/inventory.md)
    data_first = int(day.min()) - (period_days - 1) if day.size else end_n
    for i, d in (starts or {}).items():
        if d is not None and not pd.isna(d):
            start_of[str(i)] = max((d - dt.date(1970, 1, 1)).days, data_first)
    ids = sorted(start_of)
    start_n = np.array([min(start_of[i], end_n) for i in ids], dtype=np.int64)
    origin_n = int(start_n.min()) if len(ids) else end_n
    origin = dt.date(1970, 1, 1) + dt.timedelta(days=origin_n)
    t_days = end_n - origin_n + 1
    y = np.zeros((len(ids), t_days))
    position = {i: k for k, i in enumerate(ids)}
    row_of_code = np.array([position[c] for c in codes], dtype=np.int64)
    cols = day - origin_n
    ok = cols >= 0
    np.add.at(y, (row_of_code[inv][ok], cols[ok]), y_in[ok])
    start_col = start_n - origin_n
    y[np.arange(t_days)[None, :] < start_col[:, None]] = np.nan
    return np.array(ids, dtype=object), origin, y, start_col


def _to_weeks(y: np.ndarray, end: dt.date) -> tuple[np.ndarray, list[dt.date]]:
    """Sum days into weeks ending on ``end``'s weekday; a week is kept for a series only when
    the series existed on all of its days (NaN otherwise)."""
    n, t_days = y.shape
    weeks = t_days // 7
    tail = y[:, t_days - weeks * 7:]
    w = tail.reshape(n, weeks, 7).sum(axis=2)  # NaN if any day is NaN
    labels = [end - dt.timedelta(days=7 * (weeks - 1 - k)) for k in range(weeks)]
    return w, labels


def _long(values: np.ndarray, codes: np.ndarray, labels: list, starts: np.ndarray) -> pd.DataFrame:
    n, t = values.shape
    keep = np.arange(t)[None, :] >= starts[:, None]
    r, c = np.nonzero(keep)
    return pd.DataFrame({"unique_id": codes[r], "ds": pd.to_datetime(np.array(labels, dtype="datetime64[D]")[c]),
                         "y": values[r, c]})


def _scale(values: np.ndarray, starts: np.ndarray, season: int, upto: int) -> np.ndarray:
    """In-sample seasonal-naive MAE per row over columns [start, upto)."""
    n, t = values.shape
    out = np.full(n, np.nan)
    if upto - season <= 0:
        return out
    diff = np.abs(values[:, season:upto] - values[:, :upto - season])
    cols = np.arange(season, upto)[None, :]
    ok = (cols - season >= starts[:, None]) & ~np.isnan(diff)
    cnt = ok.sum(axis=1)
    s = np.where(ok, diff, 0.0).sum(axis=1)
    out = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
    return out


def forecast_demand(history: pd.DataFrame, *, horizon: int, freq: str = "D", end: dt.date | None = None,
                    windows: list[CampaignWindow] = (), attributes: pd.DataFrame | None = None,
                    starts: dict[str, dt.date] | None = None,
                    settings: ForecastSettings = ForecastSettings()) -> DemandForecast:
    """Forecast ``horizon`` periods (days or weeks) after ``end`` (default: the last day in ``history``).

    ``attributes`` (optional, indexed by or with a ``unique_id`` column): ``category`` and ``price``
    (a float is fine: only its band within the category is used) for the uplift's category level
    and for new products' peers. ``starts``: the day each series started (listing date), so a
    product that has sold nothing since its launch counts its empty days."""
    if freq not in ("D", "W"):
        raise ValueError(f"freq must be 'D' or 'W', got {freq!r}")
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    missing = {"unique_id", "ds", "y"} - set(history.columns)
    if missing:
        raise ValueError(f"demand history lacks column(s) {', '.join(sorted(missing))}; expected unique_id, ds, y")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    if end is None:
        if history.empty:
            raise ValueError("demand history is empty and no end date was given")
        end = pd.to_datetime(history["ds"]).max().date()
    ids, origin, y, start_col = _matrix(history, end, starts, period_days=7 if freq == "W" else 1)
    n = ids.size
    cats, price, groups = _attributes(ids, attributes)
    weekly = freq == "W"
    timings["matrix"] = time.perf_counter() - t0

    # campaign uplift (daily)
    t = time.perf_counter()
    windows = list(windows)
    model = learn_uplift(y, start=origin, ids=ids, categories=cats, windows=windows,
                         shrink_units=settings.uplift_shrink_units) if windows else UpliftModel()
    hist_mult = multipliers(model, start=origin, days=y.shape[1], ids=ids, categories=cats, windows=windows) \
        if windows and n else np.ones_like(y)
    clean = y / hist_mult
    fut_days = horizon * (7 if weekly else 1)
    fut_mult = multipliers(model, start=end + dt.timedelta(days=1), days=fut_days, ids=ids, categories=cats,
                           windows=windows) if windows and n else np.ones((n, fut_days))
    timings["uplift"] = time.perf_counter() - t

    if weekly:
        values, labels = _to_weeks(clean, end)
        starts_p = np.argmax(~np.isnan(values), axis=1)
        starts_p[np.isnan(values).all(axis=1)] = values.shape[1]
        season = settings.season_weekly
        # a year of weeks is the season when most series hold two years (or a year and the backtest windows);
        # the backtest then keeps as many windows (at most ``backtest_windows``, at least 1) as leave each of
        # their origins a year and four weeks of history
        med = float(np.median(values.shape[1] - starts_p)) if n else 0.0
        if med < min(2 * season, season + 1 + settings.backtest_windows * horizon):
            season = 1
        else:
            k_fit = int(max(1, min(settings.backtest_windows, (med - season - 4) // horizon)))
            if k_fit != settings.backtest_windows:
                settings = replace(settings, backtest_windows=k_fit)
        fut_labels = [end + dt.timedelta(days=7 * (k + 1)) for k in range(horizon)]
        fut_factor = fut_mult.reshape(n, horizon, 7).mean(axis=2)
        lookback = max(settings.lookback_days // 7, 1)
        min_hist = max(settings.min_history_days // 7, season + 1) + settings.backtest_windows * horizon
        per_day = 7.0
    else:
        values, labels = clean, [origin + dt.timedelta(days=k) for k in range(y.shape[1])]
        starts_p = start_col
        season = settings.season_daily
        fut_labels = [end + dt.timedelta(days=k + 1) for k in range(horizon)]
        fut_factor = fut_mult
        lookback = settings.lookback_days
        min_hist = max(settings.min_history_days, season + 1) + settings.backtest_windows * horizon
        per_day = 1.0
    t_len = values.shape[1]
    history_len = t_len - starts_p
    # short histories (a user's file of a few months): fewer backtest windows (at least one) and a shorter
    # minimum before them (two seasons), rather than every series "new"
    med_len = float(np.median(history_len)) if n else 0.0
    if n and med_len < min_hist:
        k_now = settings.backtest_windows
        base = min_hist - k_now * horizon
        k_fit = int(max(1, min(k_now, (med_len - base) // horizon)))
        base = int(min(base, max(2 * season, season + 2, med_len - k_fit * horizon)))
        if k_fit != k_now:
            settings = replace(settings, backtest_windows=k_fit)
        min_hist = base + k_fit * horizon
    recent = values[:, max(t_len - lookback, 0):]
    demand_class = cls.classify(recent, history_len, min_history=min_hist)
    adi, cv2 = cls.adi_cv2(recent)

    year = 52 if weekly else 364  # 364: a year ago on the same weekday

    def year_index(cutoff: int) -> np.ndarray:
        if not settings.yearly_index:
            return np.ones((n, horizon))
        block = 1 if weekly and settings.yearly_index_blocks else horizon
        return _yearly_index(values, [cats, groups], year=year, recent=4 if weekly else 28, horizon=horizon, cutoff=cutoff,
                             shrink=settings.yearly_shrink_units, block=block,
                             starts=starts_p if settings.yearly_established_only else None)

    mean = np.zeros((n, horizon))
    sigma = np.zeros(n)
    chosen = np.array([ZERO] * n, dtype=object)
    mase = np.full(n, np.nan)
    mase_sn = np.full(n, np.nan)
    per_model_rows: list[pd.DataFrame] = []
    codes = np.arange(n)
    t = time.perf_counter()
    for c in (cls.SMOOTH, cls.ERRATIC, cls.INTERMITTENT, cls.LUMPY):
        rows = np.flatnonzero(demand_class == c)
        if rows.size == 0:
            continue
        res = _fit_class(values[rows], starts_p[rows], codes[rows], labels, c, season, horizon, weekly, settings,
                         index_of=lambda cutoff, rows=rows: year_index(cutoff)[rows])
        mean[rows] = res["mean"]
        sigma[rows] = res["sigma"]
        chosen[rows] = res["model"]
        mase[rows] = res["mase"]
        mase_sn[rows] = res["mase_sn"]
        pm = res["per_model"]
        pm["unique_id"] = ids[rows][pm.pop("row").to_numpy()]
        per_model_rows.append(pm)
    timings["backtest_and_forecast"] = time.perf_counter() - t

    new_rows = np.flatnonzero(demand_class == cls.NEW)
    if new_rows.size:
        rate = _peer_rates(values, starts_p, new_rows, demand_class, cats, price, settings, per_day, weekly)
        mean[new_rows] = rate[:, None]
        if not weekly and settings.weekday_profile and t_len >= 14:  # the new series' pooled weekday profile
            weekday_of = np.array([d.weekday() for d in labels])
            prof = _weekday_profile(values[new_rows], weekday_of, t_len, min(settings.weekday_weeks, t_len // 7))
            mean[new_rows] = mean[new_rows] * prof[:, (weekday_of[t_len - 1] + 1 + np.arange(horizon)) % 7]
        sigma[new_rows] = np.sqrt(rate + 0.25 * rate ** 2)
        chosen[new_rows] = PEERS

    # uplift on the future and intervals
    mean_out = mean * fut_factor
    # a period's sd: the backtest's RMS error times the uplift, at least the Poisson noise of the period's mean
    # (the backtest's few windows can miss it: the demo's 80 % intervals held 59-72 % of held-out days without)
    sd = np.sqrt(np.maximum((sigma[:, None] * fut_factor) ** 2, mean_out)) if settings.poisson_floor \
        else sigma[:, None] * fut_factor
    frame = {"unique_id": np.repeat(ids, horizon), "ds": np.tile(np.array(fut_labels, dtype=object), n),
             "mean": mean_out.ravel(), "uplift": fut_factor.ravel(), "sd": sd.ravel()}
    for lvl in settings.levels:
        z = NormalDist().inv_cdf(0.5 + lvl / 200.0)
        half = z * sd
        frame[f"lo_{lvl}"] = np.maximum(mean_out - half, 0.0).ravel()
        frame[f"hi_{lvl}"] = (mean_out + half).ravel()
    forecasts = pd.DataFrame(frame)
    recent_daily = np.nanmean(np.where(np.isnan(recent), np.nan, recent), axis=1) / per_day \
        if recent.size else np.zeros(n)
    series = pd.DataFrame({
        "unique_id": ids, "demand_class": demand_class, "adi": adi, "cv2": cv2, "model": chosen,
        "mase": mase, "mase_seasonal_naive": mase_sn, "history": history_len, "sigma": sigma,
        "daily_mean": np.nan_to_num(recent_daily, nan=0.0),
    })
    model_mase = pd.concat(per_model_rows, ignore_index=True) if per_model_rows else \
        pd.DataFrame(columns=["unique_id", "model", "mase"])
    timings["total"] = time.perf_counter() - t0
    return DemandForecast(freq=freq, horizon=horizon, end=end, forecasts=forecasts, series=series, uplift=model,
                          model_mase=model_mase, timings=timings, season=season)


def _attributes(ids: np.ndarray, attributes: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    cats = np.array([""] * ids.size, dtype=object)
    price = np.full(ids.size, np.nan)
    if attributes is None or attributes.empty:
        return cats, price, cats
    a = attributes.reset_index() if "unique_id" not in attributes.columns else attributes
    a = a.assign(unique_id=a["unique_id"].astype(str)).drop_duplicates("unique_id").set_index("unique_id")
    if "category" in a.columns:
        cats = a["category"].reindex(ids).fillna("").astype(str).to_numpy(dtype=object)
    if "price" in a.columns:
        price = pd.to_numeric(a["price"].reindex(ids).astype(object), errors="coerce").to_numpy(dtype=np.float64)
    groups = cats
    if "subcategory" in a.columns:
        groups = (pd.Series(cats) + "/" + a["subcategory"].reindex(ids).fillna("").astype(str).to_numpy()).to_numpy(dtype=object)
    return cats, price, groups


def _yearly_index(values: np.ndarray, levels: list[np.ndarray], *, year: int, recent: int, horizon: int,
                  cutoff: int, shrink: float, block: int | None = None, starts: np.ndarray | None = None) -> np.ndarray:
    """``[n, horizon]``: the index of each horizon period; ``block`` periods share one index (the whole
    horizon by default; a week makes it a path: last year's December weeks differ from its January ones)."""
    block = min(block or horizon, horizon)
    cols = []
    for b0 in range(0, horizon, block):
        b1 = min(b0 + block, horizon)
        idx = _yearly_level(values, levels, year=year, recent=recent, span=(b0, b1), cutoff=cutoff, shrink=shrink,
                            starts=starts)
        cols.append(np.repeat(idx[:, None], b1 - b0, axis=1))
    return np.concatenate(cols, axis=1)


def _yearly_level(values: np.ndarray, levels: list[np.ndarray], *, year: int, recent: int, span: tuple[int, int],
                  cutoff: int, shrink: float, starts: np.ndarray | None = None) -> np.ndarray:
    """Per series, the change a year earlier from the ``recent`` periods before the cutoff to the
    ``horizon`` periods after it, pooled down a hierarchy: the top level (e.g. category) is shrunk
    toward 1, each lower level (subcategory, then the series itself) toward the level above, each by
    ``units / (units + shrink)`` where units are what it sold in the ``recent`` periods a year
    earlier; clipped to [1/3, 3]; 1 without a year of history (days before the data are not history: the
    matrix starts with the data, ``_matrix``). With ``starts``, only series that existed over the whole year-ago
    span count (a launch inside it is no seasonal change; ``ForecastSettings.yearly_established_only``, off:
    measured mixed on the dev seeds, docs/inventory.md)."""
    n, t = values.shape
    a = cutoff - year
    b0, b1 = span
    horizon = b1 - b0
    if a - recent < 0 or a + b1 > t:
        return np.ones(n)
    seen = np.ones(n, dtype=bool)
    if starts is not None:
        seen = ~np.isnan(values[:, a - recent:a + b1]).any(axis=1) & (np.asarray(starts) <= a - recent)
        if not seen.any():
            return np.ones(n)
    v = np.nan_to_num(values, nan=0.0)
    before_i = np.where(seen, v[:, a - recent:a].sum(axis=1), 0.0)
    after_i = np.where(seen, v[:, a + b0:a + b1].sum(axis=1), 0.0)
    log_idx = np.zeros(n)
    for keys in [*levels, np.arange(n)]:
        keys = np.asarray(keys)
        _, inv = np.unique(keys, return_inverse=True)
        before = np.bincount(inv, before_i)
        after = np.bincount(inv, after_i)
        with np.errstate(divide="ignore", invalid="ignore"):
            raw = np.log(np.maximum(after, 0.5) / horizon) - np.log(np.maximum(before, 0.5) / recent)
        w = before / (before + shrink)
        parent = log_idx.copy()
        # each group's parent value: the (shared) value of its members at the level above
        log_idx = w[inv] * raw[inv] + (1 - w[inv]) * parent
    return np.clip(np.exp(log_idx), 1 / 3, 3)


def _fit_class(values, starts, codes, labels, demand_class, season, horizon, weekly, settings, index_of):
    from statsforecast import StatsForecast

    n, t_len = values.shape
    models = _candidates(demand_class, season, n, settings, weekly)
    names = [repr(m) if not hasattr(m, "alias") else m.alias for m in models]
    freq = f"W-{WEEKDAYS[labels[-1].weekday()]}" if weekly else "D"
    k = settings.backtest_windows
    # models see the recent past only (their cost grows with the history; the yearly index and the
    # MASE scale read the whole matrix)
    fit_len = max(settings.fit_days // (7 if weekly else 1), season + 1 + k * horizon + (4 if weekly else 28))
    if weekly and season > 1:  # the seasonal window average needs two years before its first origin
        fit_len = max(fit_len, 2 * season + k * horizon)
    lo = max(t_len - fit_len, 0)
    frame = _long(values[:, lo:], codes, labels[lo:], np.maximum(starts - lo, 0))
    sf = StatsForecast(models=models, freq=freq, n_jobs=settings.n_jobs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cv = sf.cross_validation(df=frame, h=horizon, n_windows=k, step_size=horizon)
    cv = cv.sort_values(["unique_id", "cutoff", "ds"], kind="stable")
    order = {code: r for r, code in enumerate(codes)}
    r_of = cv["unique_id"].map(order).to_numpy()
    if len(cv) != n * k * horizon or not np.array_equal(r_of.reshape(n, -1)[:, 0], np.arange(n)):
        raise RuntimeError("backtest frame has an unexpected shape")
    actual = cv["y"].to_numpy().reshape(n, k, horizon)
    preds = np.stack([np.maximum(cv[m].to_numpy(dtype=np.float64), 0.0).reshape(n, k, horizon) for m in names])
    baseline = preds[0].copy()  # the plain seasonal naive, the yardstick
    adjust = np.array([not (weekly and (name.startswith("Seas"))) for name in names])
    for w in range(k):
        idx = index_of(t_len - horizon * (k - w))
        preds[adjust, :, w, :] *= idx[None, :, :]
    # daily models without a weekly season get the class's weekday profile (pooled: little noise)
    flat = np.array([not weekly and settings.weekday_profile and not name.startswith(("Seas", "Theta", "AutoETS"))
                     for name in names])
    weekday_of = np.array([d.weekday() for d in labels]) if not weekly else None
    if flat.any():
        for w in range(k):
            cut = t_len - horizon * (k - w)
            prof = _weekday_profile(values, weekday_of, cut, settings.weekday_weeks, settings.weekday_shrink_units)
            steps = (weekday_of[cut - 1] + 1 + np.arange(horizon)) % 7
            preds[flat, :, w, :] *= prof[:, steps][None, :, :]
    # numpy candidates (no statsforecast call): weekly seasonal profiles
    custom = {}
    if weekly and season > 1 and settings.seasonal_profile:
        for name, additive in ((PROFILE, False), (PROFILE_ADD, True)):
            custom[name] = (lambda cut, additive=additive: _seasonal_profile(
                values, starts, cut, horizon, season=season, years=settings.profile_years,
                recent=settings.profile_recent, pseudo=settings.profile_pseudo, additive=additive))
    if custom:
        extra = np.stack([np.stack([fn(t_len - horizon * (k - w)) for w in range(k)], axis=1)
                          for fn in custom.values()])  # [C, n, k, h]
        preds = np.concatenate([preds, extra])
        names = [*names, *custom]
        adjust = np.concatenate([adjust, np.zeros(len(custom), dtype=bool)])
        flat = np.concatenate([flat, np.zeros(len(custom), dtype=bool)])
    preds = np.nan_to_num(preds, nan=0.0)
    # the scale: in-sample seasonal naive MAE before the scoring window's origin
    scale = _scale(values, starts, season, t_len - horizon)
    scale = np.where(scale > 0, scale, np.nan)
    members = [[j] for j in range(len(names))]  # the single models each candidate averages
    n_sf = len(models)  # statsforecast models come first, then the numpy ones (``custom``)
    if custom:  # the profile beside the class's level models (a weak season shrinks toward a level)
        level = [j for j, nm in enumerate(names[:n_sf]) if not nm.startswith(("Seas", "Theta", "AutoETS"))]
        prof_j = names.index(PROFILE)
        combos = [(PROFILE_MIX, [prof_j, names.index(PROFILE_ADD)])]
        if level:  # half the profile, half the mean of the level models
            combos.append((PROFILE_LEVEL, [prof_j] * len(level) + level))
        preds = np.concatenate([preds] + [preds[m].mean(axis=0, keepdims=True) for _, m in combos])
        names = [*names, *(c for c, _ in combos)]
        members += [m for _, m in combos]
    if len(names) > 2 and settings.combinations:
        # combinations (combining is robust): every model but seasonal naive; every model; the three best single
        # models of the class on the choosing windows
        chooser = slice(0, k - 1) if k >= 2 else slice(k - 1, k)
        single = np.abs(preds - actual[None])[:, :, chooser, :].mean(axis=(2, 3)) / \
            np.where(np.isnan(scale), 1.0, scale)[None, :]
        best3 = [int(j) for j in np.argsort(np.nanmean(single, axis=1), kind="stable")[:3]]
        combos = [(ENSEMBLE, list(range(1, len(names)))), (ENSEMBLE_ALL, list(range(len(names)))),
                  (ENSEMBLE_BEST, sorted(best3))]
        preds = np.concatenate([preds] + [preds[m].mean(axis=0, keepdims=True) for _, m in combos])
        names = [*names, *(c for c, _ in combos)]
        members += [m for _, m in combos]
    elif len(names) > 2:  # the mean of the class's models (but seasonal naive)
        preds = np.concatenate([preds, preds[1:n_sf].mean(axis=0, keepdims=True)])
        names = [*names, ENSEMBLE]
        members.append(list(range(1, n_sf)))
    err = np.abs(preds - actual[None])  # [M, n, k, h]
    if k >= 2:
        sel = err[:, :, :-1, :].mean(axis=(2, 3))  # [M, n]
    else:
        sel = err[:, :, -1, :].mean(axis=2)
    sel_scaled = sel / np.where(np.isnan(scale), 1.0, scale)[None, :]
    class_best = int(np.argmin(np.nanmean(sel_scaled, axis=1)))
    own_best = np.argmin(sel_scaled, axis=0)
    better = sel_scaled[own_best, np.arange(n)] < (1 - settings.switch_margin) * sel_scaled[class_best]
    if not settings.per_series_switch:
        better[:] = False
    pick = np.where(better, own_best, class_best)
    score = err[:, :, -1, :].mean(axis=2) / scale[None, :]  # [M, n]
    mase = score[pick, np.arange(n)]
    mase_sn = np.abs(baseline[:, -1, :] - actual[:, -1, :]).mean(axis=1) / scale
    resid = preds[pick, np.arange(n)] - actual  # [n, k, h]
    sigma = np.sqrt(np.nanmean(resid ** 2, axis=(1, 2)))
    # the forecast: one call per chosen model over the series that chose it
    index_now = index_of(t_len)
    mean = np.zeros((n, horizon))
    for m_i in np.unique(pick):
        rows = np.flatnonzero(pick == m_i)
        use = members[int(m_i)]
        sf_use = sorted({j for j in use if j < n_sf})
        f = None
        if sf_use:
            sub = frame[frame["unique_id"].isin(codes[rows])]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                f = StatsForecast(models=[models[j] for j in sf_use], freq=freq, n_jobs=settings.n_jobs).forecast(
                    df=sub, h=horizon)
            f = f.sort_values(["unique_id", "ds"], kind="stable")
        parts = []
        for j in use:
            if j >= n_sf:  # a numpy candidate: its forecast from the origin now
                parts.append(np.nan_to_num(custom[names[j]](t_len)[rows]))
                continue
            part = np.nan_to_num(np.maximum(f[names[j]].to_numpy(dtype=np.float64), 0.0).reshape(rows.size, horizon))
            if adjust[j]:
                part = part * index_now[rows]
            if flat[j]:
                prof = _weekday_profile(values, weekday_of, t_len, settings.weekday_weeks, settings.weekday_shrink_units)
                part = part * prof[rows][:, (weekday_of[t_len - 1] + 1 + np.arange(horizon)) % 7]
            parts.append(part)
        mean[rows] = np.mean(parts, axis=0)
    per_model = pd.DataFrame({"row": np.repeat(np.arange(n), len(names)),
                              "model": np.tile(np.array(names, dtype=object), n),
                              "mase": score.T.ravel()})
    return {"mean": mean, "sigma": np.nan_to_num(sigma, nan=0.0), "model": np.array(names, dtype=object)[pick],
            "mase": mase, "mase_sn": mase_sn, "per_model": per_model}


def _seasonal_profile(values: np.ndarray, starts: np.ndarray, cutoff: int, horizon: int, *, season: int, years: int,
                      recent: int, pseudo: float, additive: bool = False) -> np.ndarray:
    """``[n, horizon]``: forecasts from ``cutoff`` (the first period forecast) by the same periods of earlier
    years. For year a (lag L = a·season): base = the values at t − L smoothed over the neighbouring periods
    (¼ ½ ¼, only periods before the cutoff), times the re-levelling ratio (sum of the last ``recent`` periods +
    ``pseudo``) ÷ (the same periods a year(s) earlier + ``pseudo``), clipped to [1/3, 3] — or, ``additive``, plus
    the difference of their means; the mean over the years a series has. A series with no earlier year
    gets its recent mean."""
    n, t = values.shape
    v = values[:, :cutoff]
    num = np.zeros((n, horizon))
    cnt = np.zeros((n, 1))
    recent_sum = np.nansum(v[:, max(cutoff - recent, 0):], axis=1)
    for a in range(1, years + 1):
        lag = season * a
        p0 = cutoff - recent - lag
        if p0 < 0:
            break
        ok = starts <= p0  # the series holds the year's recent window
        if not ok.any():
            break
        past_sum = np.nansum(v[:, p0:p0 + recent], axis=1)
        base = np.zeros((n, horizon))
        wsum = np.zeros((n, horizon))
        for d, wt in ((-1, 0.25), (0, 0.5), (1, 0.25)):
            i = cutoff + np.arange(horizon) - lag + d
            use = (i >= 0) & (i < cutoff)
            vals = v[:, i[use]]
            have = ~np.isnan(vals)
            base[:, use] += wt * np.where(have, vals, 0.0)
            wsum[:, use] += wt * have
        base = base / np.where(wsum > 0, wsum, 1.0)
        if additive:
            f = base + ((recent_sum - past_sum) / recent)[:, None]
        else:
            f = base * np.clip((recent_sum + pseudo) / (past_sum + pseudo), 1 / 3, 3)[:, None]
        good = ok[:, None] & (wsum > 0)
        num += np.where(good, f, 0.0)
        cnt = cnt + good
    level = (recent_sum / max(min(recent, cutoff), 1))[:, None]
    out = np.where(cnt > 0, num / np.maximum(cnt, 1), level)
    return np.maximum(out, 0.0)


def _weekday_profile(values: np.ndarray, weekday_of: np.ndarray, cutoff: int, weeks: int,
                     shrink: float = 0.0) -> np.ndarray:
    """``[n, 7]``: the weekday profile over the ``weeks`` weeks before ``cutoff``: units on each weekday ÷ the
    mean per weekday, pooled over the class's series (1s without units); with ``shrink`` > 0 each series' own
    profile weighs ``units / (units + shrink)`` against the pooled one."""
    n = values.shape[0]
    lo = max(cutoff - 7 * weeks, 0)
    v = np.nan_to_num(values[:, lo:cutoff], nan=0.0)
    wd = weekday_of[lo:cutoff]
    days = np.bincount(wd, minlength=7)
    if (days == 0).any():
        return np.ones((n, 7))
    per = np.stack([v[:, wd == d].sum(axis=1) for d in range(7)], axis=1) / days[None, :]  # [n, 7] rate per weekday
    pooled = per.sum(axis=0)
    pooled = pooled / pooled.mean() if pooled.mean() > 0 else np.ones(7)
    out = np.repeat(pooled[None, :], n, axis=0)
    if shrink > 0:
        mean = per.mean(axis=1, keepdims=True)
        own = np.where(mean > 0, per / np.where(mean > 0, mean, 1.0), pooled[None, :])
        w = (v.sum(axis=1) / (v.sum(axis=1) + shrink))[:, None]
        out = w * own + (1 - w) * out
    return out


def _peer_rates(values, starts, new_rows, demand_class, cats, price, settings, per_day, weekly):
    """Demand per period of each new series: the median over similar established products (the
    ``new_peer_count`` nearest in log price within the category; else the category; else all) of
    their mean over their first ``new_product_days`` (their latest ones when they started before
    the data), blended with the series' own mean so far."""
    n, t_len = values.shape
    first = max(int(round(settings.new_product_days / per_day)), 1)
    # peers: series with enough history; their first weeks when they started inside the data,
    # else their most recent weeks (a long-established product's level)
    peers = np.flatnonzero((demand_class != cls.NEW) & (demand_class != cls.INACTIVE))
    rate = np.full(n, np.nan)
    for r in peers:
        s = starts[r]
        seg = values[r, s:s + first] if s > 0 else values[r, t_len - first:]
        if seg.size:
            rate[r] = np.nanmean(seg)
    out = np.zeros(new_rows.size)
    all_rate = np.nanmedian(rate[peers]) if peers.size else np.nan
    logp = np.log(np.where(price > 0, price, np.nan))
    for j, r in enumerate(new_rows):
        same_cat = peers[(cats[peers] == cats[r]) & ~np.isnan(rate[peers])]
        peer_rate = all_rate
        priced = same_cat[~np.isnan(logp[same_cat])]
        if priced.size >= 3 and not np.isnan(logp[r]):
            near = priced[np.argsort(np.abs(logp[priced] - logp[r]), kind="stable")[:settings.new_peer_count]]
            peer_rate = float(np.nanmedian(rate[near]))
        elif same_cat.size >= 3:
            peer_rate = float(np.nanmedian(rate[same_cat]))
        own = values[r, starts[r]:]
        days = own.size * per_day
        own_rate = float(np.nanmean(own)) if own.size else 0.0
        w = days / (days + settings.new_blend_days)
        if np.isnan(peer_rate):  # no established product to learn from: the series' own rate
            w = 1.0
            peer_rate = 0.0
        out[j] = w * own_rate + (1 - w) * peer_rate
    return np.maximum(out, 0.0)
