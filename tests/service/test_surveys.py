"""Surveys: sent through the outreach outbox with opt-outs and a frequency cap, answered once per
signed token before it expires (link and API); CSAT / NPS intervals against a numpy oracle."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shopops.core.errors import ValidationError
from shopops.audience.models import OptOut, OutboxMessage
from shopops.service.models import SurveyAnswer, SurveyKind, SurveySend, TicketStatus, TicketType
from shopops.service.satisfaction import csat_interval, nps_interval
from shopops.service.services import survey_answer, ticket_create, ticket_transition

NOW = dt.datetime(2025, 11, 3, 2, 0, tzinfo=dt.UTC)


def closed_ticket(desk, customer="c1", now=NOW):
    t, _ = ticket_create(store_id="tmall", ticket_type=TicketType.RETURN, subject="退货", customer_id=customer,
                         assignee=desk["agents"]["mei"], now=now)
    ticket_transition(ticket=t, to=TicketStatus.RESOLVED, now=now)
    ticket_transition(ticket=t, to=TicketStatus.CLOSED, now=now)
    return t


def test_closing_a_ticket_sends_one_csat_survey_through_the_outbox(desk):
    t = closed_ticket(desk)
    send = SurveySend.objects.get(ticket=t)
    assert send.kind == SurveyKind.CSAT and send.status == SurveySend.Status.SENT and send.agent == desk["agents"]["mei"]
    (msg,) = OutboxMessage.objects.all()
    assert send.token in msg.text and msg.recipient == "c1"[:1] + "*"  # masked
    ticket_transition(ticket=t, to=TicketStatus.OPEN, now=NOW)  # reopen and close again: no second survey
    ticket_transition(ticket=t, to=TicketStatus.RESOLVED, now=NOW)
    ticket_transition(ticket=t, to=TicketStatus.CLOSED, now=NOW)
    assert SurveySend.objects.filter(ticket=t).count() == 1 and OutboxMessage.objects.count() == 1


def test_opt_out_and_frequency_cap(desk):
    OptOut.objects.create(store_id="tmall", customer_id="quiet", channel="", created_at=NOW)
    closed_ticket(desk, customer="quiet")
    assert SurveySend.objects.get(customer_id="quiet").status == SurveySend.Status.OPTED_OUT
    closed_ticket(desk, customer="busy")
    closed_ticket(desk, customer="busy", now=NOW + dt.timedelta(days=3))  # within 30 days: capped
    assert list(SurveySend.objects.filter(customer_id="busy").order_by("sent_at").values_list("status", flat=True)) == [
        "sent", "capped"]
    assert OutboxMessage.objects.count() == 1


def test_token_once_and_expiry(desk):
    send = SurveySend.objects.get(ticket=closed_ticket(desk))
    with pytest.raises(ValidationError, match="score 6 is outside 1–5 for a CSAT survey"):
        survey_answer(token=send.token, score=6, now=NOW)
    with pytest.raises(ValidationError, match="'4.5' is not a whole number"):
        survey_answer(token=send.token, score="4.5", now=NOW)
    survey_answer(token=send.token, score=5, now=NOW)
    with pytest.raises(ValidationError, match="already answered"):
        survey_answer(token=send.token, score=4, now=NOW)
    assert SurveyAnswer.objects.get().score == 5
    other = SurveySend.objects.create(kind=SurveyKind.NPS, trigger=SurveySend.Trigger.DELIVERED, store_id="tmall",
                                      customer_id="c9", order_id="O9", channel="sms", token="tok-old",
                                      status=SurveySend.Status.SENT, sent_at=NOW, expires_at=NOW + dt.timedelta(days=7))
    with pytest.raises(ValidationError, match="score 11 is outside 0–10 for a NPS survey"):
        survey_answer(token="tok-old", score=11, now=NOW)
    with pytest.raises(ValidationError, match="expired on 2025-11-10 02:00"):
        survey_answer(token="tok-old", score=9, now=NOW + dt.timedelta(days=8))
    with pytest.raises(ValidationError, match="unknown link"):
        survey_answer(token="nope", score=9, now=NOW)
    other.refresh_from_db()
    assert other.status == SurveySend.Status.SENT and not SurveyAnswer.objects.filter(send=other).exists()


def test_answer_page_without_login(desk):
    send = SurveySend.objects.get(ticket=closed_ticket(desk, now=timezone.now()))
    c = Client()
    url = reverse("service:survey_answer", kwargs={"token": send.token})
    assert c.get(url).status_code == 200
    r = c.post(url, {"score": "9"})
    assert r.status_code == 400 and "9 超出评分范围：请选择 1–5 之间的分数。" in r.content.decode()
    assert c.post(url, {"score": "4", "comment": "<script>x</script>"}).status_code == 200
    r = c.post(url, {"score": "5"})
    assert r.status_code == 400 and "此调查已经回答过了" in r.content.decode() and 'name="score"' not in r.content.decode()
    assert SurveyAnswer.objects.get(send=send).score == 4
    assert c.get(reverse("service:survey_answer", kwargs={"token": "bad"})).status_code == 404


@pytest.mark.parametrize(("language", "score", "expected"), [
    ("zh-hans", "11", "11 超出评分范围：请选择 0–10 之间的分数。"),
    ("en", "11", "11 is outside the scale: choose a score from 0 to 10."),
    ("zh-hans", "", "请选择 0–10 之间的分数。"),
    ("en", "7.5", "“7.5” is not a score: choose a whole number from 0 to 10."),
])
def test_answer_page_refuses_in_the_buyers_language(desk, language, score, expected):
    """The buyer reads the refusal in the page's language (it showed the API's English message)."""
    from django.conf import settings

    send = SurveySend.objects.create(kind=SurveyKind.NPS, trigger=SurveySend.Trigger.DELIVERED, store_id="tmall",
                                     customer_id="c9", order_id="O9", channel="sms", token="tok-nps",
                                     status=SurveySend.Status.SENT, sent_at=timezone.now(),
                                     expires_at=timezone.now() + dt.timedelta(days=7))
    c = Client()
    c.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    r = c.post(reverse("service:survey_answer", kwargs={"token": send.token}), {"score": score})
    assert r.status_code == 400 and expected in r.content.decode() and "survey:" not in r.content.decode()
    send.refresh_from_db()
    assert send.status == SurveySend.Status.SENT and not SurveyAnswer.objects.filter(send=send).exists()


# --- intervals against an independent numpy oracle ------------------------------------------

def wilson_oracle(k, n, z=1.959963984540054):
    p = k / n
    a = 2 * n * p + z ** 2
    b = z * np.sqrt(z ** 2 + 4 * n * p * (1 - p))
    return (a - b) / (2 * (n + z ** 2)), (a + b) / (2 * (n + z ** 2))


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_csat_and_nps_intervals_match_the_oracle(seed):
    rng = np.random.default_rng(seed)
    csat = rng.integers(1, 6, 137)
    est = csat_interval([int(x) for x in csat])
    k = int((csat >= 4).sum())
    lo, hi = wilson_oracle(k, 137)
    assert est.value == pytest.approx(k / 137) and est.low == pytest.approx(lo) and est.high == pytest.approx(hi)
    nps = rng.integers(0, 11, 211)
    e = nps_interval([int(x) for x in nps])
    points = np.where(nps >= 9, 1.0, np.where(nps <= 6, -1.0, 0.0))
    se = points.std(ddof=0) / np.sqrt(len(points))  # population sd of ±1/0 scores = sqrt(p+d-(p-d)^2)
    assert e.value == pytest.approx(100 * points.mean())
    assert e.low == pytest.approx(100 * (points.mean() - 1.959963984540054 * se))
    assert e.high == pytest.approx(100 * (points.mean() + 1.959963984540054 * se))


def test_interval_hand_cases():
    # 17 of 20 satisfied: Wilson 95 % = (0.6396, 0.9476) (by hand from the formula)
    est = csat_interval([5] * 10 + [4] * 7 + [2, 3, 1])
    assert (round(est.value, 4), round(est.low, 4), round(est.high, 4)) == (0.85, 0.6396, 0.9476)
    all_promoters = nps_interval([10] * 5)
    assert (all_promoters.value, all_promoters.low, all_promoters.high) == (100.0, 100.0, 100.0)
    assert csat_interval([]).value is None


def test_csat_by_agent_for_scorecards(desk):
    from shopops.service.selectors import csat_by_agent

    for i, score in enumerate([5, 4, 2]):
        send = SurveySend.objects.get(ticket=closed_ticket(desk, customer=f"k{i}"))
        survey_answer(token=send.token, score=score, now=NOW)
    rows = csat_by_agent("2025-11")
    row = rows[desk["users"]["mei"].pk]
    assert row.answers == 3 and row.value == pytest.approx(2 / 3)
    assert csat_by_agent(dt.date(2025, 10, 1)) == {}


def test_nps_after_delivery_once_per_order(warehouse, desk):
    from decimal import Decimal

    import pyarrow as pa

    from shopops.service.surveys import surveys_after_delivery
    from shopops.warehouse.loader import load

    paid = dt.datetime(2025, 11, 3, 2, tzinfo=dt.UTC)
    load(warehouse, "orders", pa.table({
        "store_id": ["tmall"] * 4, "order_id": ["O1", "O2", "O3", "O4"], "customer_id": ["a", "b", "quiet", "d"],
        "status": ["completed", "shipped", "completed", "completed"], "created_at": [paid] * 4, "paid_at": [paid] * 4,
        "paid_date": [dt.date(2025, 11, 3)] * 3 + [dt.date(2025, 11, 4)], "paid_amount": [Decimal("10.00")] * 4}))
    OptOut.objects.create(store_id="tmall", customer_id="quiet", channel="sms", created_at=NOW)
    as_of = dt.date(2025, 11, 10)  # 7 days after the 3rd
    assert surveys_after_delivery(as_of=as_of, con=warehouse, now=NOW) == 2  # O1 sent, O3 opted out (recorded)
    assert surveys_after_delivery(as_of=as_of, con=warehouse, now=NOW) == 0
    sends = {s.order_id: s.status for s in SurveySend.objects.filter(kind=SurveyKind.NPS)}
    assert sends == {"O1": "sent", "O3": "opted_out"}
    assert OutboxMessage.objects.count() == 1


def test_nps_after_delivery_names_the_orders_main_product(warehouse, desk):
    """So that NPS can be read by product: the line paid most."""
    from decimal import Decimal

    import pyarrow as pa

    from shopops.service.selectors import satisfaction_by
    from shopops.service.surveys import surveys_after_delivery
    from shopops.warehouse.loader import load

    paid = dt.datetime(2025, 11, 3, 2, tzinfo=dt.UTC)
    load(warehouse, "orders", pa.table({
        "store_id": ["tmall"] * 2, "order_id": ["O1", "O2"], "customer_id": ["a", "b"], "status": ["completed"] * 2,
        "created_at": [paid] * 2, "paid_at": [paid] * 2, "paid_date": [dt.date(2025, 11, 3)] * 2,
        "paid_amount": [Decimal("150.00"), Decimal("59.00")]}))
    load(warehouse, "order_lines", pa.table({
        "store_id": ["tmall"] * 3, "order_id": ["O1", "O1", "O2"], "line_no": pa.array([1, 2, 1], pa.int32()),
        "product_id": ["P-SOCKS", "P-COAT", "P-HAT"], "quantity": pa.array([1, 1, 1], pa.int32()),
        "paid_amount": [Decimal("20.00"), Decimal("130.00"), Decimal("59.00")]}))
    assert surveys_after_delivery(as_of=dt.date(2025, 11, 10), con=warehouse, now=NOW) == 2
    sends = {s.order_id: s for s in SurveySend.objects.filter(kind=SurveyKind.NPS)}
    assert {o: s.product_id for o, s in sends.items()} == {"O1": "P-COAT", "O2": "P-HAT"}
    survey_answer(token=sends["O1"].token, score=10, now=NOW)
    survey_answer(token=sends["O2"].token, score=3, now=NOW)
    nps = {r.key: (r.answers, r.value) for r in satisfaction_by(kind=SurveyKind.NPS, by="product")}
    assert nps == {"P-COAT": (1, 100.0), "P-HAT": (1, -100.0)}  # a promoter; a detractor


def test_satisfaction_page_names_products_and_marks_answers_without_one(warehouse, desk):
    """By product: the listing title; by agent, NPS (about the store, no agent) reads "(none linked)"."""
    from decimal import Decimal

    import pyarrow as pa

    from shopops.service.surveys import surveys_after_delivery
    from shopops.warehouse.loader import load

    from .conftest import PASSWORD

    paid = dt.datetime(2025, 11, 3, 2, tzinfo=dt.UTC)
    load(warehouse, "stores", pa.table({"store_id": ["tmall"], "platform": ["tmall"], "name": ["天猫旗舰店"],
                                        "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
    load(warehouse, "products", pa.table({"store_id": ["tmall"], "product_id": ["P-COAT"], "title": ["羊毛大衣女"]}))
    load(warehouse, "orders", pa.table({
        "store_id": ["tmall"], "order_id": ["O1"], "customer_id": ["a"], "status": ["completed"], "created_at": [paid],
        "paid_at": [paid], "paid_date": [dt.date(2025, 11, 3)], "paid_amount": [Decimal("130.00")]}))
    load(warehouse, "order_lines", pa.table({
        "store_id": ["tmall"], "order_id": ["O1"], "line_no": pa.array([1], pa.int32()), "product_id": ["P-COAT"],
        "quantity": pa.array([1], pa.int32()), "paid_amount": [Decimal("130.00")]}))
    assert surveys_after_delivery(as_of=dt.date(2025, 11, 10), con=warehouse, now=NOW) == 1
    survey_answer(token=SurveySend.objects.get(order_id="O1").token, score=9, now=NOW)
    c = Client()
    assert c.login(username="cslead", password=PASSWORD)
    page = c.get(reverse("service:satisfaction"), {"by": "product"}).content.decode()
    assert '<th scope="row">羊毛大衣女</th>' in page
    page = c.get(reverse("service:satisfaction"), {"by": "agent"}).content.decode()
    nps = page.split("NPS")[-1]
    assert "（未关联）" in nps
