"""Customer lifetime value: BG/NBD (purchase count) × Gamma-Gamma (spend), per store.

``ClvModel`` is the adapter: the rest of shopops talks to it, never to ``lifetimes``, so
the library can be replaced. Times are in **days**; a purchase is a *day* with at least
one paid order (several orders on one day are one purchase, as in ``lifetimes``'
``summary_data_from_transaction_data``). Per customer of a store, at ``end``:

* ``frequency`` — purchase days after the first one (repeat purchases);
* ``recency`` — days from the first to the last purchase day (0 when frequency is 0);
* ``T`` — days from the first purchase day to ``end``;
* ``monetary_value`` — mean GMV per repeat purchase day (the first is left out, as the
  Gamma-Gamma model expects); 0 when frequency is 0.

Where it runs: the per-customer summary is aggregated **in the warehouse** (one row per
customer comes back); fitting and prediction run in Python (scipy, through lifetimes) on
that summary — O(customers), not O(orders).

Validation (:func:`calibration_holdout`, :func:`holdout_accuracy`): fit on orders up to
``calibration_end``, predict each calibration customer's purchase days in
``(calibration_end, holdout_end]`` and compare with what they did. The naive baseline
repeats each customer's calibration rate: ``frequency / T × holdout days`` (0 when T = 0).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import warnings
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

SUMMARY_COLUMNS = ("frequency", "recency", "T", "monetary_value")
DAYS_PER_MONTH = 30.4375


@contextlib.contextmanager
def _quiet():
    """lifetimes prints the optimizer's state before raising ConvergenceError: keep stdout clean."""
    with contextlib.redirect_stdout(io.StringIO()):
        yield


class ClvFitError(ValueError):
    """The model could not be fitted on these customers (too few, or no repeat buyers)."""


@dataclass(frozen=True, slots=True)
class ClvParams:
    r: float
    alpha: float
    a: float
    b: float
    p: float | None = None
    q: float | None = None
    v: float | None = None
    penalizer: float = 0.0


def _f(value) -> float | None:
    return None if value is None else float(value)


class ClvModel:
    """BG/NBD + Gamma-Gamma behind one small interface (lifetimes inside)."""

    #: penalizers tried in turn when BG/NBD does not converge (the first that converges is kept)
    FALLBACK_PENALIZERS = (1e-5, 1e-4, 1e-3, 1e-2, 0.1)

    def __init__(self, *, penalizer: float = 0.0, gg_penalizer: float = 0.0, fallback: bool = True) -> None:
        self.penalizer = penalizer
        self.gg_penalizer = gg_penalizer
        self.fallback = fallback
        self.penalizer_used: float | None = None
        self._bgf = None
        self._ggf = None

    @staticmethod
    def _check(summary: pd.DataFrame) -> None:
        missing = [c for c in SUMMARY_COLUMNS[:3] if c not in summary.columns]
        if missing:
            raise ValueError(f"CLV summary: columns {missing} missing; expected {list(SUMMARY_COLUMNS)}")

    def fit(self, summary: pd.DataFrame) -> ClvModel:
        """Fit BG/NBD on every customer and, when ``monetary_value`` is given, Gamma-Gamma on the
        repeat buyers with a positive mean spend."""
        from lifetimes import BetaGeoFitter, GammaGammaFitter

        self._check(summary)
        if len(summary) < 10 or (summary["frequency"] > 0).sum() < 2:
            raise ClvFitError(f"CLV: {len(summary)} customers, {(summary['frequency'] > 0).sum()} repeat buyers; "
                              "expected at least 10 customers and 2 repeat buyers to fit BG/NBD")
        from lifetimes.utils import ConvergenceError

        tries = [self.penalizer, *(p for p in self.FALLBACK_PENALIZERS if self.fallback and p > self.penalizer)]
        for penalizer in tries:
            bgf = BetaGeoFitter(penalizer_coef=penalizer)
            try:
                with warnings.catch_warnings(), _quiet():
                    warnings.simplefilter("ignore")
                    bgf.fit(summary["frequency"], summary["recency"], summary["T"])
            except ConvergenceError:
                continue
            self._bgf, self.penalizer_used = bgf, penalizer
            break
        else:
            raise ClvFitError(f"CLV: BG/NBD did not converge on {len(summary)} customers with penalizers {tries}")
        self._ggf = None
        if "monetary_value" in summary.columns:
            rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
            if len(rep) >= 10:
                ggf = GammaGammaFitter(penalizer_coef=self.gg_penalizer)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    ggf.fit(rep["frequency"], rep["monetary_value"].astype(float))
                self._ggf = ggf
        return self

    @property
    def params(self) -> ClvParams:
        if self._bgf is None:
            raise ClvFitError("CLV model not fitted")
        b = self._bgf.params_
        g = self._ggf.params_ if self._ggf is not None else {}
        return ClvParams(r=float(b["r"]), alpha=float(b["alpha"]), a=float(b["a"]), b=float(b["b"]),
                         p=_f(g.get("p")), q=_f(g.get("q")), v=_f(g.get("v")), penalizer=self.penalizer_used or 0.0)

    def predict_purchases(self, summary: pd.DataFrame, horizon_days: float) -> pd.Series:
        """Expected purchase days in the next ``horizon_days`` per customer."""
        self._check(summary)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # log(0) inside lifetimes when b -> 0; the result is finite
            out = self._bgf.conditional_expected_number_of_purchases_up_to_time(
                horizon_days, summary["frequency"], summary["recency"], summary["T"])
        return pd.Series(np.asarray(out, dtype=float), index=summary.index, name="predicted_purchases")

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        self._check(summary)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = self._bgf.conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
        return pd.Series(np.asarray(out, dtype=float), index=summary.index, name="p_alive")

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected mean spend per future purchase (Gamma-Gamma; the population mean for one-time buyers)."""
        if self._ggf is None:
            raise ClvFitError("CLV: Gamma-Gamma not fitted (need >= 10 repeat buyers with a positive spend)")
        m = summary["monetary_value"].astype(float).clip(lower=0)
        out = self._ggf.conditional_expected_average_profit(summary["frequency"], m)
        return pd.Series(np.asarray(out, dtype=float), index=summary.index, name="expected_spend")

    def clv(self, summary: pd.DataFrame, *, horizon_days: float = 365, monthly_discount_rate: float = 0.01) -> pd.Series:
        """Expected value of future purchases over the horizon, discounted monthly (lifetimes' formula)."""
        if self._ggf is None:
            raise ClvFitError("CLV: Gamma-Gamma not fitted (need >= 10 repeat buyers with a positive spend)")
        m = summary["monetary_value"].astype(float).clip(lower=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = self._ggf.customer_lifetime_value(
                self._bgf, summary["frequency"], summary["recency"], summary["T"], m,
                time=max(1, math.ceil(horizon_days / DAYS_PER_MONTH)), discount_rate=monthly_discount_rate, freq="D")
        return pd.Series(np.asarray(out, dtype=float), index=summary.index, name="clv")


# --- the summary, aggregated in the warehouse ----------------------------------------------

def _purchase_days(orders, *, end: dt.date, start: dt.date | None = None):
    o = orders.filter(orders.paid_date <= end)
    if start is not None:
        o = o.filter(o.paid_date >= start)
    return o.group_by("store_id", "customer_id", "paid_date").aggregate(amount=o.paid_amount.sum())


def summary_expr(orders, *, end: dt.date, start: dt.date | None = None):
    """Ibis: (store_id, customer_id, frequency, recency, T, monetary_value) from paid orders ≤ end."""
    d = _purchase_days(orders, end=end, start=start)
    w = ibis.window(group_by=[d.store_id, d.customer_id])
    d = d.mutate(first=d.paid_date.min().over(w))
    rep = d.paid_date > d.first
    s = d.group_by("store_id", "customer_id").aggregate(
        first=d.first.min(), last=d.paid_date.max(), frequency=rep.sum().cast("int64"),
        repeat_amount=d.amount.sum(where=rep))
    day = ibis.literal(end, type="date")
    return s.select(
        "store_id", "customer_id", "frequency",
        recency=s.last.delta(s.first, unit="day").cast("float64"),
        T=day.delta(s.first, unit="day").cast("float64"),
        monetary_value=(s.frequency > 0).ifelse(s.repeat_amount.cast("float64") / s.frequency, 0.0),
        first_purchase=s.first,
    )


def rfm_summary(con, *, store_id: str, end: dt.date, start: dt.date | None = None) -> pd.DataFrame:
    """The CLV summary of one store's customers at ``end`` (index customer_id)."""
    from shopops.customers.facts import customer_orders

    orders = customer_orders(con, as_of=end, store_ids=[store_id])
    frame = summary_expr(orders, end=end, start=start).to_pandas()
    return frame.drop(columns=["store_id"]).set_index("customer_id").sort_index()


def calibration_holdout(con, *, store_id: str, calibration_end: dt.date, holdout_end: dt.date,
                        start: dt.date | None = None) -> pd.DataFrame:
    """Calibration summary at ``calibration_end`` plus ``frequency_holdout`` (purchase days in
    ``(calibration_end, holdout_end]``) and ``duration_holdout`` (days), per calibration customer."""
    if not calibration_end < holdout_end:
        raise ValueError(f"calibration_end={calibration_end} must be before holdout_end={holdout_end}")
    from shopops.customers.facts import customer_orders

    orders = customer_orders(con, as_of=holdout_end, store_ids=[store_id])
    cal = summary_expr(orders, end=calibration_end, start=start)
    h = orders.filter(orders.paid_date > calibration_end)
    h = h.group_by("store_id", "customer_id").aggregate(frequency_holdout=h.paid_date.nunique().cast("int64"),
                                                        gmv_holdout=h.paid_amount.sum())
    j = cal.left_join(h, ["store_id", "customer_id"]).select(*cal.columns, "frequency_holdout", "gmv_holdout")
    frame = j.to_pandas().drop(columns=["store_id"]).set_index("customer_id").sort_index()
    frame["frequency_holdout"] = frame["frequency_holdout"].fillna(0).astype("int64")
    frame["duration_holdout"] = float((holdout_end - calibration_end).days)
    return frame


@dataclass(frozen=True, slots=True)
class HoldoutAccuracy:
    customers: int
    holdout_days: int
    actual_total: int
    predicted_total: float
    naive_total: float
    mae_model: float
    mae_naive: float
    rmse_model: float
    rmse_naive: float

    @property
    def mae_ratio(self) -> float:
        """model MAE / naive MAE (below 1: the model is better)."""
        return self.mae_model / self.mae_naive if self.mae_naive else math.inf


def naive_purchases(frame: pd.DataFrame) -> pd.Series:
    """Each customer repeats their calibration rate of repeat purchase days: frequency / T × holdout days."""
    rate = np.where(frame["T"] > 0, frame["frequency"] / frame["T"].where(frame["T"] > 0, 1), 0.0)
    return pd.Series(rate * frame["duration_holdout"], index=frame.index, name="naive_purchases")


def holdout_predictions(frame: pd.DataFrame, model: ClvModel) -> pd.DataFrame:
    """``frame`` with ``predicted`` (model) and ``naive`` purchase days in the holdout."""
    out = frame.copy()
    out["predicted"] = model.predict_purchases(frame, float(frame["duration_holdout"].iloc[0]))
    out["naive"] = naive_purchases(frame)
    return out


def holdout_accuracy(frame: pd.DataFrame, model: ClvModel) -> HoldoutAccuracy:
    p = holdout_predictions(frame, model)
    actual = p["frequency_holdout"].astype(float)
    err_m, err_n = p["predicted"] - actual, p["naive"] - actual
    return HoldoutAccuracy(
        customers=len(p), holdout_days=int(p["duration_holdout"].iloc[0]), actual_total=int(actual.sum()),
        predicted_total=float(p["predicted"].sum()), naive_total=float(p["naive"].sum()),
        mae_model=float(err_m.abs().mean()), mae_naive=float(err_n.abs().mean()),
        rmse_model=float(np.sqrt((err_m ** 2).mean())), rmse_naive=float(np.sqrt((err_n ** 2).mean())),
    )


def by_calibration_frequency(predictions: pd.DataFrame, *, cap: int = 7) -> pd.DataFrame:
    """Mean actual, model and naive holdout purchases by calibration repeat purchases (``cap``+ pooled)."""
    p = predictions.assign(bucket=predictions["frequency"].clip(upper=cap))
    g = p.groupby("bucket").agg(customers=("frequency_holdout", "size"), actual=("frequency_holdout", "mean"),
                                predicted=("predicted", "mean"), naive=("naive", "mean"))
    return g.reset_index()


def store_clv(con, *, store_id: str, as_of: dt.date, horizon_days: int = 365, model: ClvModel | None = None) -> pd.DataFrame:
    """Per customer of the store: predicted purchases over the horizon, P(alive), expected spend and CLV.

    Raises :class:`ClvFitError` when the store has too few customers to fit.
    """
    summary = rfm_summary(con, store_id=store_id, end=as_of)
    model = (model or ClvModel()).fit(summary)
    out = summary.copy()
    out["predicted_purchases"] = model.predict_purchases(summary, horizon_days)
    out["p_alive"] = model.p_alive(summary)
    try:
        out["expected_spend"] = model.expected_spend(summary)
        out["clv"] = model.clv(summary, horizon_days=horizon_days)
    except ClvFitError:
        out["expected_spend"] = np.nan
        out["clv"] = np.nan
    out.attrs["params"] = model.params
    return out
