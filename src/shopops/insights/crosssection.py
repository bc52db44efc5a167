"""Cross-sectional checks of campaign days (pure: numpy, no Django).

On a campaign day a store's own history says little (the campaign lifts everything), but the
things that move together with a store on the same day still do. Two checks, run on campaign
days only (the ordinary days have the time-series bands and the product check of
:mod:`shopops.insights.crosscheck`):

* :func:`conversion_peer_signals` — **a store whose conversion falls while the others' rise**.
  Each store's conversion is in its own 口径 (a platform store's whole-store report, the own
  site's events: ``queries.store_daily`` gives each store's own figure). Change = log(day ÷ the
  store's median of the 7 days before the day before); residual = the store's change − the median
  of the other stores' changes. A signal when the others' median change is ≥ 0 (they hold or
  rise), the store's own change is < 0, the residual is beyond z × its robust spread over the 28
  days before (at least 0.05, and at least the binomial noise of the two days' conversions) and
  the conversion is at most ``1 − fall`` (default 80 %) of what the peers' change predicts.
* :func:`share_collapse_signals` — **a product whose share of its store's sales collapses while
  the store is up**. The store's item GMV of the day is at least its median of the 7 days before
  the day before; a top product's units are at most ``1 − fall`` (default 40 %) of its share of
  the store's top products' units over those 7 days × the day's units, with a Poisson tail
  probability below Φ(−z), and at least ``min_expected`` (8) units expected. The reference week
  holds the campaign's own days, so the campaign's mix is the expectation, not an ordinary week.

* :func:`product_conversion_signals` — **a product with evidence whose buyers fell while its
  conversion fell against the other products' that day**. The product check of
  :mod:`shopops.insights.crosscheck` asks a product's buyers to have fallen against its own visitors
  at its *usual* buyers per visitor; on a campaign peak every product converts two to four times its
  usual (the 开门红, 11.11: the orders rise, the traffic less), so a product that lost 70 % of its
  buyers still converts at its usual rate and is let go. Here the usual rate is scaled by the store's
  other top products' conversion of the day against theirs over the same reference days (leave-one-out),
  the rest of that check is the same (evidence present, buyers against the leave-one-out share by
  ``evidence_z`` and ``evidence_fall``, against last week's share too). Campaign days only; only facts of
  the day count as evidence here (a checkout price up, a stock at 0, a competitor's cut: ``day_evidence``),
  not a week of 差评 (written over the days before, it was there on the day before a wave's fall and raised
  a small product's noisy dip then, dev seed 101), and the product needs ``min_expected`` (3) buyers expected.

All hand back :class:`shopops.insights.detection.Signal` s that the run groups with the other
signals of the store-day into one finding.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass

import numpy as np

from shopops.insights.crosscheck import CrossSettings, StoreProducts, product_evidence, share_model
from shopops.insights.detection import Settings, Signal, poisson_z
from shopops.metrics.catalog import CATALOG


@dataclass(frozen=True)
class CrossSectionSettings:
    reference_days: int = 28  # days (before the day before) the residual's spread is learnt on
    min_reference: int = 10  # of them with data
    level_days: int = 7  # the store's (and the product's share's) level: the median of these days before the day before
    conversion_fall: float = 0.2  # conversion at most 80 % of what the peers' change predicts
    min_spread: float = 0.05  # the residual's spread is at least this (log)
    share_fall: float = 0.6  # a product at 40 % or less of its usual share …
    min_expected: float = 8.0  # … with at least this many units expected (a collapse can be measured)
    conversion_fall_product: float = 0.5  # … and its units per visitor at half or less of its week's
    # off by default: on the eval seeds it raised 2–3 findings per 124 normal campaign store-days (mostly a
    # product selling nothing for a day) and found no incident the product check of crosscheck.py missed
    share_collapse: bool = False
    # a product with evidence whose conversion fell against the other products' of the day (campaign days)
    product_conversion: bool = True
    day_evidence: tuple[str, ...] = ("price_change", "stock_out", "competitor_price")


def _mad_sd(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if x.size < 3:
        return float("nan")
    return 1.4826 * float(np.median(np.abs(x - np.median(x))))


def _level(logs: np.ndarray, t: int, n: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(logs[..., max(t - 1 - n, 0):max(t - 1, 0)], axis=-1)


def _severity(money_share: float) -> str:
    return "critical" if money_share >= 0.2 else "high" if money_share >= 0.08 else "medium" if money_share >= 0.03 \
        else "low"


def conversion_peer_signals(stores: list[str], dates: list[dt.date], conversion: np.ndarray, visitors: np.ndarray | None,
                            gmv: np.ndarray | None, day: dt.date, *, settings: Settings,
                            cs: CrossSectionSettings = CrossSectionSettings(), only: frozenset[str] | None = None,
                            priority: int = 99) -> list[Signal]:
    """Stores (among ``only``, default all) whose conversion ([S, D], each store's own 口径) fell on
    ``day`` while the other stores' held or rose. ``visitors`` ([S, D]) gives the binomial noise floor,
    ``gmv`` ([S, D]) the money at stake (relative fall × the GMV the store would have taken)."""
    if day not in dates or len(stores) < 3:
        return []
    i = dates.index(day)
    if i < cs.level_days + 2:
        return []
    with np.errstate(invalid="ignore", divide="ignore"):
        logs = np.log(np.where(conversion > 0, conversion, np.nan))

    def change(t: int) -> np.ndarray:
        return logs[:, t] - _level(logs, t, cs.level_days)

    now = change(i)
    if np.isfinite(now).sum() < 3:
        return []
    history = [t for t in range(max(i - 1 - cs.reference_days, 0), i - 1) if t >= cs.level_days + 2]
    past_changes = {t: change(t) for t in history}
    out: list[Signal] = []
    for s, store in enumerate(stores):
        if (only is not None and store not in only) or not np.isfinite(now[s]) or now[s] >= 0:
            continue
        peers = np.array([o for o in range(len(stores)) if o != s])

        def resid(c: np.ndarray) -> tuple[float, float]:
            pc = c[peers]
            pc = pc[np.isfinite(pc)]
            if pc.size < 2 or not np.isfinite(c[s]):
                return float("nan"), float("nan")
            med = float(np.median(pc))
            return float(c[s] - med), med

        u, peer_change = resid(now)
        if not math.isfinite(u) or peer_change < 0:
            continue
        past = np.array([resid(c)[0] for c in past_changes.values()])
        past = past[np.isfinite(past)]
        if past.size < cs.min_reference:
            continue
        sd = max(_mad_sd(past), cs.min_spread)
        if visitors is not None and np.isfinite(visitors[s, i]) and visitors[s, i] > 0:
            p = float(conversion[s, i])
            n = float(visitors[s, i])
            sd = max(sd, math.sqrt(2 * max(1 - p, 0.0) / max(p * n, 1e-9)))  # binomial noise of a log rate, two days
        threshold = max(settings.z * sd, -math.log(1 - cs.conversion_fall))
        if u > -threshold:
            continue
        actual = float(conversion[s, i])
        expected = actual / math.exp(u)
        relative = actual / expected - 1
        day_gmv = float(gmv[s, i]) if gmv is not None and np.isfinite(gmv[s, i]) else 0.0
        lost = day_gmv / (1 + relative) - day_gmv if relative > -1 else day_gmv  # the GMV the usual conversion gives more
        share = lost / (day_gmv + lost) if day_gmv + lost > 0 else 0.0
        out.append(Signal(store_id=store, day=day, kpi="conversion_rate", product_id="", actual=actual,
                          expected=expected, low=expected * math.exp(-threshold), high=expected * math.exp(threshold),
                          z=u / sd, relative=relative, money_at_stake=lost, severity=max(_severity(share), "medium",
                                                                                           key=_rank),
                          bad=True, alerting=True, priority=priority))
    return out


_RANKS = {"low": 0, "medium": 1, "high": 2, "critical": 3}


def _rank(s: str) -> int:
    return _RANKS[s]


def share_collapse_signals(store_id: str, products: list[str], dates: list[dt.date], units: np.ndarray,
                           item_gmv: np.ndarray, day: dt.date, *, settings: Settings, visitors: np.ndarray | None = None,
                           cs: CrossSectionSettings = CrossSectionSettings(), store_gmv: float = 0.0,
                           priority: int = 99) -> list[Signal]:
    """Top products ([P, D] units and item GMV of one store) whose share of the store's units collapsed
    on ``day`` while the store's item GMV was up against its last week. ``store_gmv`` (the store's GMV
    of the day) sizes the severity."""
    if day not in dates or len(products) < 3:
        return []
    i = dates.index(day)
    ref = list(range(max(i - 1 - cs.level_days, 0), max(i - 1, 0)))
    if len(ref) < cs.level_days:
        return []
    u = np.nan_to_num(units.astype(float))
    g = np.nan_to_num(item_gmv.astype(float))
    total_ref = g[:, ref].sum(axis=0)
    if g[:, i].sum() < float(np.median(total_ref)):
        return []  # the store is not up
    units_ref = u[:, ref].sum(axis=1)
    all_ref = units_ref.sum()
    if all_ref <= 0:
        return []
    out: list[Signal] = []
    day_units = float(u[:, i].sum())
    for p, pid in enumerate(products):
        share = units_ref[p] / all_ref
        others_now = day_units - u[p, i]
        others_ref = all_ref - units_ref[p]
        if others_ref <= 0:
            continue
        expected = share / (1 - share) * others_now if share < 1 else 0.0  # leave-one-out: the others' units today
        if expected < cs.min_expected:
            continue
        actual = float(u[p, i])
        if actual > (1 - cs.share_fall) * expected:
            continue
        z = poisson_z(actual, expected)
        if z > -settings.z:
            continue
        if visitors is not None:
            # buyers walked away from it, rather than the campaign's traffic going elsewhere (a 会场 featuring
            # other products): its units per visitor must have fallen too
            v_ref, v_now = float(np.nansum(visitors[p, ref])), float(visitors[p, i])
            if not (v_ref > 0 and np.isfinite(v_now)):
                continue
            if v_now > 0 and actual / v_now > (1 - cs.conversion_fall_product) * units_ref[p] / v_ref:
                continue
        price = g[p, ref].sum() / units_ref[p] if units_ref[p] > 0 else 0.0
        lost = (expected - actual) * price
        sev = _severity(lost / store_gmv) if store_gmv > 0 else "medium"
        out.append(Signal(store_id=store_id, day=day, kpi="units_sold", product_id=pid, actual=actual,
                          expected=expected, low=(1 - cs.share_fall) * expected, high=expected * (1 + cs.share_fall),
                          z=z, relative=actual / expected - 1, money_at_stake=lost,
                          severity=max(sev, "medium", key=_rank), bad=True, alerting=True, priority=priority))
    return out


def product_conversion_signals(sp: StoreProducts, day: dt.date, *, settings: Settings, cross: CrossSettings,
                               store_gmv: float = 0.0, priority: int = 99,
                               cs: CrossSectionSettings = CrossSectionSettings()) -> list[Signal]:
    """Top products of one store (``sp``) with evidence on ``day`` whose buyers fell against their
    leave-one-out share of the store's top products, and whose buyers per visitor fell against their usual
    × the other products' conversion change of the day (see the module's docstring). Thresholds are the
    product check's (``cross``: ``evidence_z``, ``evidence_fall``, ``stock_fall``, ``conversion_fall``)."""
    if day not in sp.dates or len(sp.products) < 3:
        return []
    i = sp.dates.index(day)
    ref = np.arange(max(i - 1 - cross.reference_days, 0), max(i - 1, 0))
    x = np.nan_to_num(sp.buyers, nan=0.0)
    v = np.nan_to_num(sp.visitors, nan=0.0)
    have = ~np.isnan(sp.buyers).all(axis=0)
    ref = ref[have[ref]]
    if ref.size < cross.min_reference or not have[i]:
        return []
    evidence = [{k: v for k, v in ev.items() if k in cs.day_evidence} for ev in product_evidence(sp, i, cross)]
    if not any(evidence):
        return []
    others, share, phi = share_model(x, ref, min_expected=cross.min_expected)  # leave-one-out, as the product check
    others_v = v.sum(axis=0)[None, :] - v
    out: list[Signal] = []
    for p, pid in enumerate(sp.products):
        if not evidence[p] or share[p] <= 0 or share[p] * others[p, i] < cross.min_expected:
            continue
        best = None
        for cols in ([i], [i - 1, i]):
            if len(cols) == 2 and (i < 1 or not have[i - 1]):
                continue
            e = float(share[p] * others[p, cols].sum())
            a = float(x[p, cols].sum())
            z = poisson_z(a, e) / math.sqrt(phi)
            if best is None or z < best[2]:
                best = (cols, a, z, a / e - 1 if e else 0.0, e)
        cols, actual, z, rel, expected = best
        need = cross.stock_fall if set(evidence[p]) == {"stock_out"} else cross.evidence_fall
        if z > -cross.evidence_z or rel > -need:
            continue
        recent = ref[ref >= i - 1 - cross.recent_days]
        if recent.size >= 3 and others[p, recent].sum() > 0:
            e_recent = float(x[p, recent].sum() / others[p, recent].sum() * others[p, cols].sum())
            if actual > (1 - need) * e_recent:
                continue
        # its conversion against its usual × the other products' conversion change of the day
        v_ref, v_day = float(v[p, ref].sum()), float(v[p, cols].sum())
        o_ref = float(others[p, ref].sum()) / float(others_v[p, ref].sum()) if others_v[p, ref].sum() > 0 else 0.0
        o_day = float(others[p, cols].sum()) / float(others_v[p, cols].sum()) if others_v[p, cols].sum() > 0 else 0.0
        if v_ref <= 0 or v_day <= 0 or o_ref <= 0 or o_day <= 0:
            continue  # no visitors to judge the conversion by (or nobody looked at it)
        e_conv = float(x[p, ref].sum()) / v_ref * v_day * (o_day / o_ref)
        if actual > (1 - cross.conversion_fall) * e_conv:
            continue
        value = float(np.nan_to_num(sp.item_gmv[p, ref]).sum()) / max(float(x[p, ref].sum()), 1.0)
        money = abs(rel) * expected * value
        sev = _severity(money / (store_gmv * len(cols))) if store_gmv > 0 else "medium"
        sev = min(max(sev, "medium", key=_rank), "high", key=_rank)  # evidence: worth a look; one product never critical
        spread = math.sqrt(phi * max(expected, 1.0))
        out.append(Signal(store_id=sp.store_id, day=day, kpi="item_buyers", product_id=pid, actual=actual,
                          expected=expected, low=max(expected - settings.z * spread, 0.0),
                          high=expected + settings.z * spread, z=z, relative=rel, money_at_stake=money, severity=sev,
                          bad=True, alerting=True, window=len(cols), priority=priority,
                          evidence=tuple((k, st, facts) for k, (st, facts) in evidence[p].items())))
    return out


def store_day_matrix(store_frame, kpi: str, stores: list[str], dates: list[dt.date], *,
                     date_col: str = "bucket") -> np.ndarray | None:
    """A KPI of the run's store frame (long: ``store_id``, ``date_col``, KPIs) as a stores × dates
    array, NaN where a store has no row for a day; None when the frame has no such KPI."""
    if kpi not in store_frame:
        return None
    pos = {d: k for k, d in enumerate(dates)}
    arr = np.full((len(stores), len(dates)), np.nan)
    for k, store in enumerate(stores):
        g = store_frame[store_frame.store_id == store]
        cols = np.array([pos.get(d, -1) for d in g[date_col]], dtype=np.int64)
        ok = cols >= 0
        arr[k, cols[ok]] = g[kpi].to_numpy(dtype=float)[ok]
    return arr


def campaign_checks(store_frame, store_products: dict, dates: list[dt.date], stores: list[str], *,
                    skip: dict[str, frozenset[dt.date]], settings: Settings,
                    cs: CrossSectionSettings = CrossSectionSettings(), date_col: str = "bucket",
                    cross: CrossSettings | None = None, expected_gmv: dict | None = None):
    """The checks as a callback per day for the run (``pipeline.run_days``); None when no store
    has a campaign day in ``dates``. ``store_frame``: the run's store KPIs by day (pandas);
    ``store_products``: ``crosscheck.StoreProducts`` per store; ``cross`` the product check's thresholds
    (default ``CrossSettings()``), ``expected_gmv`` (store, day) → GMV for the product signals' severity."""
    if not any(skip.get(s) for s in stores):
        return None
    pos = {d: k for k, d in enumerate(dates)}

    def column(kpi: str) -> np.ndarray | None:
        return store_day_matrix(store_frame, kpi, stores, dates, date_col=date_col)

    conversion, visitors, gmv = column("conversion_rate"), column("visitors"), column("gmv")

    def checks(day: dt.date) -> list[Signal]:
        on = frozenset(s for s in stores if day in skip.get(s, frozenset()))
        if not on:
            return []
        out: list[Signal] = []
        if conversion is not None:
            out += conversion_peer_signals(stores, dates, conversion, visitors, gmv, day, settings=settings, cs=cs,
                                           only=on, priority=CATALOG["conversion_rate"].priority)
        i = pos.get(day)
        for store in sorted(on) if cs.product_conversion else ():
            sp = store_products.get(store)
            if sp is not None:
                out += product_conversion_signals(sp, day, settings=settings, cross=cross or CrossSettings(),
                                                  store_gmv=(expected_gmv or {}).get((store, day), 0.0),
                                                  priority=CATALOG["item_buyers"].priority, cs=cs)
        for store in sorted(on) if cs.share_collapse else ():
            sp = store_products.get(store)
            if sp is None or i is None:
                continue
            k = stores.index(store) if store in stores else None
            day_gmv = float(gmv[k, i]) if gmv is not None and k is not None and np.isfinite(gmv[k, i]) else 0.0
            out += share_collapse_signals(store, list(sp.products), dates, sp.units, sp.item_gmv, day,
                                          settings=settings, visitors=sp.visitors, cs=cs, store_gmv=day_gmv,
                                          priority=CATALOG["units_sold"].priority)
        return out

    return checks


def campaign_competitor_cuts(comp, campaign_days: dict[str, frozenset[dt.date]], *, move: float = 0.05,
                             max_gap: int = 3) -> dict[tuple[str, str], dict[dt.date, float]]:
    """A matched competitor item's price cut on a store's campaign days beyond what the market's move
    predicts **for that item**: (store, product) → {day: the deepest such cut of its items (≥ 0)}.

    The product check's competitor evidence is an item's cut against its 14-day median less the median cut
    of the store's matched items that day. Inside a campaign window that misses two cases (dev 年货节 seed
    2890): an item that does not join the campaign's discount and cuts 22 % on its own while the others sit
    12 % down (its cut less the market's is 10 %), and an item that cuts on the day the campaign's discount
    ends and the others' prices go back up (its cut against its 14-day median — the campaign price — is 11 %,
    and a market that rose is floored at 0). Here, per item: the change from its previous snapshot (within
    ``max_gap`` days), dod = 1 − price ÷ previous; the market's dod m = the median over the store's items
    that day (≥ 3 items); the item's **participation** β = the median of its dod ÷ m over the earlier days the
    market moved by ``move`` or more (an item that keeps its price through the campaign's cuts has β 0, one
    that follows them 1; clipped to 0–1.5). Cut beyond the market = dod − β × m; without an earlier move to
    learn β from, β = 1 and only the market's cuts are taken off (m floored at 0), as the 14-day rule does.
    Only the store's campaign days are given a value (ordinary days keep the 14-day rule alone)."""
    out: dict[tuple[str, str], dict[dt.date, float]] = {}
    if comp is None or not len(comp):
        return out
    for store, g in comp.groupby("store_id"):
        store = str(store)
        days_on = campaign_days.get(store, frozenset())
        if not days_on:
            continue
        g = g.groupby(["competitor_item_id", "date"], as_index=False).agg(price=("price", "median"),
                                                                         product_id=("product_id", "first"))
        dates = sorted(set(g["date"]))
        pos = {d: k for k, d in enumerate(dates)}
        items = sorted(set(g["competitor_item_id"]))
        row = {it: k for k, it in enumerate(items)}
        price = np.full((len(items), len(dates)), np.nan)
        price[[row[i] for i in g["competitor_item_id"]], [pos[d] for d in g["date"]]] = g["price"].to_numpy(dtype=float)
        product_of = dict(zip(g["competitor_item_id"], g["product_id"].astype(str)))
        dod = np.full_like(price, np.nan)
        for r in range(len(items)):
            last_k = None
            for k in range(len(dates)):
                if not np.isfinite(price[r, k]) or price[r, k] <= 0:
                    continue
                if last_k is not None and (dates[k] - dates[last_k]).days <= max_gap:
                    dod[r, k] = 1.0 - price[r, k] / price[r, last_k]
                last_k = k
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            counts = np.isfinite(dod).sum(axis=0)
            market = np.where(counts >= 3, np.nanmedian(dod, axis=0), np.nan)
        moved = np.isfinite(market) & (np.abs(market) >= move)
        for r, item in enumerate(items):
            pid = product_of[item]
            for k, d in enumerate(dates):
                if d not in days_on or not np.isfinite(dod[r, k]):
                    continue
                m = float(market[k]) if np.isfinite(market[k]) else 0.0
                earlier = [j for j in range(k) if moved[j] and np.isfinite(dod[r, j])]
                if earlier:
                    beta = float(np.clip(np.median([dod[r, j] / market[j] for j in earlier]), 0.0, 1.5))
                    beyond = float(dod[r, k]) - beta * m
                else:
                    beyond = float(dod[r, k]) - max(m, 0.0)
                if beyond > 1e-9:
                    cell = out.setdefault((store, pid), {})
                    cell[d] = max(cell.get(d, 0.0), beyond)
    return out
