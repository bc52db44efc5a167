"""An outreach with a holdout end to end on the demo store (built through the real ingest
pipeline): segment, refresh, send through the outbox with a promotions coupon attached,
then the results page — whose numbers equal pandas + numpy over the warehouse's raw orders.

The demo orders do not react to the send (they were generated before it), so the true
uplift is zero; the test checks the arithmetic, not an effect.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from shopops.core.roles import Role
from shopops.audience import services
from shopops.audience.models import OutboxMessage, OutreachRecipient
from shopops.audience.selectors import outreach_results
from shopops.team.services import role_groups_sync, user_create

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
END = dt.date(2026, 11, 1)
SENT_AT = dt.datetime(2026, 10, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
AS_OF = dt.date(2026, 10, 9)


def test_outreach_on_the_demo_store_matches_an_independent_computation(warehouse, client):
    from shopops.demo.services import demo_build
    from shopops.promotions import services as promotions

    demo_build(days=60, scale="small", seed=7, end_date=END)

    # the demo's own audience: three segments and a past send with results, created once
    from shopops.audience.models import Outreach, Segment

    from shopops.demo.promotions_plan import outreach_coupon_ensure

    coupon_ref = outreach_coupon_ensure(last_day=END)
    assert outreach_coupon_ensure(last_day=END) == coupon_ref
    services.audience_demo_ensure(echo=lambda _: None, coupon_ref=coupon_ref)
    services.audience_demo_ensure(echo=lambda _: None, coupon_ref=coupon_ref)
    assert Segment.objects.count() == 3 and all(s.refreshed_as_of == END for s in Segment.objects.all())
    demo_send = Outreach.objects.get(name="老客回购(演示)")
    assert demo_send.status == "sent" and demo_send.treatment > 0 and demo_send.holdout == round(demo_send.eligible / 10)
    assert outreach_results(outreach=demo_send).treatment.customers == demo_send.treatment
    # issue 19 bug 13: every demo SMS is signed and carries its own coupon code
    demo_codes = dict(OutreachRecipient.objects.filter(outreach=demo_send, group="treatment")
                      .values_list("customer_id", "coupon_code"))
    assert len(demo_codes) == demo_send.treatment and all(re.fullmatch(r"[0-9A-F]{12}", c) for c in demo_codes.values())
    for m in OutboxMessage.objects.filter(outreach=demo_send)[:50]:
        assert re.fullmatch(r"【[^】]+】亲爱的顾客，您的专属回购券 [0-9A-F]{12} 已到账，下单立减，回复TD退订", m.text), m.text
    coupon = promotions.coupon_create(
        promotion=promotions.promotion_create(name="老客回购券 满200减20", kind="store_coupon",
                                              parameters={"amount": "20", "threshold": "200"}),
        name="老客回购券", valid_from=SENT_AT, total_quantity=100_000,
        # attachable today (coupon_choices lists coupons still valid now), whatever the date
        valid_until=max(SENT_AT + dt.timedelta(days=30), dt.datetime.now(dt.UTC) + dt.timedelta(days=30)))
    segment = services.segment_save(name="近 30 天买过", rules={"op": "and", "rules": [
        {"field": "recency_days", "operator": "lte", "value": 30}]})
    template = services.template_save(name="回购", body_zh="{name}，{store_name}送您 {coupon_code}，回复TD退订")
    send = services.outreach_create(name="10月回购", segment=segment, template=template, holdout_percent=10, seed=2026,
                                    coupon_ref=str(coupon.pk), frequency_cap=1)
    send = services.outreach_send(outreach=send, now=SENT_AT, as_of=AS_OF)
    assert send.treatment > 100 and send.holdout == round(send.eligible / 10)
    assert OutboxMessage.objects.filter(outreach=send).count() == send.treatment == send.delivered
    codes = set(OutreachRecipient.objects.filter(outreach=send, group="treatment").values_list("coupon_code", flat=True))
    assert len(codes) == send.treatment and set(coupon.codes.values_list("code", flat=True)) == codes
    msg = OutboxMessage.objects.filter(outreach=send).first().text
    assert re.search(r"送您 [0-9A-F]{12}，", msg)

    # the oracle: raw warehouse orders, filtered and summed here
    orders = warehouse.table("orders").to_pandas()
    paid = orders[orders.paid_date.notna() & ~orders.status.isin(["pending_payment", "closed"])].copy()
    paid["paid_date"] = pd.to_datetime(paid.paid_date).dt.date
    members = paid[(paid.paid_date <= AS_OF) & ~paid.customer_id.str.startswith("guest:")]
    last = members.groupby(["store_id", "customer_id"]).paid_date.max()
    assert send.eligible == int(((AS_OF - last).map(lambda d: d.days) <= 30).sum())
    start = pd.Timestamp(SENT_AT).tz_convert("UTC")
    window = paid[(paid.paid_at >= start) & (paid.paid_at < start + pd.Timedelta(days=14))]
    per = window.groupby(["store_id", "customer_id"]).agg(n=("order_id", "size"),
                                                          gmv=("paid_amount", lambda s: float(sum(s, Decimal(0)))))
    arms = pd.DataFrame(list(OutreachRecipient.objects.filter(outreach=send, group__in=["treatment", "holdout"])
                             .values("store_id", "customer_id", "group")))
    arms = arms.merge(per.reset_index(), how="left").fillna({"n": 0, "gmv": 0.0})
    t, h = arms[arms.group == "treatment"], arms[arms.group == "holdout"]
    assert (t.n > 0).sum() > 10  # some recipients bought in the window

    results = outreach_results(outreach=send)
    for name, value in (("conversion", lambda f: (f.n >= 1).astype(float)), ("repurchase", lambda f: (f.n >= 2).astype(float)),
                        ("gmv", lambda f: f.gmv)):
        a, b = value(t).to_numpy(), value(h).to_numpy()
        d = a.mean() - b.mean()
        se = math.sqrt(np.var(a, ddof=1) / len(a) + np.var(b, ddof=1) / len(b))
        got = getattr(results, name)
        assert got.diff == pytest.approx(d, abs=1e-9)
        assert (got.low, got.high) == (pytest.approx(d - 1.959964 * se, rel=1e-5), pytest.approx(d + 1.959964 * se, rel=1e-5))

    # the results page shows the same numbers
    role_groups_sync()
    user_create(username="ops", password="a-long-test-password", role=Role.OPS_SPECIALIST)
    client.login(username="ops", password="a-long-test-password")
    assert client.get(f"/customers/outreach/{demo_send.pk}/").status_code == 200
    page = client.get(f"/customers/outreach/{send.pk}/").content.decode()
    conv = re.search(r'data-outcome="conversion">.*?<td class="num" data-value="([^"]+)"', page, re.S).group(1)
    assert float(conv) == pytest.approx(float((t.n >= 1).mean()))
    gmv = re.search(r'data-outcome="gmv">.*?<td class="num" data-value="([^"]+)"', page, re.S).group(1)
    assert Decimal(gmv) == Decimal(str(t.gmv.sum() / len(t))).quantize(Decimal("0.01"))

