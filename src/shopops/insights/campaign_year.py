"""Campaign days against the same campaign last year (pure: no Django, no warehouse).

A campaign day (618, 双11, 年货节 …: the windows of :mod:`shopops.insights.calendar`) is matched
with the day of last year's same campaign that plays the same part: the same phase (预热,
开门红, 正式, 返场 — :mod:`shopops.core.festivals`) and the same day inside it. The window's
first and last days and every phase's first and last day are *anchors*; a day between two
anchors keeps its distance from the earlier one (clipped to last year's segment), so a
fixed-date campaign maps to the same date a year before, and a 年货节 — tied to 春节 — to the
day as far from last year's 春节 (年货节 2025 day 3 of 正式, 1/8, ↔ 2024's, 1/20).

The expectation of a KPI on a campaign day (``campaign_band``):

    expected = last year's value on the aligned day × scale × e^c

* scale = the store's level before this year's campaign ÷ its level before last year's (the
  median of the ordinary days in the 28 days before each window): the store grew or shrank;
* c = the median log ratio of actual to that expectation over this campaign's earlier days
  (at least 3): this year's campaign runs hotter or cooler than last year's; an earlier day more
  than z × 15 % off (×1.7 or ×0.6 at z 3.5) is left out — an incident of its own, not the campaign's
  temperature (a tracking outage multiplies the own site's conversion by 4: two such days of three
  made the next days' normal conversion look like a 70 % fall);
* spread (relative) = the robust spread of those log ratios (at least 5 days; else a prior),
  never below ``floor``, with the sampling noise of both days added (Poisson for counts; a sum of
  amounts over n items 1.3/√n; a rate over n its binomial noise).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from shopops.core.festivals import Platform, platform_festivals
from shopops.insights.calendar import campaign_windows

# the insights calendar's window label -> core.festivals key
FESTIVAL_KEY = {"年货节": "new_year_goods", "38节": "38", "618": "618", "99划算节": "99", "双11": "double11",
                "双12": "double12"}
# the phase a day is named by when phases overlap (the most specific first)
_PHASE_ORDER = ("main", "opening", "balance", "encore", "presale", "warmup")


@dataclass(frozen=True, slots=True)
class CampaignDay:
    label: str  # the window's label ("双11")
    year: int  # the year whose windows hold it (年货节: the year of its 春节)
    first: dt.date  # the window
    last: dt.date
    phase: str  # a core.festivals PhaseKind value, or "" between phases
    aligned: dt.date | None  # last year's day playing the same part (None: no such campaign last year)


def _window(day: dt.date) -> tuple[str, int, dt.date, dt.date] | None:
    for year in (day.year, day.year + 1):
        for label, first, last in campaign_windows(year):
            if first <= day <= last:
                return label, year, first, last
    return None


def _anchors(label: str, year: int, platform: Platform) -> tuple[list[dt.date], dict[dt.date, str]]:
    """The window's first day, every phase's first day and the day after its last, the day after the window."""
    first, last = next((a, b) for lab, a, b in campaign_windows(year) if lab == label)
    anchors = {first, last + dt.timedelta(days=1)}
    phases: dict[dt.date, str] = {}
    key = FESTIVAL_KEY.get(label)
    fest = next((f for f in platform_festivals(year, platform) if f.key == key), None) if key else None
    if fest is None and key:  # a festival this platform does not hold (99 outside Tmall): Tmall's phases
        fest = next((f for f in platform_festivals(year, Platform.TMALL) if f.key == key), None)
    if fest is not None:
        for p in fest.phases:
            for d in (p.first, p.last + dt.timedelta(days=1)):
                if first <= d <= last + dt.timedelta(days=1):
                    anchors.add(d)
            for k in range(p.days):
                d = p.first + dt.timedelta(days=k)
                cur = phases.get(d)
                if cur is None or _PHASE_ORDER.index(p.kind.value) < _PHASE_ORDER.index(cur):
                    phases[d] = p.kind.value
    return sorted(anchors), phases


def campaign_day(day: dt.date, platform: Platform | str = Platform.TMALL) -> CampaignDay | None:
    """The campaign ``day`` belongs to, its phase, and last year's day in the same place (None: no campaign)."""
    found = _window(day)
    if found is None:
        return None
    label, year, first, last = found
    platform = Platform(platform) if platform in set(Platform) else Platform.TMALL
    anchors, phases = _anchors(label, year, platform)
    aligned = None
    if any(lab == label for lab, _a, _b in campaign_windows(year - 1)):
        ly_anchors, _ = _anchors(label, year - 1, platform)
        k = max(i for i, a in enumerate(anchors) if a <= day)
        if len(ly_anchors) == len(anchors) and k + 1 < len(ly_anchors):
            seg_len = (ly_anchors[k + 1] - ly_anchors[k]).days
            aligned = ly_anchors[k] + dt.timedelta(days=min((day - anchors[k]).days, seg_len - 1))
        else:  # phases that do not match: the same distance from the window's first day
            ly_first = next(a for lab, a, _b in campaign_windows(year - 1) if lab == label)
            aligned = ly_first + dt.timedelta(days=(day - first).days)
    return CampaignDay(label, year, first, last, phases.get(day, ""), aligned)


def window_of(label: str, year: int) -> tuple[dt.date, dt.date]:
    return next((a, b) for lab, a, b in campaign_windows(year) if lab == label)


@dataclass(frozen=True, slots=True)
class CampaignBand:
    expected: float
    low: float
    high: float
    spread: float
    scale: float  # this year's pre-campaign level ÷ last year's
    correction: float  # e^c: this campaign so far against last year's
    aligned: dt.date
    history: int  # earlier campaign days the correction and spread come from
    noise: float = 0.0  # the sampling noise of both days (relative), part of the spread's floor


PRIOR_SPREAD = 0.15  # relative, while fewer than 5 earlier campaign days are known
FLOOR_SPREAD = 0.06


def _noise(value: float, volume: float | None, *, kind: str, is_ratio: bool) -> float:
    """Relative sampling noise of one day's value (kind: "count", "money", other)."""
    if value <= 0:
        return 0.0
    if is_ratio:
        if volume and volume > 0 and 0 < value < 1:
            return math.sqrt(value * (1 - value) / volume) / value
        return 0.0
    if kind == "count":
        return 1 / math.sqrt(value)
    if kind == "money" and volume and volume > 0:
        return 1.3 / math.sqrt(volume)
    return 0.0


def campaign_band(*, actual_ty: Sequence[float], expected_ly: Sequence[float], value_ly: float, volume_ly: float | None,
                  volume_ty: float | None, pre_ty: Sequence[float], pre_ly: Sequence[float], aligned: dt.date, z: float,
                  kind: str, is_ratio: bool = False, floor: float = FLOOR_SPREAD) -> CampaignBand | None:
    """The band of a campaign day from last year's aligned day (see the module's docstring).

    ``actual_ty`` / ``expected_ly``: this campaign's earlier days, their actual values and last year's
    values on their aligned days (the same length); ``value_ly`` last year's value on the day's aligned day;
    ``pre_ty`` / ``pre_ly`` the ordinary days before each year's window. None when a level is unknown."""
    pre_ty = np.asarray([v for v in pre_ty if v == v], dtype=float)
    pre_ly = np.asarray([v for v in pre_ly if v == v], dtype=float)
    if pre_ty.size < 7 or pre_ly.size < 7 or not (value_ly == value_ly) or value_ly <= 0:
        return None
    m_ty, m_ly = float(np.median(pre_ty)), float(np.median(pre_ly))
    if m_ty <= 0 or m_ly <= 0:
        return None
    scale = m_ty / m_ly
    a = np.asarray(actual_ty, dtype=float)
    e = np.asarray(expected_ly, dtype=float) * scale
    ok = (a > 0) & (e > 0)
    r = np.log(a[ok] / e[ok])
    r = r[np.abs(r) <= z * PRIOR_SPREAD]  # a day off last year × scale by that much was an incident of its own
    c = float(np.median(r)) if r.size >= 3 else 0.0
    if r.size >= 5:
        rel = 1.4826 * float(np.median(np.abs(r - c)))
    else:
        rel = PRIOR_SPREAD
    expected = value_ly * scale * math.exp(c)
    noise = math.hypot(_noise(expected, volume_ty, kind=kind, is_ratio=is_ratio),
                       _noise(value_ly, volume_ly, kind=kind, is_ratio=is_ratio))
    rel = max(rel, floor, noise)
    spread = expected * rel
    return CampaignBand(expected, expected - z * spread, expected + z * spread, spread, scale, math.exp(c), aligned,
                        int(r.size), noise)


def peer_residual(own: Mapping[dt.date, float], peers: Sequence[Mapping[dt.date, float]], day: dt.date, *,
                  z: float = 3.5, floor: float = FLOOR_SPREAD, noise: float = 0.0) -> tuple[float, float, int] | None:
    """A second expectation of a campaign day, from the other stores on the same days.

    ``own`` / each of ``peers``: a store's log(actual ÷ last year's aligned day × scale) per campaign day
    (this year's days so far and ``day``). The residual of a day is the store's minus the median of the
    other stores' (at least 2) that day: what moves every store alike — a hotter or cooler day of the
    campaign than last year's, the weekday a fixed-date campaign day fell on each year — cancels. Returns
    (``day``'s residual − the median residual of the earlier days (at least 3, else 0), its spread: the
    robust spread of the earlier residuals (at least 5 days, else ``PRIOR_SPREAD``) but at least ``floor``
    and ``noise``, the number of earlier days); None when ``day`` has fewer than 2 peers or no own value.
    An earlier day whose residual is beyond ``z`` × ``PRIOR_SPREAD`` is left out (an incident of its own, as
    in ``campaign_band``)."""

    def resid(d: dt.date) -> float:
        x = own.get(d, float("nan"))
        p = [v for q in peers if (v := q.get(d, float("nan"))) == v]
        return x - float(np.median(p)) if x == x and len(p) >= 2 else float("nan")

    now = resid(day)
    if now != now:
        return None
    past = np.array([r for d in sorted(own) if d < day and (r := resid(d)) == r and abs(r) <= z * PRIOR_SPREAD])
    c = float(np.median(past)) if past.size >= 3 else 0.0
    rel = 1.4826 * float(np.median(np.abs(past - c))) if past.size >= 5 else PRIOR_SPREAD
    return now - c, max(rel, floor, noise), int(past.size)
