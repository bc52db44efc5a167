"""Pages of the service desk: parse, check the action's permission, call one service or selector, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.roles import Module
from shopops.service import permissions, selectors, services, templating
from shopops.service.forms import ReplyForm, ReplyTemplateForm, TemplateSearchForm, TicketForm
from shopops.service.models import Agent, Priority, ReplyTemplate, SurveyKind, Ticket, TicketStatus, TicketType
from shopops.ui.exports import FORMATS, export_response
from shopops.ui.forms import period_param, pk_param
from shopops.ui.pages import module_required
from shopops.ui.tables import Column, DataTable, Row

PERMISSION = permissions.PERMISSION
QUEUE_LIMIT = 100  # rows per queue page; further pages by keyset (selectors.queue_cursor)


def _stores() -> list[tuple[str, str]]:
    from shopops.metrics.dimensions import store_list

    try:
        stores = [(s.store_id, s.name or s.store_id) for s in store_list()]
    except Exception:  # no warehouse yet
        stores = []
    return stores or [("default", "default")]


def _ticket(ticket_id: int) -> Ticket:
    try:
        return selectors.ticket_get(ticket_id=ticket_id)
    except Ticket.DoesNotExist as exc:
        raise Http404 from exc


def _deny_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@module_required(Module.SERVICE)
def queue(request: HttpRequest) -> HttpResponse:
    me = selectors.agent_for_user(request.user)
    view = request.GET.get("view", "all")
    ticket_type = request.GET.get("type", "")
    if ticket_type and ticket_type not in TicketType.values:
        ticket_type = ""
    filters = {"assignee": me if view == "mine" and me else None, "unassigned": view == "unassigned",
               "escalated": view == "escalated", "ticket_type": ticket_type,
               "search": request.GET.get("q", "").strip()[:128]}
    counts = selectors.ticket_counts()
    filtered = any(filters.values())
    # the unfiltered total is the active statuses' counts the page shows anyway (one GROUP BY, no second scan)
    total = selectors.ticket_queue(**filters).count() if filtered else sum(counts[s] for s in selectors.ACTIVE)
    export = request.GET.get("format") in FORMATS
    after = None if export else selectors.queue_cursor_parse(request.GET.get("after", ""))
    head = selectors.ticket_queue_head(limit=QUEUE_LIMIT + 1, after=after, **filters)
    more = len(head) > QUEUE_LIMIT
    rows = selectors.queue_rows(head[:QUEUE_LIMIT], now=timezone.now())
    if export:
        table = DataTable("queue", _("Ticket queue"), [
            Column("id", "#", unit="count"), Column("subject", _("Subject")), Column("type", _("Type")),
            Column("priority", _("Priority")), Column("status", _("Status")), Column("assignee", _("Assignee")),
            Column("due", _("Due"), unit="datetime"), Column("breached", _("SLA breached"))],
            [Row({"id": r.ticket.pk, "subject": r.ticket.subject_text, "type": r.ticket.get_ticket_type_display(),
                  "priority": r.ticket.get_priority_display(), "status": r.ticket.get_status_display(),
                  "assignee": r.ticket.assignee.nickname if r.ticket.assignee else "", "due": r.due,
                  "breached": _("yes") if r.breached else ""}) for r in rows])
        return export_response(table, request.GET["format"], "service-queue")
    return render(request, "service/queue.html", {
        "rows": rows, "total": total, "limit": QUEUE_LIMIT, "view": view, "ticket_type": ticket_type,
        "paged": after is not None, "next_cursor": selectors.queue_cursor(head[QUEUE_LIMIT - 1]) if more else "",
        "types": TicketType.choices, "q": request.GET.get("q", ""), "me": me, "counts": counts,
        "ticket_base": reverse("service:ticket", kwargs={"ticket_id": 0})[:-2], "labels": _queue_labels(),
        "is_lead": permissions.is_lead(request.user)})


def _queue_labels() -> dict:
    """Every label the queue shows, translated once per page (not once per row)."""
    from shopops.service.models import Priority

    return {"type": {k: str(v) for k, v in TicketType.choices}, "status": {k: str(v) for k, v in TicketStatus.choices},
            "priority": {k: str(v) for k, v in Priority.choices}, "escalated": _("escalated"),
            "due": {"first_response": _("first response"), "resolution": _("resolution"), "stopped": _("clock stopped"),
                    "none": _("no SLA policy")}}


@module_required(Module.SERVICE)
def ticket_new(request: HttpRequest) -> HttpResponse:
    form = TicketForm(request.POST or None, stores=_stores())
    if request.method == "POST" and form.is_valid():
        me = selectors.agent_for_user(request.user)
        try:
            ticket, _created = services.ticket_create(**form.cleaned_data, created_by=request.user,
                                                      assignee=me if me and not permissions.is_lead(request.user) else None)
        except ValidationError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("service:ticket", ticket_id=ticket.pk)
    return render(request, "service/ticket_new.html", {"form": form})


def _ticket_context(request: HttpRequest, ticket: Ticket, *, reply_form: ReplyForm | None = None,
                    error: str = "") -> dict:
    user = request.user
    customer_id, nickname = permissions.customer_shown(user, ticket)
    now = timezone.now()
    row = selectors.queue_rows([ticket], now=now)[0]
    coupons = selectors.coupon_options(customer_id=ticket.customer_id)  # read once: the picker and a coupon's name in a refusal
    template = None
    draft_error = error
    initial = {}
    template_id = request.GET.get("template")
    if template_id and reply_form is None:
        pk = pk_param(template_id)
        template = ReplyTemplate.objects.filter(pk=pk, is_active=True).first() if pk else None
        if template is None:
            draft_error = _("Template %(id)s does not exist.") % {"id": template_id}
        else:
            values = {}
            coupon = request.GET.get("coupon", "")
            coupon_error = ""
            if coupon.isdigit():
                try:
                    values["coupon_code"] = selectors.coupon_code_for(coupon_id=int(coupon), customer_id=ticket.customer_id)
                except Exception:  # unknown coupon: the render names the missing variable
                    values["coupon_code"] = ""
                if not values["coupon_code"]:
                    name = next((label for pk, label, _left, _usable in coupons if pk == int(coupon)), coupon)
                    coupon_error = _("The coupon “%(coupon)s” has no code left to give (every code is claimed): choose "
                                     "another coupon, or add codes to it in promotions.") % {"coupon": name}
            try:
                initial = {"body": services.template_render(template=template, ticket=ticket, values=values,
                                                            agent=selectors.agent_for_user(user)),
                           "template_id": template.pk}
            except ValidationError as exc:
                draft_error = coupon_error if coupon_error and "coupon_code" in templating.template_variables(
                    template.body) else str(exc)
    can_edit = permissions.can_edit(user, ticket)
    me = selectors.agent_for_user(user)
    return {
        "ticket": ticket, "row": row, "customer_id": customer_id, "nickname": nickname,
        "notes": list(ticket.notes.select_related("author", "template")),
        "events": _event_rows(ticket),
        "reply_form": reply_form or ReplyForm(initial=initial), "draft_error": draft_error, "template": template,
        "templates": list(selectors.reply_template_search(scenario=""))[:100],
        "coupons": coupons, "coupon": request.GET.get("coupon", ""),
        "can_edit": can_edit, "can_take": permissions.can_assign(user, ticket, me) and me is not None
        and ticket.assignee_id is None,
        "is_lead": permissions.is_lead(user), "agents": selectors.agent_list(),
        "next_statuses": [(s, _("Reopen") if s == TicketStatus.OPEN and not ticket.is_active else f"→ {TicketStatus(s).label}")
                          for s in services.FLOW[ticket.status]] if can_edit else [],
        "priorities": Priority.choices,
        "product": selectors.product_title(store_id=ticket.store_id, product_id=ticket.product_id),
        "unknown_template": bool(template_id) and template is None and reply_form is None,
    }


DEADLINE_LABELS = {"first_response": gettext_lazy("first response"), "resolution": gettext_lazy("resolution")}
EVENT_DETAILS = {"raised on SLA breach": gettext_lazy("raised on SLA breach"),
                 "raised: the wave grew": gettext_lazy("raised: the bad-review wave grew")}


def _event_rows(ticket: Ticket) -> list[dict]:
    """The history in the reader's language: status and source codes shown by their labels."""
    from shopops.service.models import Priority, TicketEvent, TicketSource

    def label(kind: str, value: str) -> str:
        choices = {TicketEvent.Kind.STATUS: TicketStatus, TicketEvent.Kind.CREATED: TicketSource,
                   TicketEvent.Kind.PRIORITY: Priority}.get(kind)
        if choices is None or value == "":
            return value
        try:
            return str(choices(int(value) if choices is Priority else value).label)
        except ValueError:
            return value

    def deadlines(value: str) -> str:  # an escalation's "first_response,resolution"
        return "、".join(str(DEADLINE_LABELS.get(v, v)) for v in value.split(",") if v)

    def detail(text: str) -> str:  # the details the services write, in the reader's language
        if text.startswith("SLA breached:"):
            return str(_("SLA breached"))
        return str(EVENT_DETAILS.get(text, text))

    rows = []
    for e in ticket.events.select_related("actor"):
        if e.kind == TicketEvent.Kind.ESCALATED:
            old, new = "", deadlines(e.to_value)
        else:
            old, new = label(e.kind, e.from_value), label(e.kind, e.to_value)
        rows.append({"at": e.at, "kind": e.get_kind_display(), "detail": detail(e.detail),
                     "change": f"{old} → {new}" if old else new, "actor": e.actor.username if e.actor else ""})
    return rows


@module_required(Module.SERVICE)
def ticket_detail(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(ticket_id)
    context = _ticket_context(request, ticket)
    return render(request, "service/ticket.html", context, status=400 if context["unknown_template"] else 200)


@module_required(Module.SERVICE)
@require_POST
def ticket_reply(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(ticket_id)
    _deny_unless(permissions.can_edit(request.user, ticket))
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return render(request, "service/ticket.html", _ticket_context(request, ticket, reply_form=form), status=400)
    template = None
    if form.cleaned_data.get("template_id"):
        template = ReplyTemplate.objects.filter(pk=form.cleaned_data["template_id"]).first()
    services.ticket_reply(ticket=ticket, body=form.cleaned_data["body"], actor=request.user,
                          internal=form.cleaned_data["internal"], template=template)
    messages.success(request, _("Internal note added.") if form.cleaned_data["internal"] else _("Reply sent."))
    return redirect("service:ticket", ticket_id=ticket.pk)


@module_required(Module.SERVICE)
@require_POST
def ticket_status(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(ticket_id)
    _deny_unless(permissions.can_edit(request.user, ticket))
    try:
        services.ticket_transition(ticket=ticket, to=request.POST.get("to", ""), actor=request.user)
    except ShopopsError as exc:
        return render(request, "service/ticket.html", _ticket_context(request, ticket, error=str(exc)), status=400)
    messages.success(request, _("Status: %(status)s.") % {"status": ticket.get_status_display()})
    return redirect("service:ticket", ticket_id=ticket.pk)


@module_required(Module.SERVICE)
@require_POST
def ticket_assign(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(ticket_id)
    raw = request.POST.get("agent", "")
    agent = Agent.objects.filter(pk=pk, is_active=True).first() if (pk := pk_param(raw)) else None
    if raw and agent is None:
        return render(request, "service/ticket.html",
                      _ticket_context(request, ticket, error=_("Agent %(id)s does not exist.") % {"id": raw}), status=400)
    _deny_unless(permissions.can_assign(request.user, ticket, agent))
    services.ticket_assign(ticket=ticket, agent=agent, actor=request.user)
    return redirect("service:ticket", ticket_id=ticket.pk)


@module_required(Module.SERVICE)
@require_POST
def ticket_priority(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = _ticket(ticket_id)
    _deny_unless(permissions.can_set_priority(request.user, ticket))
    raw = request.POST.get("priority", "")
    try:
        services.ticket_set_priority(ticket=ticket, priority=int(raw) if raw.isdigit() else -1, actor=request.user)
    except ValidationError as exc:
        return render(request, "service/ticket.html", _ticket_context(request, ticket, error=str(exc)), status=400)
    return redirect("service:ticket", ticket_id=ticket.pk)


# ------------------------------------------------------------------------------ templates
@module_required(Module.SERVICE)
def templates(request: HttpRequest) -> HttpResponse:
    search = TemplateSearchForm(request.GET or None)
    search.is_valid()
    data = search.cleaned_data if search.is_bound else {}
    rows = selectors.reply_template_search(query=data.get("q", ""), scenario=data.get("scenario", ""),
                                           platform=data.get("platform", ""), active_only=False)
    return render(request, "service/templates.html", {
        "search": search, "rows": rows, "can_edit": permissions.can_edit_templates(request.user),
        "variables": _variables()})


def _variables() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    from shopops.service.templating import VARIABLES

    en = (get_language() or "").startswith("en")
    return [(k, v[1] if en else v[0]) for k, v in VARIABLES.items()]


@module_required(Module.SERVICE)
def template_edit(request: HttpRequest, template_id: int | None = None) -> HttpResponse:
    _deny_unless(permissions.can_edit_templates(request.user))
    instance = None
    if template_id is not None:
        instance = ReplyTemplate.objects.filter(pk=template_id).first()
        if instance is None:
            raise Http404
    form = ReplyTemplateForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.reply_template_save(title=data["title"], scenario=data["scenario"], body=data["body"],
                                     platform=data["platform"], is_active=data["is_active"], template=instance)
        return redirect("service:templates")
    return render(request, "service/template_form.html", {"form": form, "instance": instance, "variables": _variables()},
        status=400 if request.method == "POST" else 200)


# ------------------------------------------------------------------------------ satisfaction
def _period(request: HttpRequest) -> tuple[dt.date | None, dt.date | None, str]:
    try:
        p = period_param(request.GET.get("period"))
    except BadRequest as exc:
        return None, None, str(exc)
    return (p.start, p.end, "") if p else (None, None, "")


@module_required(Module.SERVICE)
def satisfaction(request: HttpRequest) -> HttpResponse:
    by = request.GET.get("by", "agent")
    if by not in ("store", "product", "agent", "month"):
        by = "agent"
    start, end, error = _period(request)
    csat = selectors.satisfaction_by(kind=SurveyKind.CSAT, by=by, start=start, end=end)
    nps = selectors.satisfaction_by(kind=SurveyKind.NPS, by=by, start=start, end=end)
    overall = selectors.satisfaction_by(kind=SurveyKind.CSAT, by="all", start=start, end=end)
    overall_nps = selectors.satisfaction_by(kind=SurveyKind.NPS, by="all", start=start, end=end)
    return render(request, "service/satisfaction.html", {
        "by": by, "csat": csat, "nps": nps, "overall": overall[0] if overall else None,
        "overall_nps": overall_nps[0] if overall_nps else None, "target": selectors.CSAT_TARGET,
        "period": request.GET.get("period", ""), "error": error,
        "bys": [("agent", _("Agent")), ("store", _("Store")), ("product", _("Product")), ("month", _("Month"))]},
        status=400 if error else 200)


def _survey_refusal(exc: ValidationError) -> str:
    """The refusal of a survey answer in the buyer's language (the service's message is the API's, in English)."""
    params = getattr(exc, "params", {})
    code = getattr(exc, "code", "")
    if code == "not_whole":
        if str(params.get("value", "")).strip() == "":
            return _("Choose a score from %(low)s to %(high)s.") % params
        return _("“%(value)s” is not a score: choose a whole number from %(low)s to %(high)s.") % {
            **params, "value": str(params["value"])[:20]}
    if code == "out_of_range":
        return _("%(value)s is outside the scale: choose a score from %(low)s to %(high)s.") % params
    if code == "unknown":
        return _("This survey link is not valid.")
    return str(exc)


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The public answer page of a survey link: no login; the token is the key."""
    from shopops.service.models import SurveySend

    send = SurveySend.objects.filter(token=token).first()
    if send is None:
        return render(request, "service/survey.html", {"error": _("This survey link is not valid.")}, status=404)
    scale = range(1, 6) if send.kind == SurveyKind.CSAT else range(0, 11)
    if request.method == "POST":
        try:
            services.survey_answer(token=token, score=request.POST.get("score", ""),
                                   comment=request.POST.get("comment", ""), via="link")
        except ValidationError as exc:
            code = getattr(exc, "code", "")  # answered or expired meanwhile: the page says so instead of the form
            return render(request, "service/survey.html", {
                "send": send, "scale": scale, "error": "" if code in ("answered", "expired") else _survey_refusal(exc),
                "answered_before": code == "answered", "expired": code == "expired"}, status=400)
        return render(request, "service/survey.html", {"send": send, "done": True})
    done = hasattr(send, "answer")
    return render(request, "service/survey.html", {"send": send, "scale": scale, "done": done,
                                                   "expired": send.expires_at < timezone.now()})
