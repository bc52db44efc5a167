"""Writes of the service desk: tickets and their flow, reply templates, agents, SLA escalation,
tickets from facts (refunds, 差评), satisfaction surveys.

Every function is keyword-only; permission checks live in ``service.permissions`` and are
called by views and the API before these run (the services trust their caller's ``actor``
only for the record).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from shopops.core.errors import ShopopsError, ValidationError
from shopops.service import templating, ticket_text
from shopops.service.models import (
    Agent, Priority, ReplyTemplate, Ticket, TicketEvent, TicketNote,
    TicketSource, TicketStatus, TicketType,
)
from shopops.service import selectors
from shopops.service.selectors import business_hours_for, sla_policy_for
from shopops.service.sla import add_business_seconds, business_seconds_between
from shopops.service.surveys import survey_after_ticket, survey_answer, survey_token  # noqa: F401 - the desk's survey writes

# the status flow: from -> allowed targets (reopen = resolved/closed -> open)
FLOW: dict[str, tuple[str, ...]] = {
    TicketStatus.NEW: (TicketStatus.OPEN, TicketStatus.WAITING, TicketStatus.RESOLVED),
    TicketStatus.OPEN: (TicketStatus.WAITING, TicketStatus.RESOLVED),
    TicketStatus.WAITING: (TicketStatus.OPEN, TicketStatus.RESOLVED),
    TicketStatus.RESOLVED: (TicketStatus.CLOSED, TicketStatus.OPEN),
    TicketStatus.CLOSED: (TicketStatus.OPEN,),
}


class TransitionRefused(ShopopsError):
    """A status move the flow does not allow."""


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or timezone.now()
    if now.tzinfo is None:
        raise ValueError("naive datetime: pass a zone-aware 'now'")
    return now


def _event(ticket: Ticket, kind: str, *, actor=None, from_value="", to_value="", detail="", at: dt.datetime) -> None:
    TicketEvent.objects.create(ticket=ticket, actor=actor, kind=kind, from_value=str(from_value)[:64],
                               to_value=str(to_value)[:64], detail=detail[:300], at=at)


def _set_deadlines(ticket: Ticket, *, first_response: bool) -> None:
    """Deadlines from the policy of the ticket's type and priority and the store's business hours."""
    policy = sla_policy_for(ticket_type=ticket.ticket_type, priority=ticket.priority)
    if policy is None:
        ticket.first_response_due = ticket.resolution_due = None
        return
    hours = business_hours_for(store_id=ticket.store_id)
    if first_response and ticket.first_response_at is None:
        ticket.first_response_due = add_business_seconds(ticket.created_at, policy.first_response_minutes * 60, hours)
    if ticket.status == TicketStatus.WAITING:
        ticket.resolution_due = None
    elif ticket.is_active:
        start = ticket.clock_started_at or ticket.created_at
        ticket.resolution_due = add_business_seconds(start, policy.resolution_minutes * 60 + ticket.paused_seconds, hours)


# ------------------------------------------------------------------------------ tickets
def ticket_create(*, store_id: str, ticket_type: str, subject: str, description: str = "",
                  priority: int = Priority.NORMAL, source: str = TicketSource.MANUAL, source_ref: str = "",
                  order_id: str = "", customer_id: str = "", customer_nickname: str = "", product_id: str = "",
                  assignee: Agent | None = None, created_by=None, now: dt.datetime | None = None,
                  generated: Mapping | None = None) -> tuple[Ticket, bool]:
    """Create a ticket with its SLA deadlines; ``(ticket, created)``.

    ``generated`` (``{"kind": …, …parameters}``, :mod:`service.ticket_text`) marks a ticket the system wrote:
    pages rebuild its subject and description from it in the reader's language.

    Idempotent on ``(source, store_id, source_ref)`` when ``source_ref`` is given: the same
    refund, review, 差评 wave or API request id returns the ticket made the first time.
    """
    now = _now(now)
    problems = []
    if not str(store_id).strip():
        problems.append({"field": "store_id", "message": "store is required"})
    if ticket_type not in TicketType.values:
        problems.append({"field": "ticket_type", "value": ticket_type,
                         "message": f"unknown type {ticket_type!r}; expected one of {', '.join(TicketType.values)}"})
    if int(priority) not in Priority.values:
        problems.append({"field": "priority", "value": priority,
                         "message": f"priority must be one of {Priority.values}, got {priority!r}"})
    if source not in TicketSource.values:
        problems.append({"field": "source", "value": source, "message": f"unknown source {source!r}"})
    if not str(subject).strip():
        problems.append({"field": "subject", "message": "subject is required"})
    if problems:
        raise ValidationError("; ".join(f"{p['field']}: {p['message']}" for p in problems), problems)
    if source_ref:
        existing = Ticket.objects.filter(source=source, store_id=store_id, source_ref=source_ref).first()
        if existing is not None:
            return existing, False
    ticket = Ticket(store_id=store_id, ticket_type=ticket_type, priority=int(priority), subject=subject.strip()[:200],
                    description=description, source=source, source_ref=source_ref[:128], order_id=order_id,
                    customer_id=customer_id, customer_nickname=customer_nickname[:128], product_id=product_id,
                    assignee=assignee, created_by=created_by, created_at=now, updated_at=now, clock_started_at=now,
                    generated=dict(generated or {}))
    _set_deadlines(ticket, first_response=True)
    ticket.next_due = ticket.computed_next_due()
    try:
        with transaction.atomic():
            ticket.save()
            _event(ticket, TicketEvent.Kind.CREATED, actor=created_by, to_value=source, at=now)
            if assignee is not None:
                _event(ticket, TicketEvent.Kind.ASSIGNED, actor=created_by, to_value=assignee.nickname, at=now)
    except IntegrityError:  # a concurrent creation for the same source_ref won
        if not source_ref:
            raise
        return Ticket.objects.get(source=source, store_id=store_id, source_ref=source_ref), False
    return ticket, True


def ticket_assign(*, ticket: Ticket, agent: Agent | None, actor=None, now: dt.datetime | None = None) -> Ticket:
    now = _now(now)
    old = ticket.assignee.nickname if ticket.assignee else ""
    with transaction.atomic():
        ticket.assignee = agent
        ticket.updated_at = now
        ticket.save(update_fields=["assignee", "updated_at"])
        _event(ticket, TicketEvent.Kind.ASSIGNED, actor=actor, from_value=old, to_value=agent.nickname if agent else "",
               at=now)
    return ticket


def ticket_set_priority(*, ticket: Ticket, priority: int, actor=None, now: dt.datetime | None = None,
                        detail: str = "") -> Ticket:
    """Change the priority; the deadlines follow the new policy (counted from the same clock start)."""
    now = _now(now)
    if int(priority) not in Priority.values:
        raise ValidationError(gettext("Priority: %(value)s is not a priority; choose one of %(known)s.")
                              % {"value": str(priority)[:40], "known": ", ".join(map(str, Priority.values))})
    old = ticket.priority
    with transaction.atomic():
        ticket.priority = int(priority)
        ticket.updated_at = now
        _set_deadlines(ticket, first_response=True)
        ticket.next_due = ticket.computed_next_due()
        ticket.save()
        _event(ticket, TicketEvent.Kind.PRIORITY, actor=actor, from_value=old, to_value=priority, detail=detail, at=now)
    return ticket


def ticket_transition(*, ticket: Ticket, to: str, actor=None, now: dt.datetime | None = None) -> Ticket:
    """Move the ticket along the flow (:data:`FLOW`), keeping the SLA clocks honest.

    Waiting on the customer stops the resolution clock (the business seconds waited are
    added to the target when the ticket moves on); a reopen starts a fresh resolution clock.
    """
    now = _now(now)
    old = ticket.status
    if to not in TicketStatus.values:
        raise ValidationError(gettext("Status: %(value)s is not a ticket status; choose one of %(known)s.")
                              % {"value": str(to)[:40], "known": ", ".join(TicketStatus.values)})
    if to not in FLOW[old]:
        raise TransitionRefused(gettext("Ticket #%(id)s cannot move from %(old)s to %(new)s; allowed: %(allowed)s.") % {
            "id": ticket.pk, "old": TicketStatus(old).label, "new": TicketStatus(to).label,
            "allowed": ", ".join(str(TicketStatus(s).label) for s in FLOW[old]) or gettext("none")})
    hours = business_hours_for(store_id=ticket.store_id)
    with transaction.atomic():
        if old == TicketStatus.WAITING and ticket.waiting_since is not None:
            ticket.paused_seconds += business_seconds_between(ticket.waiting_since, now, hours)
            ticket.waiting_since = None
        ticket.status = to
        if to == TicketStatus.WAITING:
            ticket.waiting_since = now
        if to == TicketStatus.RESOLVED:
            ticket.resolved_at = now
            if ticket.resolution_due is not None and now > ticket.resolution_due:
                ticket.resolution_breached = True
        if to == TicketStatus.CLOSED:
            ticket.closed_at = now
        if to == TicketStatus.OPEN and old in (TicketStatus.RESOLVED, TicketStatus.CLOSED):  # reopen
            ticket.resolved_at = ticket.closed_at = None
            ticket.clock_started_at = now
            ticket.paused_seconds = 0
            ticket.resolution_breached = False
        ticket.updated_at = now
        _set_deadlines(ticket, first_response=False)
        ticket.next_due = ticket.computed_next_due()
        ticket.save()
        _event(ticket, TicketEvent.Kind.STATUS, actor=actor, from_value=old, to_value=to, at=now)
    if to == TicketStatus.CLOSED and ticket.customer_id:
        survey_after_ticket(ticket=ticket, now=now)
    return ticket


def ticket_reply(*, ticket: Ticket, body: str, actor=None, internal: bool = False,
                 template: ReplyTemplate | None = None, now: dt.datetime | None = None) -> TicketNote:
    """A reply to the customer (the first one stops the first-response clock and opens a new
    ticket) or an internal note. A reply from a template counts one use of it."""
    now = _now(now)
    body = (body or "").strip()
    if not body:
        raise ValidationError(gettext("Reply: the text is empty."), [{"field": "body", "message": "required"}])
    with transaction.atomic():
        note = TicketNote.objects.create(ticket=ticket, author=actor, body=body, internal=internal, template=template,
                                         created_at=now)
        if not internal:
            fields = ["updated_at"]
            if ticket.first_response_at is None:
                ticket.first_response_at = now
                ticket.first_response_breached = bool(ticket.first_response_due and now > ticket.first_response_due)
                fields += ["first_response_at", "first_response_breached"]
            if ticket.status == TicketStatus.NEW:
                ticket.status = TicketStatus.OPEN
                fields.append("status")
                _event(ticket, TicketEvent.Kind.STATUS, actor=actor, from_value=TicketStatus.NEW,
                       to_value=TicketStatus.OPEN, at=now)
            ticket.updated_at = now
            ticket.next_due = ticket.computed_next_due()
            ticket.save(update_fields=[*fields, "next_due"])
        if template is not None:
            ReplyTemplate.objects.filter(pk=template.pk).update(usage_count=F("usage_count") + 1, last_used_at=now)
    return note


def tickets_escalate(*, now: dt.datetime | None = None) -> list[Ticket]:
    """Mark breaches of active tickets; on a first breach whose policy says so, raise the
    priority one step and record an escalation for the lead (the queue's 已升级 filter).
    Idempotent: a ticket is escalated once per breach."""
    now = _now(now)
    out = []
    active = Ticket.objects.exclude(status__in=[TicketStatus.RESOLVED, TicketStatus.CLOSED])
    late_first = active.filter(first_response_at__isnull=True, first_response_due__lt=now, first_response_breached=False)
    late_resolution = active.filter(resolution_due__lt=now, resolution_breached=False)
    for ticket in list(late_first) + [t for t in late_resolution if t.pk not in {x.pk for x in late_first}]:
        with transaction.atomic():
            which = []
            if ticket.first_response_at is None and ticket.first_response_due and ticket.first_response_due < now:
                ticket.first_response_breached = True
                which.append("first_response")
            if ticket.resolution_due and ticket.resolution_due < now:
                ticket.resolution_breached = True
                which.append("resolution")
            ticket.save(update_fields=["first_response_breached", "resolution_breached"])
            policy = sla_policy_for(ticket_type=ticket.ticket_type, priority=ticket.priority)
            if policy is not None and policy.escalate_on_breach:
                ticket.escalated_at = now
                ticket.save(update_fields=["escalated_at"])
                _event(ticket, TicketEvent.Kind.ESCALATED, to_value=",".join(which),
                       detail=f"SLA breached: {', '.join(which)}", at=now)
                if ticket.priority < Priority.URGENT:
                    ticket_set_priority(ticket=ticket, priority=ticket.priority + 1, now=now,
                                        detail="raised on SLA breach")
        out.append(ticket)
    return out


# ------------------------------------------------------------------------------ templates
def reply_template_save(*, title: str, scenario: str, body: str, platform: str = "", is_active: bool = True,
                        template: ReplyTemplate | None = None) -> ReplyTemplate:
    """Create or update a template; its variables are checked before anything is written."""
    templating.template_variables(body)
    row = template or ReplyTemplate()
    row.title, row.scenario, row.body, row.platform, row.is_active = title.strip(), scenario, body, platform, is_active
    row.save()
    return row


def template_render(*, template: ReplyTemplate | str, ticket: Ticket | None = None,
                    values: Mapping[str, str | None] | None = None, agent: Agent | None = None) -> str:
    """The template's text with its variables filled from ``ticket`` (nickname, order, product,
    store, ticket number), ``agent`` and ``values`` (which win, e.g. ``coupon_code`` or a review's
    fields). Unknown variables or a used variable without a value raise ``ValidationError``
    naming it. Rendering counts no use; :func:`ticket_reply` with ``template=`` does."""
    from shopops.service.selectors import template_values

    body = template if isinstance(template, str) else template.body
    filled = template_values(ticket=ticket, agent=agent)
    filled.update({k: v for k, v in (values or {}).items() if v is not None})
    return templating.render(body, filled)


# ------------------------------------------------------------------------------ agents
def agent_ensure(*, user, nickname: str = "", is_lead: bool = False, chat_names: list[str] | None = None) -> Agent:
    agent, created = Agent.objects.get_or_create(user=user, defaults={"nickname": nickname or user.get_username(),
                                                                      "is_lead": is_lead,
                                                                      "chat_names": chat_names or []})
    if not created:
        changed = False
        if nickname and agent.nickname != nickname:
            agent.nickname, changed = nickname, True
        if chat_names is not None and agent.chat_names != chat_names:
            agent.chat_names, changed = chat_names, True
        if is_lead and not agent.is_lead:
            agent.is_lead, changed = True, True
        if changed:
            agent.save()
    return agent


# ------------------------------------------------------------------------------ tickets from facts
def tickets_from_facts(*, day: dt.date, con=None, now: dt.datetime | None = None) -> dict[str, int]:
    """Tickets for the refunds requested and the 1–2 star reviews posted on the business date
    ``day``: one per refund id / review id, whatever the number of runs (``source_ref``).
    Returns ``{"refund": created, "review": created}``."""
    from shopops.warehouse.connection import connect

    con = con or connect()
    now = _now(now)
    tables = set(con.list_tables())
    made = {"refund": 0, "review": 0}
    if "refunds" in tables:
        import ibis

        r = con.table("refunds")
        # refunds are dated by refunded_at; a request still open has no refund_date yet,
        # so a request is placed by the store-local day of requested_at
        from django.conf import settings

        start = dt.datetime.combine(day, dt.time(0), tzinfo=_zone(settings.SHOPOPS_TIME_ZONE)).astimezone(dt.UTC)
        end = start + dt.timedelta(days=1)
        placed = (r.requested_at >= ibis.literal(start)) & (r.requested_at < ibis.literal(end))
        placed = placed | (r.requested_at.isnull() & (r.refund_date == day))
        frame = r.filter(placed).select("store_id", "refund_id", "order_id", "line_no", "amount", "reason",
                                        "with_return", "status").to_pandas()
        customers = _order_customers(con, frame)
        products = selectors.order_products(con, frame)
        for row in frame.itertuples(index=False):
            kind = TicketType.RETURN if row.with_return is True else TicketType.REFUND
            reason = row.reason if isinstance(row.reason, str) else ""
            generated = {"kind": ticket_text.REFUND, "refund_id": row.refund_id, "reason": reason,
                         "order_id": row.order_id, "amount": str(row.amount),
                         "status": row.status if isinstance(row.status, str) else ""}
            _, created = ticket_create(
                store_id=row.store_id, ticket_type=kind, source=TicketSource.REFUND, source_ref=row.refund_id,
                subject=ticket_text.in_chinese(ticket_text.subject, generated)[:200],
                description=ticket_text.in_chinese(ticket_text.description, generated), generated=generated,
                order_id=row.order_id, customer_id=customers.get((row.store_id, row.order_id), ""),
                product_id=products.get((row.store_id, row.order_id, _line_no(row.line_no)), ""), now=now)
            made["refund"] += created
    if "reviews" in tables:
        v = con.table("reviews")
        frame = v.filter((v.review_date == day) & (v.rating <= 2)).select(
            "store_id", "review_id", "order_id", "product_id", "customer_id", "rating", "content").to_pandas()
        for row in frame.itertuples(index=False):
            content = row.content if isinstance(row.content, str) else ""
            generated = {"kind": ticket_text.REVIEW, "rating": int(row.rating), "excerpt": content[:60]}
            _, created = ticket_create(
                store_id=row.store_id, ticket_type=TicketType.BAD_REVIEW, source=TicketSource.REVIEW,
                source_ref=row.review_id, priority=Priority.HIGH if row.rating == 1 else Priority.NORMAL,
                subject=ticket_text.in_chinese(ticket_text.subject, generated)[:200], description=content,
                generated=generated,
                order_id=row.order_id if isinstance(row.order_id, str) else "",
                customer_id=row.customer_id if isinstance(row.customer_id, str) else "",
                product_id=row.product_id, now=now)
            made["review"] += created
    return made


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _line_no(value) -> int | None:
    try:
        return None if value is None or value != value else int(value)  # NaN: no line
    except (TypeError, ValueError):
        return None


def _order_customers(con, refunds) -> dict[tuple[str, str], str]:
    if refunds.empty or "orders" not in con.list_tables():
        return {}
    o = con.table("orders")
    ids = sorted(set(refunds["order_id"]))
    frame = o.filter(o.order_id.isin(ids)).select("store_id", "order_id", "customer_id").to_pandas()
    return {(s, oid): c for s, oid, c in frame.itertuples(index=False)}
