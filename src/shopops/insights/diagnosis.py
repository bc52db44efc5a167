"""Diagnosis: where a change comes from, and which evidence explains it (pure Python/pandas).

**Decomposition** compares the finding's day with a *reference day*: the average of the
same weekday over the last four weeks (days without campaigns), so the reference is one
consistent set of numbers (its GMV = visitors × conversion × AOV exactly).

* ``factor_contributions`` — GMV = visitors × conversion × AOV: each factor's Shapley
  contribution (the average of its effect over every order of switching the factors from
  the reference to the day); they sum exactly to the change in GMV.
* ``mix_rate`` — a rate over segments (conversion over traffic sources: Σ wᵢ·rᵢ with
  wᵢ the segment's share of visitors): per segment a *mix* effect (Δw × mean r) and a
  *rate* effect (Δr × mean w), summing exactly to the change of the rate.
* ``additive`` — a sum over segments (GMV over products, sources, new/returning): each
  segment's own change.

**Evidence** is checked on the top contributors: price changes (average paid unit price
of a product, day vs reference), new 差评 and their topics, competitor price cuts, stock-
outs and days of cover, ad spend, traffic-source shifts, and tracking gaps (behaviour
events missing while the platform's traffic report has the visitors). Each item gets a
score = strength (how big the fact is, 0–1) × relevance (how much of the change the
thing it is about carries, 0–1) × the weight of its kind (causes above symptoms).
The named cause is the highest-scoring item.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import pandas as pd

from shopops.metrics.runners.breakdown import OTHERS

# review topics: keyword lists (the words shoppers use), first match wins per topic
TOPICS: dict[str, tuple[str, ...]] = {
    "尺码": ("尺码", "码数", "偏大", "偏小", "大一码", "小一码", "穿不上", "号"),
    "质量": ("质量", "做工", "起球", "掉色", "开线", "线头", "破", "薄"),
    "物流": ("物流", "快递", "发货", "送货", "配送", "慢"),
    "色差": ("色差", "颜色", "图片不符", "不一样"),
    "客服": ("客服", "态度", "不理", "回复"),
    "价格": ("价格", "贵", "降价", "保价"),
}
# cause before symptom: a traffic-source shift is what a cause looks like, not a cause
KIND_WEIGHT = {
    "price_change": 1.0, "bad_reviews": 1.0, "competitor_price": 0.9, "stock_out": 1.0,
    "ad_spend": 1.0, "tracking_gap": 1.0, "traffic_source": 0.5, "promotion": 0.8,
}
CAUSES = tuple(KIND_WEIGHT)


@dataclass(frozen=True, slots=True)
class Contribution:
    name: str
    value: float  # contribution to the change, in the KPI's unit
    mix: float = 0.0  # mix/rate split (mix_rate only)
    rate: float = 0.0
    before: float = 0.0
    after: float = 0.0


def shapley(factors0: Mapping[str, float], factors1: Mapping[str, float]) -> list[Contribution]:
    """Contributions of each factor of a product Π xᵢ to its change (exact: they sum to Y₁ − Y₀)."""
    names = list(factors0)
    n = len(names)
    totals = dict.fromkeys(names, 0.0)
    perms = list(itertools.permutations(names))
    for perm in perms:
        current = dict(factors0)
        for name in perm:
            before = math.prod(current.values())
            current[name] = factors1[name]
            totals[name] += math.prod(current.values()) - before
    del n
    return [Contribution(name, totals[name] / len(perms), before=factors0[name], after=factors1[name])
            for name in names]


def factor_contributions(ref: Mapping[str, float], day: Mapping[str, float]) -> list[Contribution]:
    """GMV = visitors × conversion × AOV; ``ref``/``day`` carry gmv, visitors, paying_buyers."""
    def factors(v):
        visitors, buyers, gmv = float(v["visitors"]), float(v["paying_buyers"]), float(v["gmv"])
        conversion = buyers / visitors if visitors else 0.0
        aov = gmv / buyers if buyers else 0.0
        return {"visitors": visitors, "conversion_rate": conversion, "aov": aov}
    f0, f1 = factors(ref), factors(day)
    out = shapley(f0, f1)
    # when a part is 0 the product differs from GMV (buyers without visitors): put the rest on AOV
    rest = (float(day["gmv"]) - float(ref["gmv"])) - sum(c.value for c in out)
    if abs(rest) > 1e-6:
        out = [Contribution(c.name, c.value + (rest if c.name == "aov" else 0.0), before=c.before, after=c.after)
               for c in out]
    return out


def mix_rate(ref: pd.DataFrame, day: pd.DataFrame, *, key: str, base: str, part: str) -> list[Contribution]:
    """Rate = Σ part / Σ base over segments ``key``: mix and rate effects per segment (exact)."""
    a = ref.set_index(key)[[base, part]].astype(float)
    b = day.set_index(key)[[base, part]].astype(float)
    idx = a.index.union(b.index)
    a, b = a.reindex(idx, fill_value=0.0), b.reindex(idx, fill_value=0.0)
    b0, b1 = a[base].sum(), b[base].sum()
    out = []
    for seg in idx:
        w0 = a.at[seg, base] / b0 if b0 else 0.0
        w1 = b.at[seg, base] / b1 if b1 else 0.0
        r0 = a.at[seg, part] / a.at[seg, base] if a.at[seg, base] else None
        r1 = b.at[seg, part] / b.at[seg, base] if b.at[seg, base] else None
        r0 = r1 if r0 is None else r0
        r1 = r0 if r1 is None else r1
        r0 = r0 or 0.0
        r1 = r1 or 0.0
        mix = (w1 - w0) * (r0 + r1) / 2
        rate = (r1 - r0) * (w0 + w1) / 2
        out.append(Contribution(str(seg), mix + rate, mix=mix, rate=rate, before=r0, after=r1))
    # segments whose rate has no base on either side carry the remainder (numerator without base)
    total0 = a[part].sum() / b0 if b0 else 0.0
    total1 = b[part].sum() / b1 if b1 else 0.0
    rest = (total1 - total0) - sum(c.value for c in out)
    if abs(rest) > 1e-12 and out:
        c = out[0]
        out[0] = Contribution(c.name, c.value + rest, mix=c.mix, rate=c.rate + rest, before=c.before, after=c.after)
    out.sort(key=lambda c: c.value)
    return out


def additive(ref: pd.DataFrame, day: pd.DataFrame, *, key: str, value: str, top: int = 0) -> list[Contribution]:
    """A sum over segments: each segment's change, most negative first (``top`` keeps that many + others)."""
    a = ref.set_index(key)[value].astype(float)
    b = day.set_index(key)[value].astype(float)
    idx = a.index.union(b.index)
    a, b = a.reindex(idx, fill_value=0.0), b.reindex(idx, fill_value=0.0)
    out = [Contribution(str(seg), float(b[seg] - a[seg]), before=float(a[seg]), after=float(b[seg])) for seg in idx]
    out.sort(key=lambda c: (c.value, c.name))
    if top and len(out) > top:
        rest = out[top:]
        out = out[:top] + [Contribution(OTHERS, sum(c.value for c in rest),
                                        before=sum(c.before for c in rest), after=sum(c.after for c in rest))]
    return out


def reference_days(day: dt.date, *, skip: frozenset[dt.date], available: Sequence[dt.date], weeks: int = 4) -> list[dt.date]:
    """The same weekday over the last ``weeks`` weeks, minus campaign days; else the last 7 ordinary days."""
    have = set(available)
    if day in skip:  # a campaign day: the week just before it (campaign days too) is the nearest comparable
        return [d for d in (day - dt.timedelta(days=k) for k in range(1, 8)) if d in have]
    same = [day - dt.timedelta(days=7 * k) for k in range(1, weeks + 1)]
    same = [d for d in same if d in have and d not in skip]
    if len(same) >= 2:
        return same
    recent = [day - dt.timedelta(days=k) for k in range(1, 29)]
    return [d for d in recent if d in have and d not in skip][:7]


def average_day(frame: pd.DataFrame, days: Sequence[dt.date], *, date_col: str, keys: Sequence[str],
                values: Sequence[str]) -> pd.DataFrame:
    """Mean per key over ``days`` (a day without a row counts as 0)."""
    sub = frame[frame[date_col].isin(list(days))]
    if not keys:
        return pd.DataFrame([{v: float(sub[v].sum()) / max(len(days), 1) for v in values}])
    out = sub.groupby(list(keys), as_index=False)[list(values)].sum()
    for v in values:
        out[v] = out[v].astype(float) / max(len(days), 1)
    return out


def on_day(frame: pd.DataFrame, day: dt.date, *, date_col: str) -> pd.DataFrame:
    return frame[frame[date_col] == day]


def topics_of(texts: Sequence[str]) -> dict[str, int]:
    """How many of ``texts`` mention each topic, most mentioned first."""
    counts = dict.fromkeys(TOPICS, 0)
    for text in texts:
        text = text or ""
        for topic, words in TOPICS.items():
            if any(w in text for w in words):
                counts[topic] += 1
    return dict(sorted(((k, v) for k, v in counts.items() if v), key=lambda kv: (-kv[1], kv[0])))


@dataclass(frozen=True, slots=True)
class Evidence:
    kind: str
    score: float
    strength: float
    relevance: float
    product_id: str = ""
    subject: str = ""  # what it is about: a product title, a source, the store
    facts: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def _clip(x: float) -> float:
    return max(0.0, min(1.0, x))


def _ev(kind: str, strength: float, relevance: float, **kw) -> Evidence | None:
    strength, relevance = _clip(strength), _clip(relevance)
    score = strength * relevance * KIND_WEIGHT[kind]
    if score <= 0:
        return None
    return Evidence(kind, round(score, 4), round(strength, 4), round(relevance, 4), **kw)


@dataclass
class ProductFacts:
    """What is known about one top contributor (product) for the evidence checks."""

    product_id: str
    title: str
    relevance: float  # share of the change it carries (1 when the product itself signalled)
    units_ref: float
    units_day: float
    price_ref: float | None  # average paid unit price
    price_day: float | None
    bad_reviews_recent: int  # 1–2 star reviews in the last 4 days (incl. the day)
    bad_reviews_base: float  # expected in 4 days from the weeks before
    review_texts: list[str]
    competitor: list[dict]  # per competitor item: competitor, title, price_day, price_ref, promo_text
    on_hand: float | None  # at the last snapshot within a week, summed over its SKUs
    on_hand_date: dt.date | None


@dataclass
class StoreFacts:
    ad_spend_ref: float
    ad_spend_day: float
    ads_share_of_drop: float  # share of the visitor/GMV drop carried by the ads source
    tracking_ratio_ref: float | None  # event visitors / platform-report visitor-days
    tracking_ratio_day: float | None
    visitors_signalled: bool
    source_drops: list[Contribution]  # visitors by source, most negative first
    visitors_ref: float


def evidence_for_product(p: ProductFacts) -> list[Evidence]:
    out: list[Evidence] = []
    rel = p.relevance
    subject = p.title or p.product_id
    if p.price_ref and p.price_day is not None and p.units_day >= 3:
        change = p.price_day / p.price_ref - 1
        if change >= 0.05:
            e = _ev("price_change", change / 0.15, rel, product_id=p.product_id, subject=subject,
                    facts={"before": round(p.price_ref, 2), "after": round(p.price_day, 2), "change": round(change, 4)})
            out.append(e)
    extra = p.bad_reviews_recent - p.bad_reviews_base
    if p.bad_reviews_recent >= 3 and p.bad_reviews_recent >= 2 * p.bad_reviews_base + 2:
        topics = topics_of(p.review_texts)
        e = _ev("bad_reviews", extra / 8, rel, product_id=p.product_id, subject=subject,
                facts={"count": p.bad_reviews_recent, "usual": round(p.bad_reviews_base, 1), "topics": topics})
        out.append(e)
    best_cut = None
    for item in p.competitor:
        if not item.get("price_ref") or item.get("price_day") is None:
            continue
        cut = 1 - item["price_day"] / item["price_ref"]
        if cut >= 0.05 and (best_cut is None or cut > best_cut[0]):
            best_cut = (cut, item)
    if best_cut is not None:
        cut, item = best_cut
        out.append(_ev("competitor_price", (cut - 0.03) / 0.2, rel, product_id=p.product_id, subject=subject,
                       facts={"competitor": item.get("competitor", ""), "title": item.get("title", ""),
                              "before": round(item["price_ref"], 2), "after": round(item["price_day"], 2),
                              "change": round(-cut, 4), "promo": item.get("promo_text", "") or ""}))
    if p.on_hand is not None:
        daily = p.units_ref
        cover = p.on_hand / daily if daily > 0 else math.inf
        strength = 1.0 if p.on_hand <= 0 else 0.7 if cover < 1 else 0.35 if cover < 3 else 0.0
        if strength:
            out.append(_ev("stock_out", strength, rel, product_id=p.product_id, subject=subject,
                           facts={"on_hand": int(p.on_hand), "days_of_cover": None if math.isinf(cover) else round(cover, 1),
                                  "date": p.on_hand_date.isoformat() if p.on_hand_date else ""}))
    return [e for e in out if e is not None]


def evidence_for_store(s: StoreFacts) -> list[Evidence]:
    out: list[Evidence | None] = []
    if s.ad_spend_ref > 0:
        drop = 1 - s.ad_spend_day / s.ad_spend_ref
        if drop >= 0.2:
            out.append(_ev("ad_spend", drop / 0.5, max(s.ads_share_of_drop, 0.0), subject="ads",
                           facts={"before": round(s.ad_spend_ref, 2), "after": round(s.ad_spend_day, 2),
                                  "change": round(-drop, 4)}))
    if s.tracking_ratio_ref and s.tracking_ratio_day is not None:
        gap = 1 - s.tracking_ratio_day / s.tracking_ratio_ref
        if gap >= 0.15:
            out.append(_ev("tracking_gap", gap / 0.3, 1.0 if s.visitors_signalled else 0.5, subject="events",
                           facts={"before": round(s.tracking_ratio_ref, 4), "after": round(s.tracking_ratio_day, 4),
                                  "change": round(-gap, 4)}))
    total_drop = -sum(c.value for c in s.source_drops if c.value < 0)
    for c in s.source_drops[:2]:
        if c.value >= 0 or not c.before:
            continue
        fall = -c.value / c.before
        share = -c.value / total_drop if total_drop else 0.0
        if fall >= 0.25:
            out.append(_ev("traffic_source", fall / 0.6, share, subject=c.name,
                           facts={"source": c.name, "before": round(c.before, 1), "after": round(c.after, 1),
                                  "change": round(-fall, 4)}))
    return [e for e in out if e is not None]


@dataclass(frozen=True, slots=True)
class PromoWindow:
    """A promotion or campaign from the app DB, as dates in the store's time zone."""

    name: str
    first: dt.date
    last: dt.date
    stores: frozenset[str] = frozenset()  # empty: every store
    products: frozenset[str] = frozenset()  # empty: the whole store


def evidence_for_promotions(promos: Sequence[PromoWindow], *, store_id: str, day: dt.date,
                            product_relevance: Mapping[str, float]) -> list[Evidence]:
    """A promotion that ended in the 3 days before ``day`` (sales fall back), or started on it or
    the day before (prices and margins move). Relevance: the product's, for a product promotion
    on a top contributor; 0.6 for a store-wide one; 0.3 for one on other products."""
    out: list[Evidence | None] = []
    for p in promos:
        if p.stores and store_id not in p.stores:
            continue
        if day - dt.timedelta(days=3) <= p.last < day:
            event, strength, when = "ended", 0.8, p.last
        elif day - dt.timedelta(days=1) <= p.first <= day:
            event, strength, when = "started", 0.5, p.first
        else:
            continue
        if p.products:
            hits = [product_relevance[x] for x in p.products if x in product_relevance]
            relevance = max(hits) if hits else 0.3
        else:
            relevance = 0.6
        out.append(_ev("promotion", strength, relevance, subject=p.name,
                       facts={"name": p.name, "event": event, "date": when.isoformat()}))
    return [e for e in out if e is not None]


def rank(evidence: Sequence[Evidence]) -> list[Evidence]:
    return sorted(evidence, key=lambda e: (-e.score, e.kind, e.product_id))
