"""Outreach end to end on the seeded shop: a segment, a send with a 20% holdout through the
outbox (opt-outs and frequency caps honoured), orders arriving afterwards, and results
that equal an independent pandas / numpy computation written here."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from django.utils import translation

from shopops.core.errors import ShopopsError, ValidationError
from shopops.audience import services
from shopops.audience.models import OutboxMessage, Outreach, OutreachRecipient, SegmentMember
from shopops.customers import coupons
from shopops.audience.selectors import outreach_results
from shopops.warehouse.loader import load
from tests.audience.audience_shop import AS_OF, UNPAID, build, load_frames, per_customer, post_send_orders

pytestmark = pytest.mark.django_db
SENT_AT = dt.datetime(2025, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
RULE = {"op": "and", "rules": [{"field": "orders", "operator": "gte", "value": 2},
                               {"field": "recency_days", "operator": "lte", "value": 120}]}


@pytest.fixture
def shop(warehouse):
    frames = build()
    load_frames(warehouse, frames)
    return warehouse, frames


@pytest.fixture
def template():
    return services.template_save(name="回访", body_zh="{name}，{store_name}上新了，回复TD退订",
                                  body_en="{name}, {store_name} has new arrivals. Reply STOP to opt out")


@pytest.fixture
def coupon_template():
    return services.template_save(name="回购券", body_zh="{name}，{store_name}送您专属券 {coupon_code}，回复TD退订",
                                  body_en="{name}, {store_name} has a coupon for you: {coupon_code}. Reply STOP to opt out")


def _segment(con):
    segment = services.segment_save(name="老客 120 天内", rules=RULE)
    services.segment_refresh(segment=segment, as_of=AS_OF, con=con)
    return segment


def test_send_with_holdout_then_results_equal_an_independent_computation(shop, template):
    con, frames = shop
    segment = _segment(con)
    members = set(SegmentMember.objects.filter(segment=segment).values_list("store_id", "customer_id"))
    c = per_customer(frames)
    assert members == set(zip(*[c[(c.orders >= 2) & (c.recency_days <= 120)][k] for k in ("store_id", "customer_id")],
                              strict=True))
    opted = sorted(members)[:3]
    for s, cid in opted:
        services.opt_out_add(store_id=s, customer_id=cid, reason="回复TD")
    services.opt_out_add(store_id=opted[0][0], customer_id=opted[0][1], reason="again")  # the same twice: one row

    send = services.outreach_create(name="12月回购", segment=segment, template=template, channel="sms",
                                    holdout_percent=Decimal("20"), seed=7)
    send = services.outreach_send(outreach=send, now=SENT_AT)
    eligible = len(members) - 3
    holdout_n = int(Decimal(eligible * 20) / 100 + Decimal("0.5"))
    assert (send.eligible, send.opted_out, send.capped) == (eligible, 3, 0)
    assert (send.holdout, send.treatment, send.delivered) == (holdout_n, eligible - holdout_n, eligible - holdout_n)

    outbox = OutboxMessage.objects.filter(outreach=send)
    assert outbox.count() == send.treatment
    msg = outbox.first()
    # an SMS starts with the sender's 【签名】: the store's name (issue 19 bug 13)
    store_name = {"tmall": "天猫旗舰店", "jd": "京东自营店"}[msg.store_id]
    assert msg.channel == "sms" and "*" in msg.recipient
    assert msg.text == f"【{store_name}】亲爱的顾客，{store_name}上新了，回复TD退订"
    sent_to = {(m.store_id, m.recipient.split(":", 1)[1]) for m in outbox}
    groups = pd.DataFrame(list(OutreachRecipient.objects.filter(outreach=send).values("store_id", "customer_id", "group",
                                                                                       "status")))
    assert set(map(tuple, groups[groups.status == "opted_out"][["store_id", "customer_id"]].values)) == set(opted)
    assert len(sent_to) <= send.treatment

    with pytest.raises(ShopopsError, match="already sent"):
        services.outreach_send(outreach=send, now=SENT_AT)
    assert OutboxMessage.objects.filter(outreach=send).count() == send.treatment

    # orders arrive after the send
    arms = groups[groups.group.isin(["treatment", "holdout"])]
    new = post_send_orders(arms, sent_at=SENT_AT)
    load(con, "orders", pa.Table.from_pandas(new, preserve_index=False))

    results = outreach_results(outreach=send, con=con)

    # --- the oracle: pandas over the new orders, numpy for Welch -------------------
    start, end = SENT_AT.astimezone(dt.UTC), SENT_AT.astimezone(dt.UTC) + dt.timedelta(days=14)
    all_orders = pd.concat([frames["orders"], new])
    ok = all_orders[~all_orders.status.isin(UNPAID) & all_orders.paid_at.notna()]
    ok = ok[(ok.paid_at >= start) & (ok.paid_at < end)]
    per = ok.groupby(["store_id", "customer_id"]).agg(n=("order_id", "size"),
                                                      gmv=("paid_amount", lambda s: float(sum(s, Decimal(0)))))
    arms = arms.merge(per.reset_index(), how="left").fillna({"n": 0, "gmv": 0.0})
    t, h = arms[arms.group == "treatment"], arms[arms.group == "holdout"]
    assert len(ok) > 50 and (ok.paid_at < start).sum() == 0

    def welch(a, b):
        d = a.mean() - b.mean()
        se = math.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
        return d, d - 1.959964 * se, d + 1.959964 * se

    for name, column in (("conversion", lambda f: (f.n >= 1).astype(float)),
                         ("repurchase", lambda f: (f.n >= 2).astype(float)),
                         ("gmv", lambda f: f.gmv.astype(float))):
        d, lo, hi = welch(column(t).to_numpy(), column(h).to_numpy())
        got = getattr(results, name)
        assert got.diff == pytest.approx(d, abs=1e-9), name
        assert got.low == pytest.approx(lo, rel=1e-5) and got.high == pytest.approx(hi, rel=1e-5), name
    assert results.treatment.customers == len(t) and results.holdout.customers == len(h)
    assert results.treatment.buyers == int((t.n >= 1).sum())
    assert results.holdout.repeaters == int((h.n >= 2).sum())
    t_gmv = sum((Decimal(str(x)) for x in ok.merge(t[["store_id", "customer_id"]]).paid_amount), Decimal(0))
    assert results.treatment.gmv == t_gmv
    assert results.treatment.gmv_per_customer == (t_gmv / len(t)).quantize(Decimal("0.01"))
    assert results.conversion.diff > 0  # the fixture's treatment buys more often


def test_frequency_cap_counts_sends_of_the_last_7_days(shop, template):
    con, _ = shop
    segment = _segment(con)
    n = segment.member_count
    first = services.outreach_send(outreach=services.outreach_create(
        name="一", segment=segment, template=template, holdout_percent=0, frequency_cap=1), now=SENT_AT)
    assert first.treatment == n and first.capped == 0
    # a day later with a cap of 1 per 7 days: everyone who got the first is capped
    second = services.outreach_send(outreach=services.outreach_create(
        name="二", segment=segment, template=template, holdout_percent=0, frequency_cap=1),
        now=SENT_AT + dt.timedelta(days=1))
    assert (second.capped, second.treatment) == (n, 0)
    # a cap of 2 lets one more through; eight days later the first no longer counts
    third = services.outreach_send(outreach=services.outreach_create(
        name="三", segment=segment, template=template, holdout_percent=0, frequency_cap=2),
        now=SENT_AT + dt.timedelta(days=2))
    assert third.treatment == n
    fourth = services.outreach_send(outreach=services.outreach_create(
        name="四", segment=segment, template=template, holdout_percent=0, frequency_cap=2),
        now=SENT_AT + dt.timedelta(days=8))
    assert fourth.treatment == n  # only the send of day 2 is within 7 days


def test_opt_out_of_one_channel_only(shop, template):
    con, _ = shop
    segment = _segment(con)
    s, cid = SegmentMember.objects.filter(segment=segment).values_list("store_id", "customer_id").first()
    services.opt_out_add(store_id=s, customer_id=cid, channel="email")
    sms = services.outreach_send(outreach=services.outreach_create(
        name="短信", segment=segment, template=template, channel="sms", holdout_percent=0), now=SENT_AT)
    assert sms.opted_out == 0
    push = services.outreach_create(name="邮件", segment=segment, template=template, channel="email", holdout_percent=0,
                                    frequency_cap=5)
    assert services.outreach_send(outreach=push, now=SENT_AT).opted_out == 1


def test_coupon_from_the_registered_issuer_is_in_each_message(shop, coupon_template):
    template = coupon_template
    con, _ = shop
    segment = _segment(con)
    issued: list = []

    def issuer(*, coupon_ref, customer_ids, now):
        issued.append((coupon_ref, list(customer_ids)))
        return {c: f"{coupon_ref}-{c}" for c in customer_ids}

    previous = (coupons._issuer, coupons._choices)
    coupons.register_issuer(issuer, choices=lambda: [("C1", "满200减20")])
    try:
        with translation.override("en"), pytest.raises(ValidationError, match="C9 is not an issuable coupon"):
            services.outreach_create(name="x", segment=segment, template=template, coupon_ref="C9")
        send = services.outreach_send(outreach=services.outreach_create(
            name="券", segment=segment, template=template, coupon_ref="C1", holdout_percent=10, seed=1), now=SENT_AT)
    finally:
        coupons.register_issuer(*previous[:1], choices=previous[1]) if previous[0] else coupons.unregister_issuer()
    assert sum(len(ids) for _, ids in issued) == send.treatment
    treated = OutreachRecipient.objects.filter(outreach=send, group="treatment")
    assert all(r.coupon_code == f"C1-{r.customer_id}" for r in treated)
    assert all("C1-c" in m.text for m in OutboxMessage.objects.filter(outreach=send))
    held = OutreachRecipient.objects.filter(outreach=send, group="holdout")
    assert held.count() == send.holdout and all(r.coupon_code == "" for r in held)


def test_a_template_with_a_coupon_code_needs_a_coupon(shop, coupon_template):
    """Issue 19 bug 13: a send whose template has {coupon_code} and no coupon sent "专属券 ，回复TD退订"."""
    con, _ = shop
    segment = _segment(con)
    with translation.override("en"), pytest.raises(ValidationError, match=r"uses \{coupon_code\}; attach a coupon"):
        services.outreach_create(name="x", segment=segment, template=coupon_template)
    assert not Outreach.objects.filter(name="x").exists()


def test_a_template_that_signs_itself_keeps_its_signature():
    from shopops.audience.outreach.templating import sms_signed

    assert sms_signed("【栖木】新品到了", signature="天猫旗舰店") == "【栖木】新品到了"
    assert sms_signed(" 新品到了", signature="天猫旗舰店") == "【天猫旗舰店】新品到了"


def test_a_failing_issuer_sends_nothing_and_leaves_a_draft(shop, coupon_template):
    template = coupon_template
    con, _ = shop
    segment = _segment(con)

    def issuer(*, coupon_ref, customer_ids, now):
        raise ShopopsError("coupon C1: not enough left to issue")

    previous = (coupons._issuer, coupons._choices)
    coupons.register_issuer(issuer)
    try:
        send = services.outreach_create(name="券", segment=segment, template=template, coupon_ref="C1")
        with pytest.raises(ShopopsError, match="not enough left"):
            services.outreach_send(outreach=send, now=SENT_AT)
    finally:
        coupons.register_issuer(*previous[:1], choices=previous[1]) if previous[0] else coupons.unregister_issuer()
    send.refresh_from_db()
    assert send.status == Outreach.Status.DRAFT
    assert not OutboxMessage.objects.filter(outreach=send).exists()
    assert not OutreachRecipient.objects.filter(outreach=send).exists()


def test_refresh_records_joined_and_left_and_is_idempotent(shop):
    con, frames = shop
    segment = services.segment_save(name="近 30 天", rules={"op": "and", "rules": [
        {"field": "recency_days", "operator": "lte", "value": 30}]})
    first = services.segment_refresh(segment=segment, as_of=dt.date(2025, 10, 31), con=con)
    second = services.segment_refresh(segment=segment, as_of=AS_OF, con=con)
    again = services.segment_refresh(segment=segment, as_of=AS_OF, con=con)
    a = per_customer(frames, dt.date(2025, 10, 31))
    b = per_customer(frames, AS_OF)
    ka = set(map(tuple, a[a.recency_days <= 30][["store_id", "customer_id"]].values))
    kb = set(map(tuple, b[b.recency_days <= 30][["store_id", "customer_id"]].values))
    assert (first.members, first.joined, first.left) == (len(ka), len(ka), 0)
    assert (second.members, second.joined, second.left) == (len(kb), len(kb - ka), len(ka - kb))
    assert (again.pk, again.joined, again.left) == (second.pk, second.joined, second.left)
    assert set(SegmentMember.objects.filter(segment=segment).values_list("store_id", "customer_id")) == kb
    assert segment.refreshes.count() == 2


def test_bad_sends_are_refused_with_the_field_named(shop, template):
    con, _ = shop
    segment = _segment(con)
    for kwargs, english, chinese in (
            ({"holdout_percent": "100"}, "holdout_percent: 100 is not from 0 to under 100", "holdout_percent：100 不在 0 到 100"),
            ({"channel": "fax"}, "channel: fax is not one of sms, ", "channel：fax 不是可用渠道（sms, "),
            ({"frequency_cap": 0}, "frequency_cap: 0 is not 1 to 50 messages", "frequency_cap：0 不在每 7 天 1 到 50 条之间"),
            ({"frequency_cap": "9" * 30}, "is not 1 to 50 messages", "1 到 50 条"),  # was saved: a database error
            ({"seed": 10**30}, "seed: 1" + "0" * 30 + " is not a whole number from 0", "不是 0 到 2⁶³ − 1 之间的整数"),
            ({"window_days": 0}, "window_days: 0 is not 1–180 days", "window_days：0 不在 1–180 天之内")):
        for language, message in (("en", english), ("zh-hans", chinese)):  # in the reader's language (the pages)
            with translation.override(language), pytest.raises(ValidationError) as err:
                services.outreach_create(name="x", segment=segment, template=template, **kwargs)
            assert message in str(err.value), (kwargs, language)
    for language, message in (("en", "body_zh: unknown variable {nmae}; expected one of {name}"),
                              ("zh-hans", "body_zh：未知变量 {nmae}；可用的变量：{name}")):
        with translation.override(language), pytest.raises(ValidationError) as err:
            services.template_save(name="typo", body_zh="{nmae} 你好")
        assert message in str(err.value)


def test_the_daily_job_refreshes_every_segment(shop):
    import io

    from django.core.management import call_command

    con, frames = shop
    a = services.segment_save(name="a", rules=RULE)
    b = services.segment_save(name="b", rules={"op": "and", "rules": [{"field": "orders", "operator": "gte", "value": 5}]})
    out = io.StringIO()
    call_command("audience_daily", "--as-of", AS_OF.isoformat(), stdout=out)
    c = per_customer(frames)
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.member_count == int(((c.orders >= 2) & (c.recency_days <= 120)).sum())
    assert b.member_count == int((c.orders >= 5).sum()) and b.refreshed_as_of == AS_OF
    assert f"segment {b.pk}: {b.member_count} members (+{b.member_count} / -0)" in out.getvalue()
    assert "points expired: 0" in out.getvalue()


def test_the_customer_page_reads_segments_and_outreach_of_one_customer(shop, template):
    from shopops.audience.selectors import (
        customer_outreach, customer_segments, segment_contains, segment_members,
    )

    con, _ = shop
    segment = _segment(con)
    other = services.segment_save(name="没人", rules={"op": "and", "rules": [{"field": "orders", "operator": "gte", "value": 99}]})
    services.segment_refresh(segment=other, as_of=AS_OF, con=con)
    members = segment_members(segment.pk)
    s, cid = members[0]
    assert segment_contains(segment.pk, s, cid) and not segment_contains(other.pk, s, cid)
    assert not segment_contains("not-a-number", s, cid)
    assert [g.pk for g in customer_segments(store_id=s, customer_id=cid)] == [segment.pk]
    send = services.outreach_send(outreach=services.outreach_create(
        name="一", segment=segment, template=template, holdout_percent=50, seed=9), now=SENT_AT)
    [row] = customer_outreach(store_id=s, customer_id=cid)
    assert row.outreach_id == send.pk and row.group in ("treatment", "holdout")
    assert customer_outreach(store_id=s, customer_id="nobody") == []
