"""Reads of the reviews side: reviews with their scores, a product's complaints, DSR, 差评 waves.

Everything comes from the warehouse (``reviews`` joined to ``review_scores``, ``shop_scores``)
through Ibis. Example review texts shown on pages have phone numbers and long digit runs
(order numbers, ids) masked; templates escape them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd

from shopops.service import aspects, waves

POLARITIES = {"negative": -1, "unclear": 0, "positive": 1}
_PII = re.compile(r"\d[\d\- ]{6,}\d|[\w.+-]+@[\w-]+\.[\w.]+")


def mask_text(text: object, limit: int = 240) -> str:
    """A review's text for a page: phone/order numbers and e-mails masked, cut to ``limit`` characters."""
    if not isinstance(text, str):
        return ""
    masked = _PII.sub("***", text)
    return masked if len(masked) <= limit else masked[: limit - 1] + "…"


def _con(con=None):
    if con is not None:
        return con
    from shopops.warehouse.connection import connect

    return connect()


def _scored(con):
    """reviews left-joined with their scores (columns of both)."""
    from shopops.warehouse import loader

    tables = set(con.list_tables())
    if "reviews" not in tables:
        return None
    if "review_scores" not in tables:
        loader.ensure_tables(con, ["review_scores"])
    r = con.table("reviews")
    s = con.table("review_scores").select("store_id", "review_id", "sentiment", "polarity", "aspects",
                                          "negative_aspects", "model_version")
    return r.left_join(s, ["store_id", "review_id"]).select(
        r.store_id, r.review_id, r.product_id, r.review_date, r.rating, r.content, r.created_at,
        s.sentiment, s.polarity, s.aspects, s.negative_aspects, s.model_version)


@dataclass(frozen=True, slots=True)
class ReviewFilter:
    store_ids: tuple[str, ...] = ()
    product_id: str = ""
    sentiment: str = ""  # negative | unclear | positive | "" (any)
    aspect: str = ""  # an aspect code, or ""
    negative_only_aspect: bool = False  # aspect must be named negatively
    bad_only: bool = False  # 1–2 stars
    first: dt.date | None = None
    last: dt.date | None = None


def _filtered(con, f: ReviewFilter):
    t = _scored(con)
    if t is None:
        return None
    if f.store_ids:
        t = t.filter(t.store_id.isin(list(f.store_ids)))
    if f.product_id:
        t = t.filter(t.product_id == f.product_id)
    if f.sentiment in POLARITIES:
        t = t.filter(t.polarity == POLARITIES[f.sentiment])
    if f.aspect in aspects.ASPECT_CODES:
        col = t.negative_aspects if f.negative_only_aspect else t.aspects
        t = t.filter(("," + col.fill_null("") + ",").contains("," + f.aspect + ","))
    if f.bad_only:
        t = t.filter(t.rating <= 2)
    if f.first:
        t = t.filter(t.review_date >= f.first)
    if f.last:
        t = t.filter(t.review_date <= f.last)
    return t


@dataclass(slots=True)
class ReviewPage:
    rows: list[dict] = field(default_factory=list)
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # polarity -> reviews (of the filter without sentiment)
    unscored: int = 0


def _review_side(t, f: ReviewFilter):
    """The filters a table with store_id, product_id, rating and review_date can answer alone
    (``reviews``, and ``review_scores`` which copies those columns)."""
    if f.store_ids:
        t = t.filter(t.store_id.isin(list(f.store_ids)))
    if f.product_id:
        t = t.filter(t.product_id == f.product_id)
    if f.bad_only:
        t = t.filter(t.rating <= 2)
    if f.first:
        t = t.filter(t.review_date >= f.first)
    if f.last:
        t = t.filter(t.review_date <= f.last)
    return t


def _score_side(s, f: ReviewFilter, *, with_sentiment: bool = True):
    s = _review_side(s, f)
    if with_sentiment and f.sentiment in POLARITIES:
        s = s.filter(s.polarity == POLARITIES[f.sentiment])
    if f.aspect in aspects.ASPECT_CODES:
        col = s.negative_aspects if f.negative_only_aspect else s.aspects
        s = s.filter(("," + col.fill_null("") + ",").contains("," + f.aspect + ","))
    return s


def review_list(f: ReviewFilter, *, limit: int = 100, offset: int = 0, con=None) -> ReviewPage:
    """One page of reviews (newest first) with their scores, the counts per polarity and the unscored.

    Fast on a million reviews: no query joins the two big tables. The counts come from
    ``review_scores`` alone (it carries the columns the filters need) and one count of ``reviews``;
    the page is a top-N of ``reviews`` — semi-joined to the matching scores only when a score
    filter is set — and its scores are then read for those rows only."""
    con = _con(con)
    page = ReviewPage()
    if _scored(con) is None:  # also creates review_scores when missing
        return page
    r, s = con.table("reviews"), con.table("review_scores")
    base = _score_side(s, f, with_sentiment=False)
    agg = base.group_by("polarity").aggregate(n=base.count()).to_pandas()
    for row in agg.itertuples(index=False):
        page.counts[{-1: "negative", 0: "unclear", 1: "positive"}[int(row.polarity)]] = int(row.n)
    scored = sum(page.counts.values())
    score_filter = f.sentiment in POLARITIES or f.aspect in aspects.ASPECT_CODES
    if f.aspect in aspects.ASPECT_CODES:
        page.unscored = 0  # a review without a score names no aspect
    else:
        page.unscored = max(0, int(_review_side(r, f).count().execute()) - scored)
    if f.sentiment in POLARITIES:
        page.total = page.counts.get(f.sentiment, 0)
    else:
        page.total = scored + page.unscored
    rows = _review_side(r, f)
    if score_filter:
        rows = rows.semi_join(_score_side(s, f).select("store_id", "review_id"), ["store_id", "review_id"])
    frame = (rows.order_by([rows.created_at.desc(), rows.review_id]).limit(limit, offset=offset)
             .select("store_id", "review_id", "product_id", "review_date", "rating", "content").to_pandas())
    scores = pd.DataFrame(columns=["store_id", "review_id", "sentiment", "polarity", "aspects", "negative_aspects"])
    if not frame.empty:
        scores = s.filter(s.review_id.isin(frame["review_id"].unique().tolist())).select(
            "store_id", "review_id", "sentiment", "polarity", "aspects", "negative_aspects").to_pandas()
    frame = frame.merge(scores, on=["store_id", "review_id"], how="left", sort=False)
    for r_ in frame.itertuples(index=False):
        page.rows.append({
            "store_id": r_.store_id, "review_id": r_.review_id, "product_id": r_.product_id, "date": r_.review_date,
            "rating": None if pd.isna(r_.rating) else int(r_.rating),
            "sentiment": None if pd.isna(r_.sentiment) else float(r_.sentiment),
            "polarity": None if pd.isna(r_.polarity) else int(r_.polarity),
            "aspects": _codes(r_.aspects), "negative_aspects": _codes(r_.negative_aspects),
            "text": mask_text(r_.content),
        })
    return page


def _asdict(f: ReviewFilter) -> dict:
    return {k: getattr(f, k) for k in f.__slots__}


def _codes(value) -> list[str]:
    return [c for c in value.split(",") if c] if isinstance(value, str) else []


@dataclass(slots=True)
class ProductIssues:
    """What buyers complain about on one product: negative aspect counts per week, examples."""

    product_id: str
    reviews: int = 0
    bad: int = 0
    negative: int = 0
    weeks: list[dt.date] = field(default_factory=list)
    counts: dict[str, list[int]] = field(default_factory=dict)  # aspect -> per week
    totals: dict[str, int] = field(default_factory=dict)  # aspect -> all weeks
    examples: dict[str, list[dict]] = field(default_factory=dict)  # aspect -> up to 3 recent
    return_reasons: list[tuple[str, int]] = field(default_factory=list)  # refund reason -> refunds, most first


def product_issues(*, product_id: str, store_ids: tuple[str, ...] = (), last: dt.date | None = None,
                   weeks: int = 12, con=None) -> ProductIssues:
    con = _con(con)
    out = ProductIssues(product_id)
    t = _filtered(con, ReviewFilter(store_ids=store_ids, product_id=product_id))
    if t is None:
        return out
    frame = t.select("store_id", "review_date", "rating", "polarity", "negative_aspects", "content",
                     "created_at").to_pandas()
    if frame.empty:
        return out
    frame["review_date"] = pd.to_datetime(frame["review_date"]).dt.date
    last = last or max(frame["review_date"])
    first = last - dt.timedelta(days=7 * weeks - 1)
    frame = frame[(frame["review_date"] >= first) & (frame["review_date"] <= last)]
    out.reviews = len(frame)
    out.bad = int((frame["rating"] <= 2).sum())
    out.negative = int((frame["polarity"] == -1).sum())
    out.weeks = [first + dt.timedelta(days=7 * k) for k in range(weeks)]
    week_of = ((pd.to_datetime(frame["review_date"]) - pd.Timestamp(first)).dt.days // 7).astype(int)
    counts = {a: [0] * weeks for a in aspects.ASPECT_CODES}
    examples: dict[str, list[dict]] = {a: [] for a in aspects.ASPECT_CODES}
    ordered = frame.assign(week=week_of).sort_values("created_at", ascending=False)
    for r in ordered.itertuples(index=False):
        for code in _codes(r.negative_aspects):
            counts[code][int(r.week)] += 1
            if len(examples[code]) < 3:
                examples[code].append({"date": r.review_date, "rating": None if pd.isna(r.rating) else int(r.rating),
                                       "text": mask_text(r.content, 160)})
    out.totals = {a: sum(v) for a, v in counts.items() if sum(v)}
    out.totals = dict(sorted(out.totals.items(), key=lambda kv: -kv[1]))
    out.counts = {a: counts[a] for a in out.totals}
    out.examples = {a: examples[a] for a in out.totals}
    out.return_reasons = product_return_reasons(product_id=product_id, store_ids=store_ids, first=first, last=last, con=con)
    return out


def product_return_reasons(*, product_id: str, store_ids: tuple[str, ...] = (), first: dt.date, last: dt.date,
                           con=None) -> list[tuple[str, int]]:
    """Refunds of the product requested in ``first``…``last`` (store-local business date; a refund not
    paid out yet by the day it was asked for) by the reason the buyer gave, most first: the refunded
    line's product, or every product of the order for a whole-order refund. Cancelled requests are left out."""
    con = _con(con)
    tables = set(con.list_tables())
    if not {"refunds", "order_lines"} <= tables:
        return []
    r, lines = con.table("refunds"), con.table("order_lines")
    lines = lines.filter(lines.product_id == product_id)
    if store_ids:
        lines = lines.filter(lines.store_id.isin(list(store_ids)))
    lines = lines.select("store_id", "order_id", lines.line_no.name("ol_line"))
    day = r.refund_date.fill_null(r.requested_at.date())
    r = r.filter((day >= first) & (day <= last) & (r.status.fill_null("") != "cancelled"))
    joined = r.join(lines, [r.store_id == lines.store_id, r.order_id == lines.order_id,
                            r.line_no.isnull() | (r.line_no == lines.ol_line)])
    reason = joined.reason.fill_null("").strip()
    g = joined.group_by(reason.name("reason")).aggregate(refunds=joined.refund_id.nunique()).to_pandas()
    rows = [(str(x.reason) or "-", int(x.refunds)) for x in g.itertuples(index=False)]
    return sorted(rows, key=lambda kv: (-kv[1], kv[0]))


def product_issue_table(*, store_ids: tuple[str, ...] = (), first: dt.date | None = None, last: dt.date | None = None,
                        limit: int = 50, con=None) -> list[dict]:
    """Products ranked by reviews naming a negative aspect: per store and product the reviews, 差评, and each
    aspect's count.

    Aggregated in the engine from ``review_scores`` (which copies product, date and stars), so a
    million reviews never leave the warehouse: one pass for each aspect's count per product, then
    the reviews and 差评 (from ``reviews``: scored or not) of the ``limit`` products shown."""
    con = _con(con)
    if _scored(con) is None:
        return []
    s = _review_side(con.table("review_scores"), ReviewFilter(store_ids=store_ids, first=first, last=last))
    neg = s.filter(s.negative_aspects.fill_null("") != "")
    padded = "," + neg.negative_aspects + ","
    table = neg.group_by(["store_id", "product_id"]).aggregate(
        **{a: padded.contains("," + a + ",").ifelse(1, 0).sum() for a in aspects.ASPECT_CODES}).to_pandas()
    if table.empty:
        return []
    table["complaints"] = table[list(aspects.ASPECT_CODES)].sum(axis=1)
    table = table.sort_values(["complaints", "store_id", "product_id"], ascending=[False, True, True]).head(limit)
    shown = sorted(set(table["product_id"]))
    # the product's reviews and 差评, scored or not (a product id belongs to its store)
    r = _review_side(con.table("reviews"), ReviewFilter(store_ids=store_ids, first=first, last=last))
    r = r.filter(r.product_id.isin(shown))
    all_reviews = r.group_by(["store_id", "product_id"]).aggregate(
        reviews=r.count(), bad=(r.rating <= 2).fill_null(False).ifelse(1, 0).sum()).to_pandas()
    counts = {(x.store_id, x.product_id): (int(x.reviews), int(x.bad)) for x in all_reviews.itertuples(index=False)}
    rows = []
    for c in table.itertuples(index=False):
        top = [(a, int(getattr(c, a))) for a in aspects.ASPECT_CODES if getattr(c, a) > 0]
        reviews, bad = counts.get((c.store_id, c.product_id), (0, 0))
        rows.append({"store_id": c.store_id, "product_id": c.product_id, "reviews": reviews, "bad": bad,
                     "complaints": int(c.complaints), "aspects": sorted(top, key=lambda x: -x[1])})
    return rows


def dsr_stores(con=None) -> set[str]:
    """The stores with imported shop scores (DSR)."""
    con = _con(con)
    if "shop_scores" not in set(con.list_tables()):
        return set()
    s = con.table("shop_scores")
    return {str(x) for x in s.select("store_id").distinct().to_pandas()["store_id"]}


def dsr_series(*, store_id: str, first: dt.date | None = None, last: dt.date | None = None, con=None) -> pd.DataFrame:
    """Daily DSR of a store (date, description, …_industry) as floats, oldest first."""
    con = _con(con)
    if "shop_scores" not in set(con.list_tables()):
        return pd.DataFrame()
    s = con.table("shop_scores").filter(lambda s: s.store_id == store_id)
    if first:
        s = s.filter(s.date >= first)
    if last:
        s = s.filter(s.date <= last)
    frame = s.order_by("date").to_pandas()
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    for c in ("description", "description_industry", "service", "service_industry", "logistics", "logistics_industry"):
        frame[c] = frame[c].astype(float)
    return frame


DSR_ASPECTS = ("description", "service", "logistics")


def dsr_latest(*, store_ids: tuple[str, ...] = (), last: dt.date, base: dt.date | None = None,
               con=None) -> list[dict]:
    """Per store with imported DSR: the latest scores up to ``last`` (``day``, each aspect and its
    industry average) and, when ``base`` is given, the scores of the latest day up to ``base``
    (``base_day``, ``<aspect>_base``) for a change. Stores without scores are left out; floats.
    Read once per data version of ``shop_scores`` (the cockpit asks on every render)."""
    from shopops.metrics.cache import cached

    con = _con(con)
    return cached("service:dsr_latest", (tuple(store_ids), last, base, con.name),
                  lambda: _dsr_latest(con, tuple(store_ids), last, base), con=con, tables=("shop_scores",))


def _dsr_latest(con, store_ids: tuple[str, ...], last: dt.date, base: dt.date | None) -> list[dict]:
    if "shop_scores" not in set(con.list_tables()):
        return []
    s = con.table("shop_scores")
    s = s.filter(s.date <= last)
    if store_ids:
        s = s.filter(s.store_id.isin(list(store_ids)))
    frame = s.order_by(["store_id", "date"]).to_pandas()
    out = []
    for store_id, rows in frame.groupby("store_id", sort=True):
        rows = rows.dropna(subset=list(DSR_ASPECTS), how="all")
        if rows.empty:
            continue
        latest = rows.iloc[-1]
        item = {"store_id": store_id, "day": pd.Timestamp(latest["date"]).date()}
        for c in DSR_ASPECTS:
            item[c] = None if pd.isna(latest[c]) else float(latest[c])
            item[f"{c}_industry"] = None if pd.isna(latest[f"{c}_industry"]) else float(latest[f"{c}_industry"])
        before = rows[pd.to_datetime(rows["date"]).dt.date <= base] if base else rows.iloc[0:0]
        item["base_day"] = pd.Timestamp(before.iloc[-1]["date"]).date() if len(before) else None
        for c in DSR_ASPECTS:
            item[f"{c}_base"] = float(before.iloc[-1][c]) if len(before) and not pd.isna(before.iloc[-1][c]) else None
        out.append(item)
    return out


def review_daily(*, first: dt.date, last: dt.date, store_ids: tuple[str, ...] = (), con=None) -> pd.DataFrame:
    """Reviews and bad ones per store, product and day (bad: 1–2 stars, or negative text without stars)."""
    con = _con(con)
    t = _scored(con)
    if t is None:
        return pd.DataFrame(columns=["store_id", "product_id", "date", "reviews", "bad"])
    t = t.filter((t.review_date >= first) & (t.review_date <= last))
    if store_ids:
        t = t.filter(t.store_id.isin(list(store_ids)))
    bad = (t.rating <= 2).fill_null(t.polarity.fill_null(0) == -1)
    g = t.group_by([t.store_id, t.product_id, t.review_date.name("date")]).aggregate(
        reviews=t.count(), bad=bad.ifelse(1, 0).sum())
    return g.to_pandas()


def review_waves(*, day: dt.date, store_ids: tuple[str, ...] = (), lookback: int = 14,
                 rule: waves.WaveRule = waves.WaveRule(), con=None) -> list[waves.Wave]:
    """差评 waves whose window touches the ``lookback`` days up to ``day``."""
    first = day - dt.timedelta(days=lookback + rule.window + rule.baseline)
    daily = review_daily(first=first, last=day, store_ids=store_ids, con=con)
    return waves.detect(daily, first_day=day - dt.timedelta(days=lookback - 1), last_day=day, rule=rule)


def review_get(*, store_id: str, review_id: str, con=None) -> dict | None:
    """One review with its scores (text masked for display), or None."""
    con = _con(con)
    t = _scored(con)
    if t is None:
        return None
    r = con.table("reviews")
    frame = t.filter((t.store_id == store_id) & (t.review_id == review_id)).to_pandas()
    if frame.empty:
        return None
    row = frame.iloc[0]
    order = r.filter((r.store_id == store_id) & (r.review_id == review_id)).select("order_id").to_pandas()
    return {"store_id": store_id, "review_id": review_id, "product_id": row["product_id"], "date": row["review_date"],
            "order_id": order.iloc[0]["order_id"] if not order.empty else None,
            "rating": None if pd.isna(row["rating"]) else int(row["rating"]),
            "polarity": None if pd.isna(row["polarity"]) else int(row["polarity"]),
            "sentiment": None if pd.isna(row["sentiment"]) else float(row["sentiment"]),
            "aspects": _codes(row["aspects"]), "negative_aspects": _codes(row["negative_aspects"]),
            "text": mask_text(row["content"], 2000)}
