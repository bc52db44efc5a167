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

import datetime as dt
import math
import warnings
from dataclasses import dataclass

import ibis
import numpy as np
import pandas as pd

from shopops.core.errors import ValidationError

SUMMARY_COLUMNS = ("frequency", "recency", "T", "monetary_value")
DAYS_PER_MONTH = 30.4375


#: why a store has no CLV (``ClvFitError.reason``): English msgids, translated by
#: ``customers.labels.clv_unavailable`` (this module imports no Django)
UNAVAILABLE_REASONS = {
    "too_few": "too few customers with repeat purchases to fit the model (at least 10 customers and 2 repeat "
               "buyers are needed)",
    "no_purchase_fit": "the purchase model did not converge on this store's customers, even with a penalty",
    "no_spend_fit": "the spend model could not be fitted (at least 10 repeat buyers with a positive spend are "
                    "needed, and the fit must converge)",
    "not_fitted": "the model has not been fitted",
}
UNAVAILABLE_MESSAGE = ("CLV is not available for store %(store)s: %(why)s. Rules on CLV cannot run for this store; "
                       "choose other stores or another field.")


class ClvUnavailableError(ValidationError):
    """A rule on CLV over a store without an acceptable CLV model: which store and why (a
    ``ClvFitError.reason``); pages show it in the reader's language (``labels.error_message``)."""

    def __init__(self, store_id: str, reason: str) -> None:
        why = UNAVAILABLE_REASONS.get(reason, UNAVAILABLE_REASONS["no_purchase_fit"])
        super().__init__(UNAVAILABLE_MESSAGE % {"store": store_id, "why": why})
        self.store_id, self.reason = store_id, reason


class ClvFitError(ValueError):
    """No acceptable model for these customers (too few, no repeat buyers, or no fit converged
    inside the parameter box). ``reason`` is a short code the pages translate
    (``too_few``, ``no_purchase_fit``, ``no_spend_fit``, ``not_fitted``)."""

    def __init__(self, message: str, *, reason: str = "no_purchase_fit") -> None:
        super().__init__(message)
        self.reason = reason


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


@dataclass(frozen=True, slots=True)
class FitStatus:
    """How the fit went; kept with the model and shown on the CLV page.

    ``purchase_model`` is ``"bgnbd"``, or ``"nbd"`` when the maximum-likelihood BG/NBD sits on
    the no-dropout edge of its parameter space (a → 0 or b → ∞: the data show no sign of
    customers leaving, so the model *is* its NBD limit and is used in that exact form instead
    of numerically fragile formulas at a ≈ 1e-16). ``loglik`` is the total, unpenalised
    log-likelihood of the purchase model; ``starts_at_best`` counts the starting points whose
    optimum lies within ``LOGLIK_TOLERANCE`` (per customer) of the best one.
    """

    purchase_model: str
    converged: bool
    loglik: float
    penalizer: float
    starts: int
    starts_at_best: int
    customers: int
    spend_model: str            # "gamma-gamma" or "none"
    spend_penalizer: float | None = None
    spend_reason: str = ""      # why there is no spend model ("" when there is one)

    @property
    def has_clv(self) -> bool:
        return self.spend_model == "gamma-gamma"


def _f(value) -> float | None:
    return None if value is None else float(value)


# --- robust maximum likelihood -------------------------------------------------------------

#: per-customer log-likelihood within which two optima count as the same
LOGLIK_TOLERANCE = 1e-6
#: mean log-likelihood per customer that BG/NBD must gain over the NBD (its no-dropout limit)
#: for the dropout parameters to count as identified
DROPOUT_GAIN = 1e-5
#: the search box, on log parameters (time scaled to at most 10 units, as lifetimes does)
LOG_BOUND = 16.0
_EDGE = 1.0  # within this of the box's edge a log parameter counts as "at the bound"

# Starting points on the log scale (r, alpha, a, b) for BG/NBD and (p, q, v - log mean spend)
# for Gamma-Gamma: fixed, so a fit is reproducible, and spread, so one flat or ill-conditioned
# direction does not decide the answer (the optimum reached from a single start depends on the
# BLAS kernel's rounding; the best of several does not).
_BGNBD_STARTS = ((0.1, 0.1, 0.1, 0.1), (0.0, 0.0, 0.0, 0.0), (-1.0, 1.0, -1.0, 1.0),
                 (1.0, 2.0, 1.0, 2.0), (-2.0, 0.0, 0.0, 2.0), (0.5, 1.5, -0.5, 0.5))
_NBD_STARTS = ((0.1, 0.1), (0.0, 0.0), (-1.0, 1.0), (1.0, 2.0))
_GG_STARTS = ((0.1, 0.1, 0.1), (1.0, 1.0, 0.0), (2.0, 1.0, 1.0), (0.0, 0.5, -1.0), (1.5, 1.5, 2.0))


@dataclass(frozen=True, slots=True)
class _Optimum:
    x: np.ndarray            # log parameters
    nll: float               # mean negative log-likelihood, penalty included
    converged: bool
    starts: int
    starts_at_best: int


def _optimize(nll, args: tuple, starts) -> _Optimum:
    """Minimise ``nll(log_params, *args)`` from every start (L-BFGS-B, exact gradients from
    autograd, inside the log box) and keep the best finite optimum."""
    from autograd import value_and_grad
    from scipy.optimize import minimize

    fun = value_and_grad(nll)
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(starts[0])
    found = []
    for x0 in starts:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = minimize(fun, np.asarray(x0, dtype=float), jac=True, args=args, method="L-BFGS-B",
                               bounds=bounds, options={"maxiter": 3000, "ftol": 1e-13, "gtol": 1e-8})
            except (FloatingPointError, ValueError, OverflowError):
                continue
        if np.isfinite(res.fun) and np.all(np.isfinite(res.x)):
            found.append(res)
    if not found:
        return _Optimum(np.full(len(starts[0]), np.nan), math.inf, False, len(starts), 0)
    best = min(found, key=lambda r: float(r.fun))
    at_best = sum(1 for r in found if float(r.fun) - float(best.fun) <= LOGLIK_TOLERANCE)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, grad = fun(best.x, *args)
    free = np.abs(best.x) < LOG_BOUND - 1e-9           # the gradient need not vanish on the box
    small_gradient = bool(np.all(np.abs(np.asarray(grad)[free]) < 1e-4))
    return _Optimum(np.asarray(best.x, dtype=float), float(best.fun), bool(best.success) or small_gradient,
                    len(starts), at_best)


def _at_edge(x: np.ndarray) -> np.ndarray:
    return np.abs(x) >= LOG_BOUND - _EDGE


def _nbd_nll(log_params, frequency, scaled_T, weights, penalizer_coef):
    """BG/NBD's limit without dropout (a → 0): the NBD likelihood of x purchases in (0, T]."""
    import autograd.numpy as anp
    from autograd.scipy.special import gammaln

    params = anp.exp(log_params)
    r, alpha = params[0], params[1]
    ll = (gammaln(r + frequency) - gammaln(r) + r * anp.log(alpha)
          - (r + frequency) * anp.log(alpha + scaled_T)) * weights
    return -ll.sum() / weights.sum() + penalizer_coef * anp.sum(params ** 2)


class _NbdPurchases:
    """The purchase model when the data show no dropout: each customer buys at their own
    Poisson rate, rates Gamma(r, alpha) across customers. Exact forms of BG/NBD's a → 0 limit."""

    def __init__(self, r: float, alpha: float) -> None:
        self.params_ = pd.Series({"r": r, "alpha": alpha, "a": 0.0, "b": math.inf})

    def conditional_expected_number_of_purchases_up_to_time(self, t, frequency, recency, T):
        r, alpha = self.params_["r"], self.params_["alpha"]
        return (r + np.asarray(frequency, dtype=float)) / (alpha + np.asarray(T, dtype=float)) * t

    predict = conditional_expected_number_of_purchases_up_to_time

    def conditional_probability_alive(self, frequency, recency, T):
        return np.ones(len(frequency))


class ClvModel:
    """BG/NBD + Gamma-Gamma behind one small interface.

    lifetimes supplies the likelihoods and the prediction formulas; the fit itself is ours:
    every start of :data:`_BGNBD_STARTS` is optimised and the best log-likelihood kept; the
    fit must converge inside the parameter box. When the optimum is BG/NBD's no-dropout edge
    the model is used in its exact NBD form (``status.purchase_model == "nbd"``). A purchase
    fit that is not acceptable at ``penalizer`` is retried with each larger penalty of
    :data:`FALLBACK_PENALIZERS` (lifetimes' L2 penalty on the parameters, time scaled to at
    most 10 units); the same for Gamma-Gamma with :data:`SPEND_PENALIZERS`. ``status`` says
    which was used; when none is acceptable, :class:`ClvFitError` says why.
    """

    #: penalizers tried in turn when BG/NBD has no acceptable fit (the first acceptable is kept)
    FALLBACK_PENALIZERS = (1e-5, 1e-4, 1e-3, 1e-2, 0.1)
    #: the same for the Gamma-Gamma spend model
    SPEND_PENALIZERS = (1e-3, 1e-2)

    def __init__(self, *, penalizer: float = 0.0, gg_penalizer: float = 0.0, fallback: bool = True) -> None:
        self.penalizer = penalizer
        self.gg_penalizer = gg_penalizer
        self.fallback = fallback
        self.penalizer_used: float | None = None
        self.status: FitStatus | None = None
        self._bgf = None
        self._ggf = None

    @staticmethod
    def _check(summary: pd.DataFrame) -> None:
        missing = [c for c in SUMMARY_COLUMNS[:3] if c not in summary.columns]
        if missing:
            raise ValueError(f"CLV summary: columns {missing} missing; expected {list(SUMMARY_COLUMNS)}")

    def _penalties(self, first: float, more: tuple[float, ...]) -> list[float]:
        return [first, *(p for p in more if self.fallback and p > first)]

    def _fit_purchases(self, summary: pd.DataFrame):
        from lifetimes import BetaGeoFitter

        # customers with the same (frequency, recency, T) share one likelihood term: weight it
        g = summary.groupby(["frequency", "recency", "T"], sort=True).size().reset_index(name="weight")
        x = g["frequency"].to_numpy(dtype=float)
        t_x = g["recency"].to_numpy(dtype=float)
        T = g["T"].to_numpy(dtype=float)
        weights = g["weight"].to_numpy(dtype=float)
        n = float(weights.sum())
        scale = 10.0 / T.max() if T.max() > 0 else 1.0
        scaled = (x, t_x * scale, T * scale, weights)
        tried = []
        for penalizer in self._penalties(self.penalizer, self.FALLBACK_PENALIZERS):
            tried.append(penalizer)
            bg = _optimize(BetaGeoFitter._negative_log_likelihood, (*scaled, penalizer), _BGNBD_STARTS)
            nbd = _optimize(_nbd_nll, (x, T * scale, weights, penalizer), _NBD_STARTS)
            bg_ok = bg.converged and not _at_edge(bg.x)[:2].any()
            nbd_ok = nbd.converged and not _at_edge(nbd.x).any()
            bg_nll = BetaGeoFitter._negative_log_likelihood(bg.x, *scaled, 0.0) if bg_ok else math.inf
            nbd_nll = _nbd_nll(nbd.x, x, T * scale, weights, 0.0) if nbd_ok else math.inf
            # BG/NBD nests the NBD (no dropout: a -> 0). When dropout adds nothing to the
            # likelihood, a and b are not identified (a flat ridge whose end point depends on
            # rounding): use the NBD, exactly.
            if nbd_ok and bg_nll >= nbd_nll - DROPOUT_GAIN:
                r, alpha = np.exp(nbd.x)
                return (_NbdPurchases(float(r), float(alpha) / scale), penalizer, "nbd", nbd,
                        -nbd_nll * n + self._time_scale_loglik(x, weights, scale))
            if bg_ok and not _at_edge(bg.x).any():
                r, alpha, a, b = np.exp(bg.x)
                bgf = BetaGeoFitter(penalizer_coef=penalizer)
                bgf.params_ = pd.Series({"r": r, "alpha": alpha / scale, "a": a, "b": b})
                bgf.predict = bgf.conditional_expected_number_of_purchases_up_to_time
                return bgf, penalizer, "bgnbd", bg, -bg_nll * n + self._time_scale_loglik(x, weights, scale)
        raise ClvFitError(f"CLV: no purchase model converged inside the parameter box on {int(n)} customers "
                          f"(penalizers tried: {tried})", reason="no_purchase_fit")

    @staticmethod
    def _time_scale_loglik(x: np.ndarray, weights: np.ndarray, scale: float) -> float:
        """The likelihood of purchase *times* changes by scale^x per customer when time is rescaled:
        add it back so ``loglik`` is in days, comparable across fits of the same customers."""
        return float(np.sum(x * weights) * math.log(scale))

    def _fit_spend(self, summary: pd.DataFrame):
        from lifetimes import GammaGammaFitter

        if "monetary_value" not in summary.columns:
            return None, None, "no monetary values given"
        rep = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
        if len(rep) < 10:
            return None, None, f"{len(rep)} repeat buyers with a positive spend; at least 10 are needed"
        g = rep.assign(monetary_value=rep["monetary_value"].astype(float)).groupby(
            ["frequency", "monetary_value"], sort=True).size().reset_index(name="weight")
        x = g["frequency"].to_numpy(dtype=float)
        m = g["monetary_value"].to_numpy(dtype=float)
        weights = g["weight"].to_numpy(dtype=float)
        shift = math.log(float(np.average(m, weights=weights)))
        starts = tuple((p, q, v + shift) for p, q, v in _GG_STARTS)
        for penalizer in self._penalties(self.gg_penalizer, self.SPEND_PENALIZERS):
            opt = _optimize(GammaGammaFitter._negative_log_likelihood, (x, m, weights, penalizer), starts)
            if not opt.converged or _at_edge(opt.x).any():
                continue
            p, q, v = np.exp(opt.x)
            if q <= 1:  # the expected spend p·v/(q-1) is infinite
                continue
            ggf = GammaGammaFitter(penalizer_coef=penalizer)
            ggf.params_ = pd.Series({"p": p, "q": q, "v": v})
            return ggf, penalizer, ""
        return None, None, "the spend model did not converge inside the parameter box"

    def fit(self, summary: pd.DataFrame) -> ClvModel:
        """Fit the purchase model on every customer and, when ``monetary_value`` is given,
        Gamma-Gamma on the repeat buyers with a positive mean spend."""
        self._check(summary)
        repeaters = int((summary["frequency"] > 0).sum())
        if len(summary) < 10 or repeaters < 2:
            raise ClvFitError(f"CLV: {len(summary)} customers, {repeaters} repeat buyers; "
                              "expected at least 10 customers and 2 repeat buyers to fit BG/NBD", reason="too_few")
        self._bgf, self.penalizer_used, kind, opt, loglik = self._fit_purchases(summary)
        self._ggf, spend_penalizer, spend_reason = self._fit_spend(summary)
        self.status = FitStatus(
            purchase_model=kind, converged=True, loglik=loglik, penalizer=self.penalizer_used,
            starts=opt.starts, starts_at_best=opt.starts_at_best, customers=len(summary),
            spend_model="gamma-gamma" if self._ggf is not None else "none",
            spend_penalizer=spend_penalizer, spend_reason=spend_reason)
        return self

    def _require(self):
        if self._bgf is None:
            raise ClvFitError("CLV model not fitted", reason="not_fitted")
        return self._bgf

    def _require_spend(self):
        self._require()
        if self._ggf is None:
            reason = self.status.spend_reason if self.status else "not fitted"
            raise ClvFitError(f"CLV: no spend model ({reason})", reason="no_spend_fit")
        return self._ggf

    @property
    def params(self) -> ClvParams:
        b = self._require().params_
        g = self._ggf.params_ if self._ggf is not None else {}
        return ClvParams(r=float(b["r"]), alpha=float(b["alpha"]), a=float(b["a"]), b=float(b["b"]),
                         p=_f(g.get("p")), q=_f(g.get("q")), v=_f(g.get("v")), penalizer=self.penalizer_used or 0.0)

    def predict_purchases(self, summary: pd.DataFrame, horizon_days: float) -> pd.Series:
        """Expected purchase days in the next ``horizon_days`` per customer."""
        self._check(summary)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = self._require().conditional_expected_number_of_purchases_up_to_time(
                horizon_days, summary["frequency"], summary["recency"], summary["T"])
        return pd.Series(np.asarray(out, dtype=float), index=summary.index, name="predicted_purchases")

    def p_alive(self, summary: pd.DataFrame) -> pd.Series:
        self._check(summary)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = self._require().conditional_probability_alive(summary["frequency"], summary["recency"], summary["T"])
        return pd.Series(np.asarray(out, dtype=float), index=summary.index, name="p_alive")

    def expected_spend(self, summary: pd.DataFrame) -> pd.Series:
        """Expected mean spend per future purchase (Gamma-Gamma; the population mean for one-time buyers)."""
        ggf = self._require_spend()
        m = summary["monetary_value"].astype(float).clip(lower=0)
        out = ggf.conditional_expected_average_profit(summary["frequency"], m)
        return pd.Series(np.asarray(out, dtype=float), index=summary.index, name="expected_spend")

    def clv(self, summary: pd.DataFrame, *, horizon_days: float = 365, monthly_discount_rate: float = 0.01) -> pd.Series:
        """Expected value of future purchases over the horizon, discounted monthly (lifetimes' formula)."""
        ggf = self._require_spend()
        m = summary["monetary_value"].astype(float).clip(lower=0)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            out = ggf.customer_lifetime_value(
                self._bgf, summary["frequency"], summary["recency"], summary["T"], m,
                time=max(1, math.ceil(horizon_days / DAYS_PER_MONTH)), discount_rate=monthly_discount_rate, freq="D")
        values = np.asarray(out, dtype=float)
        if not np.all(np.isfinite(values)):
            raise ClvFitError(f"CLV: {int((~np.isfinite(values)).sum())} customers got no finite value",
                              reason="no_spend_fit")
        return pd.Series(values, index=summary.index, name="clv")


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

    ``attrs["params"]`` and ``attrs["status"]`` (:class:`FitStatus`) carry the fit. Raises
    :class:`ClvFitError` when there is no acceptable purchase model; when only the spend model
    is missing, ``expected_spend`` and ``clv`` are NaN and ``status.has_clv`` is false (callers
    that need a CLV say so; they never read a NaN as a value).
    """
    summary = rfm_summary(con, store_id=store_id, end=as_of)
    model = (model or ClvModel()).fit(summary)
    out = summary.copy()
    out["predicted_purchases"] = model.predict_purchases(summary, horizon_days)
    out["p_alive"] = model.p_alive(summary)
    if model.status.has_clv:
        out["expected_spend"] = model.expected_spend(summary)
        out["clv"] = model.clv(summary, horizon_days=horizon_days)
    else:
        out["expected_spend"] = np.nan
        out["clv"] = np.nan
    out.attrs["params"] = model.params
    out.attrs["status"] = model.status
    return out
