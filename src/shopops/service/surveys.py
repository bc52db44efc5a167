"""Sending satisfaction surveys through the customers app's outreach channels.

A survey goes out after a ticket is closed (CSAT about the agent) and after an order is
delivered (NPS about the store; the warehouse has no delivery time, so "delivered" is an
order ``completed`` and paid ``SURVEY_AFTER_PAID_DAYS`` days before). Each send carries a
signed link ``/service/survey/<token>/`` answered without login, once, before it expires.

Opt-outs (``customers.OptOut``) are respected on the channel and on every channel; the
frequency cap allows at most ``SURVEY_CAP`` surveys per customer per ``SURVEY_CAP_DAYS``
days. Excluded customers get a send row with status opted_out / capped (no message, no
token use), so the same trigger never tries twice.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from shopops.core.errors import ValidationError
from shopops.service.models import SurveyAnswer, SurveyKind, SurveySend, Ticket

SURVEY_CHANNEL = "sms"
SURVEY_VALID_DAYS = 7
SURVEY_CAP = 1
SURVEY_CAP_DAYS = 30
SURVEY_AFTER_PAID_DAYS = 7

TEXT = {
    SurveyKind.CSAT: "您对本次客服服务满意吗？请点击评分（1-5分）：{link}",
    SurveyKind.NPS: "您有多大可能向朋友推荐我们的店铺？请点击评分（0-10分）：{link}",
}


def survey_link(token: str) -> str:
    base = getattr(settings, "SHOPOPS_PUBLIC_URL", "").rstrip("/")
    return f"{base}{reverse('service:survey_answer', kwargs={'token': token})}"


def _capped(store_id: str, customer_id: str, now: dt.datetime) -> bool:
    since = now - dt.timedelta(days=SURVEY_CAP_DAYS)
    return SurveySend.objects.filter(store_id=store_id, customer_id=customer_id, sent_at__gte=since,
                                     status__in=[SurveySend.Status.SENT, SurveySend.Status.ANSWERED]
                                     ).count() >= SURVEY_CAP


def _send_one(*, kind: str, trigger: str, store_id: str, customer_id: str, now: dt.datetime, order_id: str = "",
              product_id: str = "", ticket: Ticket | None = None, channel: str = SURVEY_CHANNEL) -> SurveySend | None:
    from shopops.audience.outreach.channels import Message, adapter_for
    from shopops.audience.selectors import excluded_members
    from shopops.customers.masking import mask_id

    opted, _ = excluded_members({(store_id, customer_id)}, channel=channel, cap=10**6, now=now)
    status = SurveySend.Status.SENT
    if opted:
        status = SurveySend.Status.OPTED_OUT
    elif _capped(store_id, customer_id, now):
        status = SurveySend.Status.CAPPED
    send = SurveySend(kind=kind, trigger=trigger, store_id=store_id, customer_id=customer_id, order_id=order_id,
                      product_id=product_id, ticket=ticket, agent=ticket.assignee if ticket else None, channel=channel,
                      token=survey_token(), status=status, sent_at=now,
                      expires_at=now + dt.timedelta(days=SURVEY_VALID_DAYS))
    try:
        with transaction.atomic():
            send.save()
            if status == SurveySend.Status.SENT:
                message = Message(channel=channel, store_id=store_id, customer_id=customer_id,
                                  recipient=mask_id(customer_id), text=TEXT[kind].format(link=survey_link(send.token)))
                delivery = adapter_for(channel).send([message], now=now)[0]
                if not delivery.ok:
                    send.status, send.error = SurveySend.Status.FAILED, delivery.error[:300]
                    send.save(update_fields=["status", "error"])
    except IntegrityError:  # this trigger already made its send
        return None
    return send


def survey_after_ticket(*, ticket: Ticket, now: dt.datetime | None = None) -> SurveySend | None:
    """The CSAT survey of a closed ticket (once per ticket)."""
    if not ticket.customer_id:
        return None
    return _send_one(kind=SurveyKind.CSAT, trigger=SurveySend.Trigger.TICKET_CLOSED, store_id=ticket.store_id,
                     customer_id=ticket.customer_id, order_id=ticket.order_id, product_id=ticket.product_id,
                     ticket=ticket, now=now or timezone.now())


def surveys_after_delivery(*, as_of: dt.date, now: dt.datetime | None = None, con=None, limit: int = 5000) -> int:
    """NPS surveys for orders completed and paid ``SURVEY_AFTER_PAID_DAYS`` days before ``as_of``."""
    from shopops.warehouse.connection import connect

    con = con or connect()
    if "orders" not in con.list_tables():
        return 0
    day = as_of - dt.timedelta(days=SURVEY_AFTER_PAID_DAYS)
    t = con.table("orders")
    rows = t.filter((t.paid_date == day) & (t.status == "completed")).select("store_id", "order_id", "customer_id")
    frame = rows.limit(limit).to_pandas()
    from shopops.service.selectors import order_products

    products = order_products(con, frame)  # the order's main product: NPS by product
    now = now or timezone.now()
    sent = 0
    for r in frame.itertuples(index=False):
        if _send_one(kind=SurveyKind.NPS, trigger=SurveySend.Trigger.DELIVERED, store_id=r.store_id,
                     customer_id=r.customer_id, order_id=r.order_id,
                     product_id=products.get((r.store_id, r.order_id, None), ""), now=now) is not None:
            sent += 1
    return sent


def _refusal(message: str, problems: list[dict], code: str, **params) -> ValidationError:
    """The refusal of an answer: the API shows ``message`` (English, its one error shape); the answer
    page, read by the buyer, shows its own text in the buyer's language from ``code`` and ``params``."""
    exc = ValidationError(message, problems)
    exc.code, exc.params = code, params
    return exc


def survey_answer(*, token: str, score, comment: str = "", via: str = "link",
                  now: dt.datetime | None = None) -> SurveyAnswer:
    """Record the one answer a survey token allows; refuses an unknown, expired or used token
    and a score outside the survey's scale (CSAT 1–5, NPS 0–10), naming it."""
    now = now or timezone.now()
    send = SurveySend.objects.filter(token=str(token)).first()
    if send is None:
        message = "survey: unknown link (no send has this token)"
        raise _refusal(message, [{"field": "token", "message": message}], "unknown")
    try:
        value = int(str(score).strip())
        if str(value) != str(score).strip():
            raise ValueError
    except (TypeError, ValueError):
        message = f"survey: score {score!r} is not a whole number"
        raise _refusal(message, [{"field": "score", "message": message, "value": score}], "not_whole",
                       value=score, low=1 if send.kind == SurveyKind.CSAT else 0,
                       high=5 if send.kind == SurveyKind.CSAT else 10) from None
    lo, hi = (1, 5) if send.kind == SurveyKind.CSAT else (0, 10)
    if not lo <= value <= hi:
        message = f"survey: score {value} is outside {lo}–{hi} for a {send.kind.upper()} survey"
        raise _refusal(message, [{"field": "score", "message": message, "value": value, "expected": f"{lo}-{hi}"}],
                       "out_of_range", value=value, low=lo, high=hi)
    if now > send.expires_at:
        message = f"survey: this link expired on {send.expires_at:%Y-%m-%d %H:%M} UTC"
        raise _refusal(message, [{"field": "token", "message": message}], "expired")
    with transaction.atomic():
        if SurveySend.objects.filter(pk=send.pk, status=SurveySend.Status.SENT).update(
                status=SurveySend.Status.ANSWERED) != 1:
            message = "survey: this link was already answered"
            raise _refusal(message, [{"field": "token", "message": message}], "answered")
        return SurveyAnswer.objects.create(send=send, score=value, comment=(comment or "")[:2000], answered_at=now,
                                           via=via[:8])


def survey_token() -> str:
    return secrets.token_urlsafe(24)
