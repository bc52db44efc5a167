"""Reads of audience: segment counts and previews (in the warehouse), saved segments and
their members, sends and their results, and what the customer page shows about one
customer (segments they are in, outreach they received: :func:`customer_audience_section`).

``segment_contains`` / ``segment_members`` are the hook the promotions audience
"a customer segment" uses: they read the membership stored by the last refresh.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir
import pandas as pd
from django.db.models import Count

from shopops.audience.live import FactsSnapshot
from shopops.audience.models import OptOut, Outreach, OutreachRecipient, Segment, SegmentMember
from shopops.audience.outreach.results import Results, results_compute
from shopops.audience.outreach.templating import mask_id
from shopops.audience.segments import compile_filter, extras_for, fields_used, rules_validate
from shopops.customers.clv import ClvUnavailableError
from shopops.customers.sections import Section
from shopops.customers.selectors import store_clv_fit
from shopops.customers.stage_rules import store_rules
from shopops.metrics.cache import LocalCache, cached

PREVIEW_COLUMNS = ("store_id", "customer_id", "province", "platform", "orders", "gmv", "recency_days",
                   "rfm_segment", "stage", "is_vip")


def _con(con):
    if con is not None:
        return con
    from shopops.warehouse.connection import connect

    return connect()


def segment_expr(*, rules, as_of: dt.date, store_ids: Sequence[str] | None = None, window_days: int | None = None,
                 con=None, cached: bool = False) -> ir.Table:
    """The customer facts rows matching ``rules`` as of ``as_of`` (an Ibis expression, not run).

    ``cached=True`` (the builder's live preview, DuckDB only) filters a copy of the facts kept
    in memory for a few minutes and dropped as soon as the data or the stage rules change.
    """
    from shopops.customers.facts import customer_facts

    con = _con(con)
    tree = rules_validate(rules)
    stores = list(store_ids) if store_ids else None
    if cached and con.name == "duckdb":
        facts = ibis.memtable(_cached_facts(con, as_of=as_of, stores=stores, window_days=window_days).arrow)
    else:
        facts = customer_facts(con, as_of=as_of, store_ids=stores, window_days=window_days, rules=store_rules(stores))
    clv = clv_table(as_of=as_of, store_ids=stores, con=con) if "clv" in fields_used(tree) else None
    return compile_filter(facts, tree, extras_for(con, as_of=as_of, store_ids=stores, tree=tree, clv=clv))


def clv_by_customer(*, as_of: dt.date, store_ids=None, con=None) -> pd.DataFrame:
    """DataFrame store_id, customer_id, clv (Decimal, to the cent): each store's predicted
    365-day CLV from its cached fit (``customers.selectors.store_clv_fit``: fitted once per
    store, day and data version of the orders, whoever asks — the CLV page, the customer page
    or a segment rule).

    A store in scope without an acceptable model raises ``ClvUnavailableError`` naming the
    store and the reason: a rule on CLV never runs on a missing value.
    """
    con = _con(con)
    stores = list(store_ids) if store_ids else [
        str(s) for s in con.table("orders").select("store_id").distinct().to_pandas().store_id]
    frames = []
    for store_id in sorted(stores):
        fit = store_clv_fit(store_id=store_id, as_of=as_of, con=con)
        if fit.frame is None or fit.reason:
            raise ClvUnavailableError(store_id, fit.reason or "no_spend_fit")
        f = fit.frame.reset_index() if "customer_id" not in fit.frame.columns else fit.frame
        frames.append(pd.DataFrame({"store_id": store_id, "customer_id": f["customer_id"].astype(str),
                                    "clv": [Decimal(str(round(float(v), 2))) for v in f["clv"]]}))
    return pd.concat(frames) if frames else pd.DataFrame({"store_id": [], "customer_id": [], "clv": []})


def clv_table(*, as_of: dt.date, store_ids=None, con=None) -> ir.Table:
    """:func:`clv_by_customer` as a table the customer facts join (the ``clv`` rule field)."""
    return ibis.memtable(clv_by_customer(as_of=as_of, store_ids=store_ids, con=con),
                         schema={"store_id": "string", "customer_id": "string", "clv": "decimal(18,2)"})


FACTS_CACHE_SECONDS = 300
# the facts copies are one row per customer: kept in this process only (never pickled), two at most
_facts_cache = LocalCache(size=2, timeout=FACTS_CACHE_SECONDS, pickled=False)
VERSION_TABLES = ("stores", "customers", "products", "orders", "order_lines", "refunds", "reviews")


def _cached_facts(con, *, as_of: dt.date, stores, window_days) -> FactsSnapshot:
    """The customer facts as of ``as_of`` held in memory (with each rule's compiled SQL and
    answers: :mod:`shopops.audience.live`), keyed by the stage rules and the data version."""
    from shopops.customers.facts import customer_facts
    from shopops.customers.models import CustomerSettings

    settings_key = tuple(CustomerSettings.objects.order_by("store_id").values_list(
        "store_id", "rfm_window_days", "active_days", "churn_days", "new_days", "vip_min_spend", "vip_min_orders"))
    return cached("customers:facts", (con.name, as_of, tuple(stores or ()), window_days, settings_key),
                   lambda: FactsSnapshot.build(customer_facts(con, as_of=as_of, store_ids=stores, window_days=window_days,
                                                              rules=store_rules(stores))),
                   con=con, tables=VERSION_TABLES, cache=_facts_cache)


def _snapshot(con, *, rules, as_of: dt.date, store_ids, window_days, cached: bool) -> FactsSnapshot | None:
    """The facts snapshot that answers ``rules`` (the builder's live count), or None: not asked
    for, not DuckDB, or a rule on a computed field (those join other warehouse tables)."""
    if not cached or con.name != "duckdb" or not FactsSnapshot.answers(rules):
        return None
    return _cached_facts(con, as_of=as_of, stores=list(store_ids) if store_ids else None, window_days=window_days)


def segment_count(*, rules, as_of: dt.date, store_ids=None, window_days=None, con=None, cached: bool = False) -> int:
    """How many customers match ``rules``; ``cached=True`` (the builder) counts on the facts
    snapshot of the current data version (:mod:`shopops.audience.live`)."""
    con = _con(con)
    snap = _snapshot(con, rules=rules, as_of=as_of, store_ids=store_ids, window_days=window_days, cached=cached)
    if snap is not None:
        return snap.count(con, rules)
    return int(segment_expr(rules=rules, as_of=as_of, store_ids=store_ids, window_days=window_days, con=con)
               .count().execute())


@dataclass(frozen=True, slots=True)
class Preview:
    count: int
    rows: list[dict]  # masked customer ids


def segment_preview(*, rules, as_of: dt.date, store_ids=None, window_days=None, limit: int = 20, con=None,
                    cached: bool = False) -> Preview:
    """The count and the first ``limit`` rows by spend, in ONE warehouse query (the facts are
    computed once: the total rides along as a window count over the filtered rows).

    ``cached=True`` (the builder's live preview, DuckDB): one statement compiled once per rule
    over the facts snapshot of the current data version, its answer kept with the snapshot."""
    con = _con(con)
    snap = _snapshot(con, rules=rules, as_of=as_of, store_ids=store_ids, window_days=window_days, cached=cached)
    if snap is not None:
        count, frame = snap.preview(con, rules, PREVIEW_COLUMNS, limit=limit)
    else:
        t = segment_expr(rules=rules, as_of=as_of, store_ids=store_ids, window_days=window_days, con=con, cached=cached)
        cols = [c for c in PREVIEW_COLUMNS if c in t.columns]
        t = t.select(*cols)
        t = t.mutate(_total=t.customer_id.count().over(ibis.window()))
        frame = t.order_by([t.gmv.desc(), t.store_id, t.customer_id]).limit(limit).to_pandas()
        count = int(frame["_total"].iloc[0]) if len(frame) else 0
        frame = frame.drop(columns="_total")
    rows = []
    for rec in frame.to_dict("records"):
        rec = {k: (None if _missing(v) else v) for k, v in rec.items()}
        rec["customer_id"] = mask_id(rec["customer_id"])
        rows.append(rec)
    return Preview(count, rows)


def _missing(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def segment_member_keys(*, rules, as_of: dt.date, store_ids=None, window_days=None, con=None) -> set[tuple[str, str]]:
    t = segment_expr(rules=rules, as_of=as_of, store_ids=store_ids, window_days=window_days, con=con)
    frame = t.select("store_id", "customer_id").to_pandas()
    return set(zip(frame.store_id.astype(str), frame.customer_id.astype(str), strict=True))


# ------------------------------------------------------------------------------ saved segments
def segment_list():
    return Segment.objects.all()


def segment_get(*, segment_id: int) -> Segment:
    return Segment.objects.get(pk=segment_id)


def segment_contains(segment_id: int | str, store_id: str, customer_id: str) -> bool:
    """Is the customer in the segment as of its last refresh? (promotions' segment audience)"""
    try:
        pk = int(segment_id)
    except (TypeError, ValueError):
        return False
    return SegmentMember.objects.filter(segment_id=pk, store_id=store_id, customer_id=customer_id).exists()


def segment_members(segment_id: int | str, *, store_id: str | None = None) -> list[tuple[str, str]]:
    """(store_id, customer_id) of the members as of the last refresh, sorted."""
    rows = SegmentMember.objects.filter(segment_id=int(segment_id))
    if store_id:
        rows = rows.filter(store_id=store_id)
    return list(rows.order_by("store_id", "customer_id").values_list("store_id", "customer_id"))


def customer_segments(*, store_id: str, customer_id: str) -> list[Segment]:
    """Saved segments the customer belongs to (as of each segment's last refresh)."""
    return list(Segment.objects.filter(members__store_id=store_id, members__customer_id=customer_id).distinct())


def customer_outreach(*, store_id: str, customer_id: str, limit: int = 50) -> list[OutreachRecipient]:
    """Sends the customer was part of (sent, held out or excluded), newest first."""
    return list(OutreachRecipient.objects.select_related("outreach", "outreach__template")
                .filter(store_id=store_id, customer_id=customer_id)
                .order_by("-outreach__created_at", "-id")[:limit])


def customer_audience_section(*, store_id: str, customer_id: str) -> Section:
    """The customer page's audience block (registered in ``AudienceConfig.ready``)."""
    return Section("audience/_customer_section.html", {
        "segments": customer_segments(store_id=store_id, customer_id=customer_id),
        "outreach": customer_outreach(store_id=store_id, customer_id=customer_id)})


# ------------------------------------------------------------------------------ exports
EXPORT_FORMS = ("ids", "sha256", "md5")


def normalise_phone(phone: str) -> str | None:
    """Digits only, without a +86 / 0086 prefix: the form platform customer tools hash."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits if len(digits) == 11 and digits.startswith("1") else None


def _hash(value: str, form: str) -> str:
    data = value.encode("utf-8")
    return hashlib.sha256(data).hexdigest() if form == "sha256" else hashlib.md5(data).hexdigest()  # noqa: S324


def segment_export_rows(*, segment: Segment, form: str = "ids") -> Iterator[dict]:
    """The members as export rows.

    ``ids``: store_id, customer_id. ``sha256`` / ``md5``: store_id and the hash of the
    customer id (lower-case hex of its UTF-8 bytes). The warehouse keeps no raw phone
    (only ``138****5678`` masks, PIPL), so a hashed *phone* list cannot be made from it;
    hashed customer ids are what a platform's customer tool matches for its own buyer ids.
    """
    if form not in EXPORT_FORMS:
        raise ValueError(f"form: expected one of {', '.join(EXPORT_FORMS)}, got {form!r}")
    for store_id, customer_id in segment_members(segment.pk):
        if form == "ids":
            yield {"store_id": store_id, "customer_id": customer_id}
        else:
            yield {"store_id": store_id, f"customer_id_{form}": _hash(customer_id, form)}


# ------------------------------------------------------------------------------ outreach
def outreach_list():
    return Outreach.objects.select_related("segment", "template").all()


def outreach_get(*, outreach_id: int) -> Outreach:
    return Outreach.objects.select_related("segment", "template").get(pk=outreach_id)


CAP_DAYS = 7  # the frequency cap counts the sends of the last 7 days


def _capped(keys: set[tuple[str, str]], *, cap: int, now: dt.datetime) -> set[tuple[str, str]]:
    """Members already sent ``cap`` messages (any send, any channel) in the last 7 days."""
    if not keys:
        return set()
    stores = {s for s, _ in keys}
    rows = (OutreachRecipient.objects.filter(status=OutreachRecipient.Status.SENT, store_id__in=stores,
                                             sent_at__gt=now - dt.timedelta(days=CAP_DAYS), sent_at__lte=now)
            .values("store_id", "customer_id").annotate(n=Count("id")).filter(n__gte=cap))
    return {(r["store_id"], r["customer_id"]) for r in rows} & keys


def _opted_out(keys: set[tuple[str, str]], *, channel: str) -> set[tuple[str, str]]:
    stores = {s for s, _ in keys}
    rows = OptOut.objects.filter(store_id__in=stores, channel__in=["", channel]).values_list("store_id", "customer_id")
    return set(rows) & keys


def excluded_members(members: set[tuple[str, str]], *, channel: str, cap: int, now: dt.datetime
                     ) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(opted out, over the frequency cap) among ``members`` for a send by ``channel`` at ``now``."""
    opted = _opted_out(members, channel=channel)
    return opted, _capped(members - opted, cap=cap, now=now)


@dataclass(frozen=True, slots=True)
class SendPreview:
    members: int
    opted_out: int
    capped: int
    eligible: int
    holdout: int


def outreach_preview(*, outreach: Outreach, now: dt.datetime) -> SendPreview:
    """Before a draft is sent: who the segment's last refresh would reach, and who would be left out."""
    from shopops.audience.outreach.holdout import holdout_size

    members = set(SegmentMember.objects.filter(segment=outreach.segment).values_list("store_id", "customer_id"))
    opted, capped = excluded_members(members, channel=outreach.channel, cap=outreach.frequency_cap, now=now)
    eligible = len(members) - len(opted) - len(capped)
    return SendPreview(len(members), len(opted), len(capped), eligible, holdout_size(eligible, outreach.holdout_percent))


def outreach_recipients_frame(*, outreach: Outreach) -> pd.DataFrame:
    rows = OutreachRecipient.objects.filter(
        outreach=outreach, group__in=[OutreachRecipient.Group.TREATMENT, OutreachRecipient.Group.HOLDOUT]
    ).values_list("store_id", "customer_id", "group")
    return pd.DataFrame(list(rows), columns=["store_id", "customer_id", "group"])


def outreach_results(*, outreach: Outreach, window_days: int | None = None, con=None) -> Results | None:
    """Treatment vs holdout over the send's window; None before the send."""
    if outreach.sent_at is None:
        return None
    return results_compute(_con(con), recipients=outreach_recipients_frame(outreach=outreach),
                           sent_at=outreach.sent_at, window_days=window_days or outreach.window_days)
