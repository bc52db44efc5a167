"""Reads of the service desk: SLA policies and business hours, the queue, tickets, templates,
agents, CSAT/NPS (``csat_by_agent`` for the team scorecards)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import F, Q, QuerySet

from shopops.service.models import (
    Agent, BusinessHoursSetting, ReplyTemplate, SlaPolicy, SurveyAnswer, SurveyKind, Ticket, TicketStatus,
)
from shopops.service.sla import BusinessHours, Calendar, default_calendar

_calendar_override: Calendar | None = None


def calendar_register(fn: Calendar | None) -> None:
    """Replace the working-day calendar (``fn(date) -> bool``) for every store; None restores the default."""
    global _calendar_override
    _calendar_override = fn


def business_hours_for(*, store_id: str = "") -> BusinessHours:
    rows = {r.store_id: r for r in BusinessHoursSetting.objects.filter(store_id__in=[store_id, ""])}
    row = rows.get(store_id) or rows.get("")
    opens, closes = (row.opens_minute, row.closes_minute) if row else (9 * 60, 24 * 60)
    return BusinessHours(tz=settings.SHOPOPS_TIME_ZONE, opens=opens, closes=closes,
                         is_working_day=_calendar_override or default_calendar())


def sla_policy_for(*, ticket_type: str, priority: int) -> SlaPolicy | None:
    """The policy of the type and priority, else the catch-all policy (empty type) of the priority."""
    rows = {p.ticket_type: p for p in SlaPolicy.objects.filter(priority=priority, ticket_type__in=[ticket_type, ""])}
    return rows.get(ticket_type) or rows.get("")


# ------------------------------------------------------------------------------ queue
ACTIVE = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.WAITING)


def _queue_q(*, assignee: Agent | None = None, unassigned: bool = False, ticket_type: str = "",
             escalated: bool = False, search: str = "") -> Q:
    q = Q()
    if assignee is not None:
        q &= Q(assignee=assignee)
    if unassigned:
        q &= Q(assignee__isnull=True)
    if ticket_type:
        q &= Q(ticket_type=ticket_type)
    if escalated:
        q &= Q(escalated_at__isnull=False)
    if search:
        q &= Q(subject__icontains=search) | Q(order_id=search) | Q(customer_id=search) | Q(product_id=search)
    return q


def ticket_queue(*, statuses=ACTIVE, **filters) -> QuerySet[Ticket]:
    """Tickets of the queue (active by default) matching the filters (``assignee``, ``unassigned``,
    ``ticket_type``, ``escalated``, ``search``), the most urgent first: the earliest deadline (first
    response while no reply was sent, else resolution, kept in ``next_due``); tickets whose clock is
    stopped (waiting on the customer) or without a policy after all running ones."""
    qs = Ticket.objects.filter(_queue_q(**filters), status__in=list(statuses)).select_related("assignee")
    return qs.order_by(F("next_due").asc(nulls_last=True), "id")


def ticket_queue_head(*, limit: int, after: tuple[dt.datetime | None, int] | None = None,
                      **filters) -> list[Ticket]:
    """The first ``limit`` active tickets of :func:`ticket_queue`, fast on large desks: the running
    ones by an index scan of ``next_due`` that stops at ``limit`` (every ticket with a ``next_due``
    is active, so no status test), then the ones with a stopped clock.

    ``after`` is the keyset of the last ticket of the previous page (its ``next_due`` — None for a
    stopped clock — and id, see :func:`queue_cursor`): the page continues after it with the same
    index scan, never an OFFSET that reads every earlier row."""
    q = _queue_q(**filters)
    head: list[Ticket] = []
    after_due, after_id = after if after is not None else (None, None)
    if after is None or after_due is not None:
        running = Ticket.objects.filter(q, next_due__isnull=False)
        if after_due is not None:
            running = running.filter(Q(next_due__gt=after_due) | Q(next_due=after_due, id__gt=after_id))
        head = list(running.select_related("assignee").order_by("next_due", "id")[:limit])
    if len(head) < limit:
        stopped = Ticket.objects.filter(q, next_due__isnull=True, status__in=list(ACTIVE))
        if after is not None and after_due is None:
            stopped = stopped.filter(id__gt=after_id)
        head += list(stopped.select_related("assignee").order_by("id")[:limit - len(head)])
    return head


def queue_cursor(ticket: Ticket) -> str:
    """The keyset of a queue row as text for a link (``<next_due ISO>~<id>``; ``-~<id>`` for a stopped clock)."""
    return f"{ticket.next_due.isoformat() if ticket.next_due else '-'}~{ticket.pk}"


def queue_cursor_parse(text: str) -> tuple[dt.datetime | None, int] | None:
    """A cursor from :func:`queue_cursor`; None (first page) for anything else."""
    due, sep, pk = (text or "").partition("~")
    if not sep or not pk.isdigit():
        return None
    if due == "-":
        return None, int(pk)
    try:
        when = dt.datetime.fromisoformat(due)
    except ValueError:
        return None
    return (when, int(pk)) if when.tzinfo else None


def ticket_get(*, ticket_id: int) -> Ticket:
    return Ticket.objects.select_related("assignee", "assignee__user", "created_by").get(pk=ticket_id)


def agent_for_user(user) -> Agent | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Agent.objects.filter(user=user).first()


def agent_list(*, active_only: bool = True) -> list[Agent]:
    qs = Agent.objects.select_related("user")
    return list(qs.filter(is_active=True) if active_only else qs)


# ------------------------------------------------------------------------------ templates
def reply_template_search(*, query: str = "", scenario: str = "", platform: str = "",
                          active_only: bool = True) -> QuerySet[ReplyTemplate]:
    """Templates matching words in their title or text, for a scenario and a platform (templates
    without a platform fit every platform); the most used first."""
    qs = ReplyTemplate.objects.all()
    if active_only:
        qs = qs.filter(is_active=True)
    for word in (query or "").split():
        qs = qs.filter(Q(title__icontains=word) | Q(body__icontains=word))
    if scenario:
        qs = qs.filter(scenario=scenario)
    if platform:
        qs = qs.filter(Q(platform=platform) | Q(platform=""))
    return qs.order_by("-usage_count", "title")


def product_title(*, store_id: str, product_id: str) -> str:
    if not product_id:
        return ""
    from shopops.metrics.dimensions import product_titles

    try:
        return product_titles([(store_id, product_id)]).get((store_id, product_id), product_id)
    except Exception:  # no warehouse yet
        return product_id


def product_titles_of(keys) -> dict[tuple[str, str], str]:
    """Listing titles of ``(store_id, product_id)`` keys; products without a title (or no warehouse yet) are
    left out and callers show the id."""
    from shopops.metrics.dimensions import product_titles

    try:
        return product_titles(list(keys))
    except Exception:  # no warehouse yet
        return {}


def template_values(*, ticket: Ticket | None, agent: Agent | None = None) -> dict[str, str]:
    """The values a ticket gives to template variables (``service.templating.VARIABLES``)."""
    out: dict[str, str] = {}
    if agent is not None:
        out["agent"] = agent.nickname
    if ticket is None:
        return out
    out.update({"nickname": ticket.customer_nickname, "order_id": ticket.order_id, "ticket_id": str(ticket.pk)})
    if ticket.product_id:
        out["product"] = product_title(store_id=ticket.store_id, product_id=ticket.product_id)
    from shopops.metrics.dimensions import store_names

    out["store"] = store_names().get(ticket.store_id, ticket.store_id)
    if agent is None and ticket.assignee is not None:
        out["agent"] = ticket.assignee.nickname
    return out


def coupon_code_for(*, coupon_id: int, customer_id: str = "") -> str:
    """A code of a promotions coupon to quote in a reply: the customer's own code if they hold
    one, else the coupon's first unclaimed code; '' when none is left."""
    from shopops.promotions.selectors import coupon_get

    coupon = coupon_get(coupon_id=coupon_id)
    codes = coupon.codes.all()
    mine = codes.filter(customer_id=customer_id, redeemed_at__isnull=True).first() if customer_id else None
    free = mine or codes.filter(customer_id="", claimed_at__isnull=True).order_by("id").first()
    return free.code if free else ""


def coupon_options(*, customer_id: str = "") -> list[tuple[int, str, int, bool]]:
    """The coupons a reply may quote (newest first): ``(id, name, codes left to give, usable)``. A coupon is
    usable when it has a code left unclaimed or the customer holds an unredeemed code of it (given even when
    none is left, :func:`coupon_code_for`); the picker shows the others disabled."""
    from django.db.models import Count, Q

    from shopops.promotions.models import Coupon

    qs = Coupon.objects.annotate(left=Count("codes", filter=Q(codes__customer_id="", codes__claimed_at__isnull=True)))
    rows = list(qs.order_by("-valid_until")[:50])
    own: set[int] = set()
    if customer_id:
        own = set(Coupon.objects.filter(pk__in=[c.pk for c in rows], codes__customer_id=customer_id,
                                        codes__redeemed_at__isnull=True).values_list("pk", flat=True))
    return [(c.pk, c.name, c.left, c.left > 0 or c.pk in own) for c in rows]


# ------------------------------------------------------------------------------ surveys
@dataclass(frozen=True, slots=True)
class ScoreRow:
    key: str
    label: str
    answers: int
    value: float | None  # CSAT share 0–1 or NPS −100…100
    low: float | None
    high: float | None


def _answers(kind: str, start: dt.date | None, end: dt.date | None) -> QuerySet[SurveyAnswer]:
    qs = SurveyAnswer.objects.filter(send__kind=kind).select_related("send", "send__agent")
    if start is not None:
        qs = qs.filter(answered_at__date__gte=start)
    if end is not None:
        qs = qs.filter(answered_at__date__lte=end)
    return qs


def satisfaction_by(*, kind: str, by: str, start: dt.date | None = None, end: dt.date | None = None
                    ) -> list[ScoreRow]:
    """CSAT (share of 4–5 of 1–5, Wilson 95 % interval) or NPS (normal-approximation 95 % interval)
    per ``by``: ``store``, ``product``, ``agent``, ``month`` or ``all``."""
    from shopops.service.satisfaction import csat_interval, nps_interval

    keyfn: dict[str, Callable] = {
        "store": lambda a: (a.send.store_id, a.send.store_id),
        "product": lambda a: (a.send.product_id or "-", a.send.product_id or "-"),
        "agent": lambda a: (str(a.send.agent_id or "-"), a.send.agent.nickname if a.send.agent else "-"),
        "month": lambda a: (a.answered_at.strftime("%Y-%m"),) * 2,
        "all": lambda a: ("all", "all"),
    }
    if by not in keyfn:
        raise ValueError(f"by must be one of {', '.join(keyfn)}, got {by!r}")
    groups: dict[str, tuple[str, list[int]]] = {}
    first_store: dict[str, str] = {}  # product -> the store of its first answer (for its title)
    for a in _answers(kind, start, end):
        key, label = keyfn[by](a)
        groups.setdefault(key, (label, []))[1].append(a.score)
        first_store.setdefault(a.send.product_id, a.send.store_id)
    if by == "product":  # the product's title, not its id
        from shopops.metrics.dimensions import product_titles

        try:
            titles = product_titles([(s, pid) for pid, s in first_store.items() if pid])
        except Exception:  # no warehouse yet: the ids
            titles = {}
        groups = {k: (titles.get((first_store.get(k), k), label), scores) for k, (label, scores) in groups.items()}
    rows = []
    for key, (label, scores) in sorted(groups.items()):
        if kind == SurveyKind.CSAT:
            est = csat_interval(scores)
        else:
            est = nps_interval(scores)
        rows.append(ScoreRow(key, label, len(scores), est.value, est.low, est.high))
    return rows


def csat_by_agent(month: str | dt.date) -> dict[int, ScoreRow]:
    """CSAT of each agent in a month (``"2026-11"`` or any date in it): ``{user_id: ScoreRow}``
    for the team scorecards; ``value`` is the share 0–1 of answers 4–5, with Wilson 95 % bounds."""
    from shopops.core.periods import month_period

    if isinstance(month, str):
        year, mon = (int(x) for x in month.split("-")[:2])
    else:
        year, mon = month.year, month.month
    period = month_period(year, mon)
    agents = {str(a.pk): a.user_id for a in Agent.objects.all()}
    return {agents[r.key]: r for r in satisfaction_by(kind=SurveyKind.CSAT, by="agent", start=period.start,
                                                      end=period.end) if r.key in agents}


CSAT_TARGET = 0.85  # the seeds' target: CSAT >= 85 %


@dataclass(frozen=True, slots=True)
class QueueRow:
    ticket: Ticket
    due: dt.datetime | None
    due_kind: str  # "first_response", "resolution" or "" (clock stopped / no policy)
    seconds_left: int | None  # business seconds until the deadline; negative when overdue
    warning: bool  # at risk: within the last share of its clock's target (``sla.at_risk``)
    breached: bool

    @property
    def due_label(self) -> str:
        """What the deadline is: first_response, resolution, stopped (waiting) or none (no policy)."""
        if self.due_kind:
            return self.due_kind
        return "stopped" if self.ticket.status == TicketStatus.WAITING else "none"


def queue_rows(tickets, *, now: dt.datetime) -> list[QueueRow]:
    """Each ticket with its next deadline and the business time left to it (overdue: negative), at risk
    (``warning``) within the last quarter of that clock's target, at most its last business hour
    (``sla.at_risk``). The target is read off the ticket's own deadline — business seconds from the clock's
    start (creation for the first response; the clock start, less the paused seconds, for resolution) — so an
    escalated ticket is judged on its new target and a changed policy does not move old deadlines."""
    from shopops.service.sla import at_risk, business_seconds_between

    hours_by_store: dict[str, BusinessHours] = {}
    rows = []
    for t in tickets:
        if t.first_response_at is None and t.first_response_due is not None:
            due, kind = t.first_response_due, "first_response"
        elif t.status != TicketStatus.WAITING and t.resolution_due is not None and t.is_active:
            due, kind = t.resolution_due, "resolution"
        else:
            due, kind = None, ""
        left = target = None
        if due is not None:
            hours = hours_by_store.get(t.store_id) or hours_by_store.setdefault(t.store_id, business_hours_for(store_id=t.store_id))
            left = business_seconds_between(now, due, hours) if due >= now else -business_seconds_between(due, now, hours)
            if due < now and left == 0:
                left = -1  # overdue outside business hours still counts as overdue
            if kind == "first_response":
                target = business_seconds_between(t.created_at, due, hours)
            else:
                target = business_seconds_between(t.clock_started_at or t.created_at, due, hours) - t.paused_seconds
        breached = t.first_response_breached or t.resolution_breached or (left is not None and left < 0)
        rows.append(QueueRow(t, due, kind, left, at_risk(left, target), breached))
    return rows


def ticket_counts() -> dict[str, int]:
    from django.db.models import Count

    out = {s: 0 for s in TicketStatus.values}
    out.update(dict(Ticket.objects.values_list("status").annotate(n=Count("id")).values_list("status", "n")))
    return out


def agent_chat_names() -> set[str] | None:
    """Every agent's chat-tool names (for the import check); None while no agent has any."""
    names = {str(n).strip() for names in Agent.objects.values_list("chat_names", flat=True) for n in (names or [])}
    names.discard("")
    return names or None


def agent_by_chat_name() -> dict[str, Agent]:
    return {str(n).strip(): a for a in Agent.objects.select_related("user") for n in (a.chat_names or [])}


def order_products(con, rows) -> dict[tuple[str, str, int | None], str]:
    """The product of each ``(store_id, order_id, line_no)`` of ``rows`` (columns store_id, order_id and
    optionally line_no) from ``order_lines``: the line's product when a line is named, else (key
    ``line_no`` None) the order's main product, the line paid most (the lowest line number on a tie)."""
    if rows.empty or "order_lines" not in con.list_tables():
        return {}
    lines = con.table("order_lines")
    ids = sorted(set(rows["order_id"]))
    frame = lines.filter(lines.order_id.isin(ids)).select(
        "store_id", "order_id", "line_no", "product_id", "paid_amount").to_pandas()
    wanted = set(zip(rows["store_id"], rows["order_id"], strict=True))
    out: dict[tuple[str, str, int | None], str] = {}
    for store_id, order_id, line_no, product_id, _paid in frame.sort_values(
            ["store_id", "order_id", "paid_amount", "line_no"], ascending=[True, True, False, True]).itertuples(index=False):
        if (store_id, order_id) not in wanted:
            continue
        out.setdefault((store_id, order_id, None), product_id)
        out[(store_id, order_id, int(line_no))] = product_id
    return out
