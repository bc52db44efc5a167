"""Writes of audience: segments and their refreshes, opt-outs, message templates, outreach
sends. (Check-in and points are customer loyalty: ``customers.services``.)

Every write is safe to repeat: a refresh for the same day twice changes nothing, an
opt-out recorded twice is one row, and a send moves DRAFT -> SENDING with one
conditional UPDATE, so a double click sends once.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.periods import business_today
from shopops.audience.models import (
    Channel, MessageTemplate, OptOut, Outreach, OutreachRecipient, Segment, SegmentMember, SegmentRefresh,
)
from shopops.audience.outreach import channels
from shopops.customers import coupons
from shopops.ui.forms import error_text
from shopops.audience.outreach.holdout import assign_holdout
from shopops.audience.outreach.templating import mask_id, sms_signed, template_check, template_render
from shopops.audience.segments import fields_used, rules_validate
from shopops.audience.selectors import clv_by_customer, excluded_members, segment_member_keys

SEND_CHUNK = 500
MAX_FREQUENCY_CAP = 50  # messages per customer per 7 days: more is spam, and above this the cap is no cap
GREETING = {"zh-hans": "亲爱的顾客", "en": "Dear customer"}


# ------------------------------------------------------------------------------ segments
def _store_ids(store_ids: Sequence[str] | None) -> list[str]:
    return sorted({str(s).strip() for s in (store_ids or []) if str(s).strip()})


def segment_save(*, name: str, rules, store_ids: Sequence[str] = (), window_days: int | None = None,
                 description: str = "", segment: Segment | None = None, as_of: dt.date | None = None,
                 con=None) -> Segment:
    """Create (or, given ``segment``, update) a segment; the rules are validated first.

    With ``as_of``, a rule on CLV is checked against that day's fits: a store without an
    acceptable CLV model refuses the save with a message saying which store and why.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError(gettext("name: give the segment a name."))
    if window_days in ("", None):
        window_days = None
    elif not str(window_days).isdigit() or not 1 <= int(window_days) <= 3660:
        raise ValidationError(gettext("window_days: %(value)s is not 1–3660 days (empty: each store's setting).")
                              % {"value": str(window_days)[:40]})
    tree = rules_validate(rules)
    if as_of is not None and "clv" in fields_used(tree):
        clv_by_customer(as_of=as_of, store_ids=_store_ids(store_ids) or None, con=con)
    segment = segment or Segment()
    segment.name, segment.rules, segment.store_ids = name[:200], tree, _store_ids(store_ids)
    segment.window_days, segment.description = (int(window_days) if window_days else None), description
    segment.save()
    return segment


def segment_refresh(*, segment: Segment, as_of: dt.date, now: dt.datetime | None = None, con=None) -> SegmentRefresh:
    """Store the members as of ``as_of`` and how many joined and left since the last refresh.

    Refreshing the same day twice records nothing new (0 joined, 0 left added).
    """
    now = now or timezone.now()
    current = segment_member_keys(rules=segment.rules, as_of=as_of, store_ids=segment.store_ids,
                                  window_days=segment.window_days, con=con)
    limit = SegmentMember._meta.get_field("customer_id").max_length
    too_long = sorted(c for _s, c in current if len(c) > limit)
    if too_long:  # PostgreSQL would refuse the row (a 500); SQLite would keep it silently
        raise ValidationError(f"segment {segment.pk}: {len(too_long)} customer id(s) are longer than {limit} characters "
                              f"and cannot be stored as members, e.g. {too_long[0][:40]!r}…; fix the import that "
                              "brought them")
    with transaction.atomic():
        Segment.objects.select_for_update().filter(pk=segment.pk).first()  # one refresh at a time
        before = set(SegmentMember.objects.filter(segment=segment).values_list("store_id", "customer_id"))
        joined, left = current - before, before - current
        if left:
            by_store: dict[str, list[str]] = defaultdict(list)
            for store_id, customer_id in left:
                by_store[store_id].append(customer_id)
            for store_id, ids in by_store.items():
                for i in range(0, len(ids), 900):
                    SegmentMember.objects.filter(segment=segment, store_id=store_id,
                                                 customer_id__in=ids[i:i + 900]).delete()
        SegmentMember.objects.bulk_create(
            [SegmentMember(segment=segment, store_id=s, customer_id=c, joined_on=as_of) for s, c in sorted(joined)],
            batch_size=1000)
        refresh, created = SegmentRefresh.objects.get_or_create(
            segment=segment, as_of=as_of,
            defaults={"refreshed_at": now, "members": len(current), "joined": len(joined), "left": len(left)})
        if not created:
            refresh.members = len(current)
            refresh.joined += len(joined)
            refresh.left += len(left)
            if joined or left:
                refresh.refreshed_at = now
            refresh.save()
        Segment.objects.filter(pk=segment.pk).update(refreshed_at=now, refreshed_as_of=as_of, member_count=len(current))
    segment.refresh_from_db()
    return refresh


def segments_refresh_daily(*, as_of: dt.date | None = None, now: dt.datetime | None = None) -> dict[int, str]:
    """The daily job: refresh every segment as of yesterday (store time zone). Returns id -> outcome."""
    from django.conf import settings

    now = now or timezone.now()
    as_of = as_of or business_today(settings.SHOPOPS_TIME_ZONE, now) - dt.timedelta(days=1)
    outcome: dict[int, str] = {}
    for segment in Segment.objects.all():
        try:
            r = segment_refresh(segment=segment, as_of=as_of, now=now)
            outcome[segment.pk] = f"{r.members} members (+{r.joined} / -{r.left})"
        except ShopopsError as exc:  # a rule that no longer compiles must not stop the others
            outcome[segment.pk] = f"error: {exc}"
    return outcome


# ------------------------------------------------------------------------------ opt-outs
def opt_out_add(*, store_id: str, customer_id: str, channel: str = "", reason: str = "",
                now: dt.datetime | None = None) -> OptOut:
    if not store_id or not customer_id:
        raise ValidationError("store_id and customer_id are required")
    if channel and channel not in Channel.values:
        raise ValidationError(f"channel: {channel!r} is not one of {', '.join(Channel.values)} (empty: every channel)")
    row, _ = OptOut.objects.get_or_create(store_id=store_id, customer_id=customer_id, channel=channel,
                                          defaults={"reason": reason[:200], "created_at": now or timezone.now()})
    return row


def opt_out_remove(*, store_id: str, customer_id: str, channel: str = "") -> bool:
    return OptOut.objects.filter(store_id=store_id, customer_id=customer_id, channel=channel).delete()[0] > 0


# ------------------------------------------------------------------------------ templates
def _template_check(text: str, *, where: str) -> list[str]:
    """``template_check`` with its message in the reader's language."""
    try:
        return template_check(text, where=where)
    except ValidationError as exc:
        raise ValidationError(error_text(exc), exc.problems) from exc


def template_save(*, name: str, body_zh: str, body_en: str = "", subject: str = "",
                  template: MessageTemplate | None = None) -> MessageTemplate:
    name = (name or "").strip()
    if not name:
        raise ValidationError(gettext("name: give the template a name."))
    _template_check(body_zh, where="body_zh")
    if body_en.strip():
        _template_check(body_en, where="body_en")
    template = template or MessageTemplate()
    template.name, template.body_zh, template.body_en, template.subject = name[:200], body_zh, body_en, subject[:200]
    try:
        template.save()
    except IntegrityError as exc:
        raise ValidationError(gettext("name: a template named “%(name)s” exists already.") % {"name": name[:200]}) from exc
    return template


# ------------------------------------------------------------------------------ outreach
def outreach_create(*, name: str, segment: Segment, template: MessageTemplate, channel: str = Channel.SMS,
                    language: str = "zh-hans", holdout_percent=Decimal("10"), seed: int | None = None,
                    coupon_ref: str = "", frequency_cap: int = 2, window_days: int = 14) -> Outreach:
    name = (name or "").strip()
    if not name:
        raise ValidationError(gettext("name: give the send a name."))
    if channel not in Channel.values:
        raise ValidationError(gettext("channel: %(value)s is not one of %(known)s.")
                              % {"value": str(channel)[:40], "known": ", ".join(Channel.values)})
    if language not in GREETING:
        raise ValidationError(gettext("language: %(value)s is not zh-hans or en.") % {"value": str(language)[:40]})
    try:
        pct = Decimal(str(holdout_percent))
    except InvalidOperation as exc:
        raise ValidationError(gettext("holdout_percent: %(value)s is not a number.") % {"value": str(holdout_percent)[:40]}) from exc
    if not 0 <= pct < 100:
        raise ValidationError(gettext("holdout_percent: %(value)s is not from 0 to under 100.") % {"value": str(holdout_percent)[:40]})
    if not 1 <= int(frequency_cap) <= MAX_FREQUENCY_CAP:
        raise ValidationError(gettext("frequency_cap: %(value)s is not 1 to %(max)s messages per 7 days.")
                              % {"value": str(frequency_cap)[:40], "max": MAX_FREQUENCY_CAP})
    if seed is not None and not 0 <= int(seed) < 2**63:
        raise ValidationError(gettext("seed: %(value)s is not a whole number from 0 to 2⁶³ − 1.") % {"value": str(seed)[:40]})
    if not 1 <= int(window_days) <= 180:
        raise ValidationError(gettext("window_days: %(value)s is not 1–180 days.") % {"value": str(window_days)[:40]})
    if coupon_ref:
        if not coupons.has_issuer():
            raise ValidationError(gettext("coupon: no coupon issuer is registered; cannot attach %(value)s.")
                                  % {"value": coupon_ref[:40]})
        known = {ref for ref, _ in coupons.coupon_choices()}
        if known and coupon_ref not in known:
            raise ValidationError(gettext("coupon: %(value)s is not an issuable coupon.") % {"value": coupon_ref[:40]})
    if language == "en" and not template.body_en.strip():
        raise ValidationError(gettext("Template “%(name)s” has no English text.") % {"name": template.name})
    body = template.body_en if language == "en" else template.body_zh
    if not coupon_ref and "coupon_code" in _template_check(body, where=gettext("Template “%(name)s”") % {"name": template.name}):
        raise ValidationError(gettext("coupon: template “%(name)s” uses {coupon_code}; attach a coupon to the send or "
                                      "choose a template without a coupon code.") % {"name": template.name})
    return Outreach.objects.create(
        name=name[:200], segment=segment, template=template, channel=channel, language=language,
        holdout_percent=pct, seed=random.SystemRandom().randrange(2**31) if seed is None else int(seed),
        coupon_ref=coupon_ref, frequency_cap=int(frequency_cap), window_days=int(window_days))


def _signed(channel: str, text: str, store_name: str) -> str:
    """SMS carry the sender's 【签名】 (the store's name unless the template starts with one)."""
    return sms_signed(text, signature=store_name) if channel == Channel.SMS else text


def outreach_send(*, outreach: Outreach, now: dt.datetime | None = None, as_of: dt.date | None = None) -> Outreach:
    """Send once: exclude opted-out and capped members, draw the holdout, attach coupons, send the rest.

    With ``as_of`` (or when the segment was never refreshed) the segment is refreshed first.
    """
    now = now or timezone.now()
    if not Outreach.objects.filter(pk=outreach.pk, status=Outreach.Status.DRAFT).update(status=Outreach.Status.SENDING):
        raise ShopopsError(f"send {outreach.pk} was already sent")
    try:
        return _send(outreach, now, as_of)
    except Exception:
        Outreach.objects.filter(pk=outreach.pk, status=Outreach.Status.SENDING).update(status=Outreach.Status.DRAFT)
        OutreachRecipient.objects.filter(outreach=outreach).delete()
        raise


def _send(outreach: Outreach, now: dt.datetime, as_of: dt.date | None) -> Outreach:
    segment = outreach.segment
    if as_of is not None or segment.refreshed_as_of is None:
        from django.conf import settings

        segment_refresh(segment=segment, as_of=as_of or business_today(settings.SHOPOPS_TIME_ZONE, now), now=now)
    members = set(SegmentMember.objects.filter(segment=segment).values_list("store_id", "customer_id"))
    opted, capped = excluded_members(members, channel=outreach.channel, cap=outreach.frequency_cap, now=now)
    eligible = members - opted - capped
    treatment, holdout = assign_holdout(eligible, percent=outreach.holdout_percent, seed=outreach.seed)
    Status, Group = OutreachRecipient.Status, OutreachRecipient.Group
    rows = [OutreachRecipient(outreach=outreach, store_id=s, customer_id=c, group=Group.EXCLUDED, status=Status.OPTED_OUT)
            for s, c in sorted(opted)]
    rows += [OutreachRecipient(outreach=outreach, store_id=s, customer_id=c, group=Group.EXCLUDED, status=Status.CAPPED)
             for s, c in sorted(capped)]
    rows += [OutreachRecipient(outreach=outreach, store_id=s, customer_id=c, group=Group.HOLDOUT, status=Status.HELD_OUT)
             for s, c in holdout]
    template = outreach.template
    text = template.body_en if outreach.language == "en" and template.body_en.strip() else template.body_zh
    from shopops.metrics.dimensions import store_names

    names = store_names()
    adapter = channels.adapter_for(outreach.channel)
    delivered = failed = 0
    with transaction.atomic():  # coupons, recipients and outbox rows land together or not at all
        codes: dict[tuple[str, str], str] = {}
        if outreach.coupon_ref and treatment:
            by_store: dict[str, list[str]] = defaultdict(list)
            for s, c in treatment:
                by_store[s].append(c)
            for s, ids in sorted(by_store.items()):
                got = coupons.coupons_issue(coupon_ref=outreach.coupon_ref, customer_ids=ids, now=now)
                codes.update({(s, c): got[c] for c in ids})
        OutreachRecipient.objects.bulk_create(rows, batch_size=1000)
        for i in range(0, len(treatment), SEND_CHUNK):
            chunk = treatment[i:i + SEND_CHUNK]
            messages = [channels.Message(
                channel=outreach.channel, store_id=s, customer_id=c, recipient=f"{s}:{mask_id(c)}",
                subject=template.subject, outreach_id=outreach.pk,
                text=_signed(outreach.channel, template_render(text, {
                    "name": GREETING[outreach.language], "coupon_code": codes.get((s, c), ""),
                    "store_name": names.get(s, s), "customer": mask_id(c)}), names.get(s, s)))
                for s, c in chunk]
            results = adapter.send(messages, now=now)
            sent_rows = []
            for (s, c), result in zip(chunk, results, strict=True):
                ok = result.ok
                delivered += ok
                failed += not ok
                sent_rows.append(OutreachRecipient(
                    outreach=outreach, store_id=s, customer_id=c, group=Group.TREATMENT,
                    status=Status.SENT if ok else Status.FAILED, sent_at=now if ok else None,
                    coupon_code=codes.get((s, c), ""), error=result.error[:300]))
            OutreachRecipient.objects.bulk_create(sent_rows, batch_size=1000)
        Outreach.objects.filter(pk=outreach.pk).update(
            status=Outreach.Status.SENT, sent_at=now, eligible=len(eligible), opted_out=len(opted), capped=len(capped),
            treatment=len(treatment), holdout=len(holdout), delivered=delivered, failed=failed)
    outreach.refresh_from_db()
    return outreach


# ------------------------------------------------------------------------------ demo
def audience_demo_ensure(*, echo=print, con=None, coupon_ref: str = "") -> None:
    """On a demo store without segments: three segments, a template and one past send with
    a 10% holdout three weeks before the last day of data, so the pages have results to show.
    With ``coupon_ref`` (the demo's promotions app issues it) each message carries its code."""
    from django.conf import settings

    from shopops.metrics.runners.kpis import last_fact_date

    if Segment.objects.exists():
        return
    last = last_fact_date(con)
    if last is None:
        return
    example = segment_save(name="老客召回:2 单以上、60–180 天未购、消费超 ¥500", rules={"op": "and", "rules": [
        {"field": "orders", "operator": "gte", "value": 2},
        {"field": "recency_days", "operator": "between", "value": [60, 180]},
        {"field": "gmv", "operator": "gt", "value": "500"}]})
    segment_save(name="VIP", rules={"op": "and", "rules": [{"field": "is_vip", "operator": "is_true", "value": None}]})
    at_risk = segment_save(name="近 30 天买过的老客", rules={"op": "and", "rules": [
        {"field": "orders", "operator": "gte", "value": 2}, {"field": "recency_days", "operator": "lte", "value": 30}]})
    if coupon_ref:
        template = MessageTemplate.objects.filter(name="老客回购券").first() or template_save(
            name="老客回购券", body_zh="{name}，您的专属回购券 {coupon_code} 已到账，下单立减，回复TD退订",
            body_en="{name}, your coupon {coupon_code} is ready to use on your next order. Reply STOP to opt out")
    else:
        template = MessageTemplate.objects.filter(name="老客回访").first() or template_save(
            name="老客回访", body_zh="{name}，{store_name}上新了，老朋友进店看看，回复TD退订",
            body_en="{name}, {store_name} has new arrivals for you. Reply STOP to opt out")
    send_day = last - dt.timedelta(days=21)
    tz = ZoneInfo(settings.SHOPOPS_TIME_ZONE)  # the store's zone
    sent_at = dt.datetime.combine(send_day + dt.timedelta(days=1), dt.time(10), tz)
    send = outreach_create(name="老客回购(演示)", segment=at_risk, template=template, holdout_percent=Decimal("10"),
                           seed=2026, frequency_cap=2, window_days=14, coupon_ref=coupon_ref)
    outreach_send(outreach=send, now=sent_at, as_of=send_day)
    for segment in Segment.objects.all():
        segment_refresh(segment=segment, as_of=last, con=con)
    example.refresh_from_db()
    echo(f"audience demo: 3 segments ({example.name}: {example.member_count} members), "
         f"1 send to {send.treatment} customers with {send.holdout} held out")
