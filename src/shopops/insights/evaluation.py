"""Evaluation of insights on planted incidents (pure: no Django, no warehouse).

``draw_schedule`` draws a random incident schedule (every kind, random store, day and
product rank) for a *season* — ordinary days, or a campaign window — from a seed;
``score`` compares a run's findings with the truth the demo generator wrote
(``incidents.json``), never with the code under test. ``bench/eval_insights.py`` runs the
whole chain (generator → import pipeline → ``run_days``) over many seeds;
``tests/insights/test_evaluation.py`` over a few.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from shopops.insights.detection import only_alert_of

KINDS = ("price_rise", "stock_out", "bad_reviews", "competitor_cut", "ad_cut", "tracking_outage")
PRODUCT_KINDS = ("price_rise", "stock_out", "bad_reviews", "competitor_cut")
STORES = ("tmall", "jd", "pdd", "douyin", "own")
# the own mini-program buys no ads and no competitor lists against it; only it has an event stream to lose
# (the platform stores give reports, no events: shopops.metrics.channels.has_event_stream)
STORES_OF_KIND = {"ad_cut": STORES[:4], "competitor_cut": STORES[:4], "tracking_outage": ("own",)}
LOOKBACK = 56  # days of history before the first judged day


@dataclass(frozen=True)
class Season:
    """Where incidents fall: ``first``..``last`` are the judged days (incidents inside them)."""

    name: str
    first: dt.date
    last: dt.date
    history: int = LOOKBACK  # days written before ``first`` (a year and more: last year's campaign is there)
    per_kind: int = 3  # incidents of every kind (a short window holds one of each: 5 stores, 5 days apart)
    leave_out: int = 0  # kinds a seed leaves out, drawn from the seed (99划算节's 3 days: one incident per store)

    @property
    def generate_days(self) -> int:
        """Days the generator writes: the history before ``first`` and the judged days."""
        return (self.last - self.first).days + 1 + self.history + 1

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=i) for i in range((self.last - self.first).days + 1)]


YEAR_HISTORY = 400  # a year and the four weeks before last year's campaign

# ordinary summer days (no platform campaign: 99划算节 starts 9/7), and 618 (5/20–6/20) with 8 weeks of
# history; 双11 (10/15–11/13) and 年货节 2025 (12/30–2/4, 春节 1/29) with last year's campaign in the history;
# the short windows 双12 (12/5–12/12) and 38节 (3/1–3/8), last year's in the history, one incident of each kind
# (8 days hold two incidents per store 5 days apart: 10 places for 6 kinds, a tracking outage only at own);
# 99划算节 (9/7–9/9, no warm-up days in either calendar) holds one 2-day incident per store: 5 of the 6 kinds,
# the one left out drawn from the seed; judged through 9/10 (an ordinary day: its store-days count as normal
# ones) so that an incident starts on 9/7 or 9/8 (a season's incidents end by the day before its last)
SEASONS = {
    "ordinary": Season("ordinary", dt.date(2025, 7, 10), dt.date(2025, 9, 5)),
    "campaign": Season("campaign", dt.date(2025, 5, 20), dt.date(2025, 6, 20)),
    "double11": Season("double11", dt.date(2025, 10, 15), dt.date(2025, 11, 13), YEAR_HISTORY),
    "newyear": Season("newyear", dt.date(2024, 12, 30), dt.date(2025, 2, 4), YEAR_HISTORY),
    "campaign_year": Season("campaign_year", dt.date(2025, 5, 20), dt.date(2025, 6, 20), YEAR_HISTORY),
    "double12": Season("double12", dt.date(2025, 12, 5), dt.date(2025, 12, 12), YEAR_HISTORY, per_kind=1),
    "women38": Season("women38", dt.date(2025, 3, 1), dt.date(2025, 3, 8), YEAR_HISTORY, per_kind=1),
    "nine9": Season("nine9", dt.date(2025, 9, 7), dt.date(2025, 9, 10), YEAR_HISTORY, per_kind=1, leave_out=1),
}


@dataclass(frozen=True)
class Planned:
    kind: str
    store_id: str
    day: dt.date
    rank: int  # 0 = the store's best seller (product kinds)


def draw_schedule(seed: int, season: Season, *, per_kind: int | None = None, days: int = 2, gap: int = 5,
                  max_rank: int = 9) -> list[Planned]:
    """``per_kind`` (default the season's) incidents of every kind at random stores and days inside
    ``season``; a store never has two within ``gap`` days (their windows and the cool-down stay apart).
    Product incidents hit the store's ``rank``-th best seller, rank uniform in 0..``max_rank``."""
    per_kind = season.per_kind if per_kind is None else per_kind
    kinds = [k for k in KINDS for _ in range(per_kind)]
    if season.leave_out:  # its own stream: the other seasons' draws stay as they were
        out = np.random.default_rng([seed, 18, 0, 99]).choice(len(KINDS), size=season.leave_out, replace=False)
        kinds = [k for k in kinds if KINDS.index(k) not in set(out.tolist())]
    try:
        return _draw(seed, season, kinds, days, gap, max_rank, constrained_first=False)
    except ValueError:  # the one-store kinds (a tracking outage) found their store full: place them first
        pass
    for attempt in range(50):  # a short window (8 days) the random days left fragmented: draw again
        try:
            return _draw(seed, season, kinds, days, gap, max_rank, constrained_first=True, attempt=attempt)
        except ValueError:
            continue
    raise ValueError(f"{per_kind} incidents of every kind do not fit {season.first}..{season.last} {gap} days apart")


def _draw(seed: int, season: Season, kinds: list[str], days: int, gap: int, max_rank: int, *,
          constrained_first: bool, attempt: int = 0) -> list[Planned]:
    # attempt 0 is the draw every earlier schedule was made with (its warehouses stay valid)
    rng = np.random.default_rng([seed, 18] if attempt == 0 else [seed, 18, attempt])
    span = (season.last - season.first).days - days + 1
    taken: dict[str, list[int]] = {s: [] for s in STORES}
    out: list[Planned] = []
    kinds = list(kinds)
    rng.shuffle(kinds)
    if constrained_first:
        kinds.sort(key=lambda k: len(STORES_OF_KIND.get(k, STORES)))
    for kind in kinds:
        allowed = STORES_OF_KIND.get(kind, STORES)
        for _attempt in range(200):
            store = allowed[int(rng.integers(len(allowed)))]
            d = int(rng.integers(span))
            if all(abs(d - o) >= gap for o in taken[store]):
                break
        else:  # a crowded season: the first free day of the least crowded store that has one
            for store in sorted(allowed, key=lambda s: len(taken[s])):
                d = next((x for x in range(span) if all(abs(x - o) >= gap for o in taken[store])), None)
                if d is not None:
                    break
            else:
                raise ValueError(f"{len(kinds)} incidents do not fit {season.first}..{season.last} {gap} days apart")
        taken[store].append(d)
        rank = int(rng.integers(max_rank + 1)) if kind in PRODUCT_KINDS else 0
        out.append(Planned(kind, store, season.first + dt.timedelta(days=d), rank))
    out.sort(key=lambda p: (p.day, p.store_id))
    return out


@dataclass
class Outcome:
    """One incident's outcome."""

    truth: dict
    found: bool
    top1: bool
    top3: bool
    named: list[tuple[str, str]]


@dataclass
class Score:
    incidents: int
    detected: int
    findings: int
    true_findings: int
    top1: int
    top3: int
    normal_store_days: int
    false_alerts: int
    campaign_store_days: int = 0
    campaign_false_alerts: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    false: list = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.detected / self.incidents if self.incidents else float("nan")

    @property
    def precision(self) -> float:
        return self.true_findings / self.findings if self.findings else 1.0

    @property
    def top1_of_detected(self) -> float:
        return self.top1 / self.detected if self.detected else float("nan")

    @property
    def top3_of_detected(self) -> float:
        return self.top3 / self.detected if self.detected else float("nan")

    @property
    def false_rate(self) -> float:
        return self.false_alerts / self.normal_store_days if self.normal_store_days else 0.0


def windows(truth: Iterable[dict]) -> list[dict]:
    return [dict(t, first=dt.date.fromisoformat(t["day"]), last=dt.date.fromisoformat(t["last_day"])) for t in truth]


def names_truth(evidence, t: dict) -> bool:
    return evidence.kind == t["cause"] and (t["product_id"] is None or evidence.product_id == t["product_id"])


def score(diagnosed: Sequence, truth: Iterable[dict], days: Sequence[dt.date], *,
          campaign_days: set[tuple[str, dt.date]], stores: Sequence[str] = STORES) -> Score:
    """Recall, precision, named cause and false alerts of a run's ``diagnosed`` findings.

    A finding is true when it is on a day of an incident of its store; an incident is found
    when one finding is; its named cause is the first such finding's evidence (kind, and the
    product for product incidents). Normal store-days have no incident and no campaign."""
    incidents = windows(truth)

    def matches(d):
        f = d.finding
        return [t for t in incidents if t["store_id"] == f.store_id and t["first"] <= f.day <= t["last"]]

    true_findings = [d for d in diagnosed if matches(d)]
    outcomes = []
    for t in incidents:
        hits = [d for d in diagnosed if any(m is t for m in matches(d))]
        if not hits:
            outcomes.append(Outcome(t, False, False, False, []))
            continue
        ev = hits[0].evidence
        outcomes.append(Outcome(t, True, bool(ev) and names_truth(ev[0], t), any(names_truth(e, t) for e in ev[:3]),
                                [(e.kind, e.product_id) for e in ev[:3]]))
    incident_days = {(t["store_id"], t["first"] + dt.timedelta(days=k)) for t in incidents
                     for k in range((t["last"] - t["first"]).days + 1)}
    all_days = {(s, d) for s in stores for d in days}
    normal = all_days - campaign_days - incident_days
    campaign = (all_days & campaign_days) - incident_days
    false = [d for d in diagnosed if (d.finding.store_id, d.finding.day) in normal]
    campaign_false = [d for d in diagnosed if (d.finding.store_id, d.finding.day) in campaign]
    return Score(
        incidents=len(incidents), detected=sum(o.found for o in outcomes), findings=len(diagnosed),
        true_findings=len(true_findings), top1=sum(o.top1 for o in outcomes), top3=sum(o.top3 for o in outcomes),
        normal_store_days=len(normal), false_alerts=len(false), campaign_store_days=len(campaign),
        campaign_false_alerts=len(campaign_false), outcomes=outcomes, false=false + campaign_false,
    )


def run_weekly(run_days, days: Sequence[dt.date], *, config, con, chunk: int = 7) -> list:
    """``run_days`` over ``days`` a week at a time, the cool-down carried over: each week's best
    sellers come from the weeks before it, as in the daily run (a single backfill would pick them
    from the history before its first day only)."""
    out: list = []
    last: dict = {}
    zs: dict = {}
    days = sorted(days)
    for k in range(0, len(days), chunk):
        result = run_days(days[k:k + chunk], config=config, con=con, last_alerted=dict(last), last_z=dict(zs))
        for d in result.diagnosed:
            for key, old_day in d.finding.updates:  # an update of an earlier week's finding moves it (as the daily run)
                if d.finding.moved_from == old_day:
                    continue
                earlier = next((e for e in out if e.finding.store_id == d.finding.store_id
                                and e.finding.day == old_day), None)
                if earlier is not None and only_alert_of(earlier.finding.signals, key, config.settings):
                    out.remove(earlier)
                    d.finding.moved_from = old_day
            for sig in d.finding.signals:
                last[sig.key] = d.finding.day
                zs[sig.key] = sig.z
        out += result.diagnosed
    return out
