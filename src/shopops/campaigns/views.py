"""Pages of the campaign season: parse, call one service or selector, render."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext as _
from django.views.decorators.http import require_POST

from shopops.campaigns import selectors, services, stocking
from shopops.campaigns.forms import (
    AttachmentForm, BudgetLineForm, CalendarFilterForm, CommentForm, ContentImportForm, ContentPostForm,
    DependencyForm, GenerateTasksForm, HolidayScheduleForm, MonthForm, PhaseForm, PlanForm, ReviewNotesForm, TaskForm, TaskStatusForm,
    TransitionForm,
)
from shopops.campaigns.models import BudgetLine, CampaignPhase, CampaignPlan, ContentPost, Task, TaskAttachment
from shopops.campaigns.services import may_plan
from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.promotions.models import Promotion
from shopops.ui.forms import pk_param
from shopops.ui.pages import module_required as ui_module_required, user_can_use

PERMISSION = f"team.use_{Module.CAMPAIGNS.value}"


module_required = ui_module_required(Module.CAMPAIGNS)  # login + the campaigns module, on every request


def planner_required(view):
    """The campaigns module and the plan-editing action, checked on the server for every request."""
    @module_required
    @wraps(view)
    def inner(request: HttpRequest, *args, **kwargs):
        if not may_plan(request.user):
            raise PermissionDenied(_("Only the people who plan campaigns (ops, ads, the director) may change a plan."))
        return view(request, *args, **kwargs)
    return inner


def _today() -> dt.date:
    return selectors.store_today()


def _plan(plan_id: int) -> CampaignPlan:
    try:
        return selectors.plan_get(plan_id=plan_id)
    except CampaignPlan.DoesNotExist as exc:
        raise Http404 from exc


def _task(task_id: int) -> Task:
    try:
        return selectors.task_get(task_id=task_id)
    except Task.DoesNotExist as exc:
        raise Http404 from exc


# ------------------------------------------------------------------------------ plans
@module_required
def plans(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    rows = selectors.plan_list(status=status if status in CampaignPlan.Status.values else "")
    return render(request, "campaigns/plans.html", {
        "plans": [{"plan": p, "budget": selectors.budget_total(p)} for p in rows], "status": status,
        "statuses": CampaignPlan.Status.choices, "overdue": selectors.overdue_tasks(day=_today(), user=request.user),
        "may_plan": may_plan(request.user)})


def _plan_form_page(request: HttpRequest, plan: CampaignPlan | None) -> HttpResponse:
    stores = selectors.stores_available()
    if request.method == "POST":
        form = PlanForm(request.POST, stores=stores)
        if form.is_valid():
            d = form.cleaned_data
            try:
                chosen = selectors.stores_by_id(d["stores"])
                kwargs = dict(name=d["name"], theme=d["theme"], starts_on=d["starts_on"], ends_on=d["ends_on"],
                              owner=d["owner"], festival=d["festival"], hero_skus=d["hero_skus"], **form.goals())
                if plan is None:
                    plan = services.plan_create(stores=chosen, **kwargs)
                    messages.success(request, _("Campaign plan created."))
                else:
                    services.plan_update(plan=plan, stores=chosen, **kwargs)
                    messages.success(request, _("Campaign plan saved."))
            except ShopopsError as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("campaigns:plan", plan_id=plan.pk)
        status = 400
    else:
        initial = PlanForm.initial_from(plan) if plan else {"owner": request.user.pk,
                                                            "stores": [s.store_id for s in stores[:1]]}
        form = PlanForm(initial=initial, stores=stores)
        status = 200
    return render(request, "campaigns/plan_form.html", {"form": form, "plan": plan, "no_stores": not stores}, status=status)


@planner_required
def plan_create(request: HttpRequest) -> HttpResponse:
    return _plan_form_page(request, None)


@planner_required
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _plan_form_page(request, _plan(plan_id))


def _plan_page(request: HttpRequest, plan: CampaignPlan, *, status: int = 200, error: str = "", **forms) -> HttpResponse:
    verdict = selectors.plan_floor_verdict(plan, check=bool(request.GET.get("check")))
    tasks = list(selectors.task_list(plan=plan))
    today = _today()
    stock = selectors.hero_stock(plan)
    context = {
        "plan": plan, "error": error, "verdict": verdict, "stock": stock,
        "stocking_url": stocking.stocking_url(plan, request.user),
        "readiness": selectors.plan_readiness(plan, verdict=verdict, stock=stock),
        "transitions": [(to, CampaignPlan.Status(to).label, allowed) for to, allowed in services.plan_transitions(plan, request.user)],
        "budget_total": selectors.budget_total(plan), "budget_by_channel": selectors.budget_by_channel(plan),
        "tasks": [{"task": t, "overdue": selectors.is_overdue(t, today)} for t in tasks],
        "attachable": selectors.promotions_attachable(plan) if may_plan(request.user) and (plan.promo_campaign is None or plan.promo_campaign.status == "draft") else [],
        "editable": plan.status in services.EDITABLE and may_plan(request.user), "may_plan": may_plan(request.user),
        # the 活动 container and "new promotion" link to the promotions module: only for those who may open it
        "may_open_promotions": user_can_use(request.user, Module.PROMOTIONS),
        "phase_form": forms.get("phase_form") or PhaseForm(),
        "budget_form": forms.get("budget_form") or BudgetLineForm(initial={"currency": plan.currency}),
        "generate_form": GenerateTasksForm(), "templates": selectors.template_list(),
        "notes_form": forms.get("notes_form") or ReviewNotesForm(initial={"went_well": plan.went_well,
                                                                          "went_badly": plan.went_badly,
                                                                          "next_time": plan.next_time}),
    }
    return render(request, "campaigns/plan_detail.html", context, status=status)


@module_required
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    services.task_template_standard_ensure()
    return _plan_page(request, _plan(plan_id))


def _run(request: HttpRequest, plan: CampaignPlan, action, *, success: str, **forms) -> HttpResponse:
    """Call one service; on a refusal show the plan page with the message (400, or 403 for permissions)."""
    try:
        action()
    except services.PlanActionNotAllowed as exc:
        return _plan_page(request, _plan(plan.pk), status=403, error=str(exc), **forms)
    except ShopopsError as exc:
        return _plan_page(request, _plan(plan.pk), status=400, error=str(exc), **forms)
    messages.success(request, success)
    return redirect("campaigns:plan", plan_id=plan.pk)


def _form_error(form) -> str:
    """Every error of the form, each after its field's label (a field without a label: the message alone)."""
    def labelled(key: str, message: str) -> str:
        label = form.fields[key].label if key in form.fields else None
        return f"{label}: {message}" if label else message
    return " ".join(labelled(k, m) for k, msgs in form.errors.items() for m in msgs)


@module_required
@require_POST
def plan_transition(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, status=400, error=_form_error(form))
    return _run(request, plan, lambda: services.plan_transition(plan=plan, to=form.cleaned_data["to"], user=request.user,
                                                                now=timezone.now()),
                success=_("Status changed."))


@planner_required
@require_POST
def phase_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    form = PhaseForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, status=400, error=_form_error(form), phase_form=form)
    start, end = form.moments(plan.time_zone)
    return _run(request, plan, lambda: services.phase_add(plan=plan, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"],
                                                          starts_at=start, ends_at=end),
                success=_("Phase added."), phase_form=form)


@planner_required
@require_POST
def phase_delete(request: HttpRequest, plan_id: int, phase_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    phase = CampaignPhase.objects.filter(plan=plan, pk=phase_id).first()
    if phase is None:
        raise Http404
    return _run(request, plan, lambda: services.phase_delete(phase=phase), success=_("Phase deleted."))


@planner_required
@require_POST
def budget_add(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    form = BudgetLineForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, status=400, error=_form_error(form), budget_form=form)
    d = form.cleaned_data
    return _run(request, plan, lambda: services.budget_line_add(plan=plan, channel=d["channel"], label=d["label"],
                                                                amount=d["amount"], currency=d["currency"]),
                success=_("Budget line added."), budget_form=form)


@planner_required
@require_POST
def budget_delete(request: HttpRequest, plan_id: int, line_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    line = BudgetLine.objects.filter(plan=plan, pk=line_id).first()
    if line is None:
        raise Http404
    return _run(request, plan, lambda: services.budget_line_delete(line=line), success=_("Budget line deleted."))


@planner_required
@require_POST
def promotion_attach(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    pk = pk_param(request.POST.get("promotion"))
    promotion = Promotion.objects.filter(pk=pk).first() if pk else None
    if promotion is None:
        return _plan_page(request, plan, status=400, error=_("Choose a promotion to attach."))
    if request.POST.get("detach"):
        return _run(request, plan, lambda: services.plan_promotion_detach(plan=plan, promotion=promotion),
                    success=_("Promotion detached."))
    return _run(request, plan, lambda: services.plan_promotion_attach(plan=plan, promotion=promotion),
                success=_("Promotion attached."))


@planner_required
@require_POST
def tasks_generate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    form = GenerateTasksForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, plan, status=400, error=_form_error(form))
    return _run(request, plan, lambda: services.tasks_generate(plan=plan, template=form.cleaned_data["template"]),
                success=_("Tasks generated from the template."))


@module_required
@require_POST
def review_notes(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan(plan_id)
    form = ReviewNotesForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    return _run(request, plan, lambda: services.plan_review_notes_save(plan=plan, went_well=d.get("went_well", ""),
                                                                       went_badly=d.get("went_badly", ""),
                                                                       next_time=d.get("next_time", "")),
                success=_("Review notes saved."), notes_form=form)


# ------------------------------------------------------------------------------ tasks
def _task_filters(request: HttpRequest) -> dict:
    plan = None
    if pk := pk_param(request.GET.get("plan")):
        plan = CampaignPlan.objects.filter(pk=pk).first()
    assignee = pk_param(request.GET.get("assignee"))
    if request.GET.get("mine"):
        assignee = request.user.pk
    return {"plan": plan, "assignee_id": assignee}


@module_required
def board(request: HttpRequest) -> HttpResponse:
    filters = _task_filters(request)
    tasks = list(selectors.task_list(**filters))
    today = _today()
    # one plan: all its tasks; every plan: the done column holds the last two weeks unless asked for all
    all_done = bool(filters["plan"]) or request.GET.get("done") == "all"
    columns, done_hidden = selectors.task_board(
        tasks, done_since=None if all_done else today - dt.timedelta(days=selectors.BOARD_DONE_DAYS - 1))
    return render(request, "campaigns/board.html", {
        "columns": columns, "done_hidden": done_hidden, "done_days": selectors.BOARD_DONE_DAYS,
        "today": today, "filters": filters,
        "overdue_ids": {t.pk for t in tasks if selectors.is_overdue(t, today)},
        "movable_ids": {t.pk for t in tasks if services.may_work_on(request.user, t)},
        "plans": CampaignPlan.objects.order_by("-starts_on"), "statuses": Task.Status.choices})


@module_required
def timeline(request: HttpRequest) -> HttpResponse:
    filters = _task_filters(request)
    tasks = list(selectors.task_list(**filters))
    return render(request, "campaigns/timeline.html", {
        "timeline": selectors.task_timeline(tasks, today=_today()), "filters": filters,
        "plans": CampaignPlan.objects.order_by("-starts_on")})


@module_required
def task_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = TaskForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                task = services.task_create(title=d["title"], plan=d["plan"], role=d["role"], assignee=d["assignee"],
                                            starts_on=d["starts_on"], due_on=d["due_on"], description=d["description"])
            except ShopopsError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Task created."))
                return redirect("campaigns:task", task_id=task.pk)
        return render(request, "campaigns/task_form.html", {"form": form}, status=400)
    initial = {"plan": request.GET.get("plan") or None, "due_on": _today() + dt.timedelta(days=7)}
    return render(request, "campaigns/task_form.html", {"form": TaskForm(initial=initial)})


def _task_page(request: HttpRequest, task: Task, *, status: int = 200, error: str = "") -> HttpResponse:
    others = Task.objects.exclude(pk=task.pk)
    if task.plan_id:
        others = others.filter(plan_id=task.plan_id)
    dep_form = DependencyForm()
    dep_form.fields["depends_on"].queryset = others.order_by("due_on")
    edit = TaskForm(initial={"title": task.title, "plan": task.plan_id, "role": task.role, "assignee": task.assignee_id,
                             "starts_on": task.starts_on, "due_on": task.due_on, "description": task.description})
    return render(request, "campaigns/task_detail.html", {
        "task": task, "error": error, "overdue": selectors.is_overdue(task, _today()), "dep_form": dep_form,
        "comment_form": CommentForm(), "attachment_form": AttachmentForm(), "edit_form": edit,
        "statuses": Task.Status.choices, "may_change": services.may_work_on(request.user, task),
        "max_bytes": services.attachment_max_bytes(),
        "allowed_types": ", ".join(sorted(services.ATTACHMENT_TYPES))}, status=status)


@module_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    return _task_page(request, _task(task_id))


def _task_run(request: HttpRequest, task: Task, action, *, success: str, back: str = "") -> HttpResponse:
    try:
        action()
    except ShopopsError as exc:
        return _task_page(request, _task(task.pk), status=400, error=str(exc))
    messages.success(request, success)
    if back == "board":
        return redirect(request.POST.get("next") or "campaigns:board")
    return redirect("campaigns:task", task_id=task.pk)


@module_required
@require_POST
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    if (refused := _task_refused(request, task)) is not None:
        return refused
    form = TaskForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, status=400, error=_form_error(form))
    d = form.cleaned_data
    return _task_run(request, task, lambda: services.task_update(task=task, title=d["title"], due_on=d["due_on"],
                                                                 starts_on=d["starts_on"], assignee=d["assignee"],
                                                                 role=d["role"], description=d["description"]),
                     success=_("Task saved."))


def _task_refused(request: HttpRequest, task: Task) -> HttpResponse | None:
    """The 403 page when the user may not move or edit ``task`` (``services.may_work_on``), else None."""
    if services.may_work_on(request.user, task):
        return None
    return _task_page(request, task, status=403, error=_(
        "Only its assignee, the people who plan campaigns, or — while it has no assignee — its owner role may change "
        "this task."))


@module_required
@require_POST
def task_status(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    if (refused := _task_refused(request, task)) is not None:
        return refused
    form = TaskStatusForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, status=400, error=_form_error(form))
    nxt = request.POST.get("next", "")
    back = "board" if nxt.startswith("/campaigns/") else ""
    return _task_run(request, task, lambda: services.task_status_set(task=task, status=form.cleaned_data["status"], today=_today()),
                     success=_("Task moved to %(status)s.") % {"status": Task.Status(form.cleaned_data["status"]).label},
                     back=back)


@module_required
@require_POST
def task_dependency(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    pk = pk_param(request.POST.get("depends_on"))
    other = Task.objects.filter(pk=pk).first() if pk else None
    if other is None:
        return _task_page(request, task, status=400, error=_("Choose the task it waits for."))
    if request.POST.get("remove"):
        return _task_run(request, task, lambda: services.task_dependency_remove(task=task, depends_on=other),
                         success=_("Dependency removed."))
    return _task_run(request, task, lambda: services.task_dependency_add(task=task, depends_on=other),
                     success=_("Dependency added."))


@module_required
@require_POST
def task_comment(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _task_page(request, task, status=400, error=_form_error(form))
    return _task_run(request, task, lambda: services.task_comment_add(task=task, author=request.user,
                                                                      body=form.cleaned_data["body"], now=timezone.now()),
                     success=_("Comment added."))


@module_required
@require_POST
def task_attachment(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _task(task_id)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _task_page(request, task, status=400, error=_form_error(form))
    upload = form.cleaned_data["file"]
    if upload.size > services.attachment_max_bytes():
        return _task_page(request, task, status=400, error=_("%(name)s is %(size)s bytes; attachments may be at most "
                                                              "%(limit)s bytes.") % {"name": upload.name, "size": f"{upload.size:,}",
                                                                                     "limit": f"{services.attachment_max_bytes():,}"})
    data = upload.read()
    return _task_run(request, task, lambda: services.task_attachment_add(task=task, user=request.user, name=upload.name,
                                                                         data=data, now=timezone.now()),
                     success=_("File attached."))


@module_required
def attachment_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    att = TaskAttachment.objects.filter(pk=attachment_id).first()
    if att is None:
        raise Http404
    path = services.attachment_dir() / att.stored_name
    if not path.is_file():
        raise Http404
    inline = att.content_type.startswith("image/") and request.GET.get("inline")
    response = FileResponse(path.open("rb"), content_type=att.content_type, as_attachment=not inline,
                            filename=att.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ------------------------------------------------------------------------------ calendar
@module_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    stores = selectors.stores_available()
    form = CalendarFilterForm(request.GET or None, stores=stores)
    if form.is_bound and not form.is_valid():
        return render(request, "campaigns/calendar.html", {"form": form, "error": _form_error(form), "count": 0}, status=400)
    d = form.cleaned_data if form.is_bound else {}
    view = d.get("view") or "month"
    anchor = d.get("date") or _today()
    start, end = selectors.calendar_range(view, anchor)
    owner = d.get("owner")
    items = selectors.calendar_items(start=start, end=end, store_ids=d.get("store") or (),
                                     owner_id=owner.pk if owner else None, kinds=d.get("kind") or (), today=_today())
    if not user_can_use(request.user, Module.PROMOTIONS):  # the 活动 containers stay on it, without a link to a 403
        items = [replace(i, url="") if i.kind == "promotion" else i for i in items]
    if request.GET.get("format") == "ics":
        body = selectors.calendar_ics(items, name=_("Marketing calendar") + f" {start}–{end}",
                                      base_url=request.build_absolute_uri("/"))
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="shopops-calendar-{start:%Y%m%d}-{end:%Y%m%d}.ics"'
        return response
    if view == "month":
        months = [{"month": start, "weeks": selectors.calendar_month_grid(items, start)}]
    else:
        months = []
        cursor = start
        while cursor <= end:
            months.append({"month": cursor, "weeks": selectors.calendar_month_grid(items, cursor)})
            cursor = (cursor.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    step = {"month": 1, "quarter": 3, "year": 12}[view]

    def shift(months_: int) -> dt.date:
        m = start.month - 1 + months_
        return dt.date(start.year + m // 12, m % 12 + 1, 1)

    query = request.GET.copy()
    query.pop("date", None)
    query.pop("format", None)
    return render(request, "campaigns/calendar.html", {
        "form": form, "view": view, "start": start, "end": end, "months": months, "items": items, "count": len(items),
        "prev": shift(-step), "next": shift(step), "today": _today(), "query": query.urlencode(),
        "holiday_years_missing": selectors.holiday_years_missing(start, end),
        "holiday_schedules_entered": selectors.holiday_schedules_entered(start, end),
        "may_enter_holidays": request.user.has_perm(services.action_permission(services.HOLIDAY_SCHEDULE_ACTION)),
        "weekdays": _weekday_labels()})


# ------------------------------------------------------------------------------ holiday schedule
def _holidays_page(request: HttpRequest, *, status: int = 200, error: str = "", problems=(), form=None) -> HttpResponse:
    from shopops.core import festivals

    covered = festivals.holiday_years()
    return render(request, "campaigns/holidays.html", {
        "form": form or HolidayScheduleForm(initial={"year": covered.stop}), "error": error, "problems": problems,
        "schedules": selectors.holiday_schedule_list(), "covered": covered,
        "package_version": festivals.chinese_calendar_version(),
        "may_enter": request.user.has_perm(services.action_permission(services.HOLIDAY_SCHEDULE_ACTION))}, status=status)


@module_required
def holidays(request: HttpRequest) -> HttpResponse:
    """The State Council schedule of years chinesecalendar does not ship yet: list, enter, replace."""
    if request.method != "POST":
        return _holidays_page(request)
    if not request.user.has_perm(services.action_permission(services.HOLIDAY_SCHEDULE_ACTION)):
        raise PermissionDenied
    form = HolidayScheduleForm(request.POST, request.FILES)
    if not form.is_valid():
        return _holidays_page(request, status=400, error=_form_error(form), form=form)
    try:
        text = form.text()
    except ValidationError as exc:  # the file's encoding
        return _holidays_page(request, status=400, error=" ".join(exc.messages), form=form)
    d = form.cleaned_data
    if request.POST.get("delete"):
        services.public_holiday_schedule_delete(user=request.user, year=d["year"])
        messages.success(request, _("The entered schedule of %(year)s was removed.") % {"year": d["year"]})
        return redirect("campaigns:holidays")
    try:
        saved = services.public_holiday_schedule_save(user=request.user, year=d["year"], text=text, notice=d["notice"])
    except services.PlanActionNotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ShopopsError as exc:
        return _holidays_page(request, status=400, error=str(exc), form=form)
    if saved.changed:
        messages.success(request, _("%(year)s saved: %(off)s holiday(s), %(on)s 调休 working day(s).")
                         % {"year": d["year"], "off": saved.holidays, "on": saved.workdays})
    else:
        messages.info(request, _("%(year)s is already entered with exactly these days; nothing changed.") % {"year": d["year"]})
    return redirect("campaigns:holidays")


def _weekday_labels() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


# ------------------------------------------------------------------------------ content
@module_required
def content(request: HttpRequest) -> HttpResponse:
    return _content_page(request)


def _content_page(request: HttpRequest, *, status: int = 200, error: str = "", problems=(), post_form=None,
                  import_form=None) -> HttpResponse:
    channel = request.GET.get("channel", "")
    rows = selectors.content_list(channel=channel if channel in ContentPost.Channel.values else "")
    return render(request, "campaigns/content.html", {
        "rows": rows, "channel": channel, "channels": ContentPost.Channel.choices, "error": error, "problems": problems,
        "post_form": post_form or ContentPostForm(initial={"owner": request.user.pk}),
        "import_form": import_form or ContentImportForm(), "currency": selectors.stores_currency()}, status=status)


@module_required
@require_POST
def content_save(request: HttpRequest) -> HttpResponse:
    form = ContentPostForm(request.POST)
    if not form.is_valid():
        return _content_page(request, status=400, error=_form_error(form), post_form=form)
    d = form.cleaned_data
    tz = timezone.get_current_timezone()
    publish_at = d["publish_at"] if timezone.is_aware(d["publish_at"]) else timezone.make_aware(d["publish_at"], tz)
    try:
        services.content_post_save(code=d["code"], channel=d["channel"], title=d["title"], publish_at=publish_at,
                                   owner=d["owner"], plan=d["plan"], format=d["format"], status=d["status"],
                                   product_links=d["product_links"], cost=d["cost"])
    except ShopopsError as exc:
        return _content_page(request, status=400, error=str(exc), post_form=form)
    messages.success(request, _("Content saved."))
    return redirect("campaigns:content")


@module_required
@require_POST
def content_import(request: HttpRequest) -> HttpResponse:
    form = ContentImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _content_page(request, status=400, error=_form_error(form), import_form=form)
    upload = form.cleaned_data["file"]
    if upload.size > 5 << 20:
        return _content_page(request, status=400, error=_("%(name)s is larger than 5 MB.") % {"name": upload.name}, import_form=form)
    try:
        n = services.content_results_import(file_name=upload.name, data=upload.read(), now=timezone.now(),
                                            mapping=form.mapping())
    except services.ContentImportError as exc:
        return _content_page(request, status=400, error=str(exc), problems=exc.problems, import_form=form)
    except ShopopsError as exc:
        return _content_page(request, status=400, error=str(exc), import_form=form)
    messages.success(request, _("Results of %(n)s post(s) imported.") % {"n": n})
    return redirect("campaigns:content")


# ------------------------------------------------------------------------------ scorecards
def scorecard_access(view):
    """The campaigns or the team module: everyone sees their own card, the team module everyone's."""
    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not (request.user.has_perm(PERMISSION) or request.user.has_perm(f"team.use_{Module.TEAM.value}")):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


@scorecard_access
def scorecards(request: HttpRequest) -> HttpResponse:
    form = MonthForm(request.GET)
    if not form.is_valid():
        return render(request, "campaigns/scorecards.html", {"error": _form_error(form), "rows": []}, status=400)
    today = _today()
    month = form.cleaned_data.get("month") or today.replace(day=1)
    as_of = min(today - dt.timedelta(days=1), (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1))
    language = get_language() or "zh-hans"
    rows = selectors.scorecards(viewer=request.user, month=month, as_of=as_of, language=language)
    person = request.GET.get("user")
    if person:
        if not any(r.username == person for r in rows):  # someone else's card: not for this viewer
            raise PermissionDenied
        rows = [r for r in rows if r.username == person]
    en = language.startswith("en")
    kpis = [{"key": k, "label": en_ if en else zh, "threshold": th, "definition": de if en else dz}
            for k, zh, en_, th, dz, de in selectors.SCORECARD_KPIS]
    if request.GET.get("format") in ("xlsx", "csv"):
        from shopops.metrics.dimensions import store_names
        from shopops.ui.exports import export_response
        from shopops.ui.tables import Column, DataTable, Row

        names = store_names()
        columns = [Column("username", _("Person")), Column("role", _("Role")), Column("stores", _("Stores")),
                   Column("gmv", _("GMV"), unit="money"), Column("gmv_target", _("GMV target"), unit="money"),
                   Column("target_achievement", _("Target achievement"), unit="percent"),
                   Column("ad_gmv", _("Ad GMV"), unit="money"), Column("ad_spend", _("Ad spend"), unit="money"),
                   Column("roi", _("Ad ROI"), unit="ratio"), Column("tasks_judged", _("Tasks judged"), unit="count"),
                   Column("tasks_on_time", _("On time"), unit="count"), Column("on_time", _("On-time rate"), unit="percent"),
                   Column("csat", "CSAT", unit="percent")]
        table = DataTable("scorecards", _("Scorecards"), columns, [Row({
            "username": r.username, "role": r.role_label, "stores": ", ".join(names.get(s, s) for s in r.stores), "gmv": r.gmv,
            "gmv_target": r.gmv_target, "target_achievement": r.target_achievement, "ad_gmv": r.ad_gmv,
            "ad_spend": r.ad_spend, "roi": r.roi, "tasks_judged": r.tasks_judged, "tasks_on_time": r.tasks_on_time,
            "on_time": r.on_time, "csat": r.csat}) for r in rows], currency=selectors.stores_currency())
        return export_response(table, request.GET["format"], f"scorecards-{month:%Y-%m}")
    sees_all = request.user.has_perm(f"team.use_{Module.TEAM.value}")
    return render(request, "campaigns/scorecards.html", {
        "rows": rows, "by_role": selectors.scorecards_by_role(rows) if sees_all else [], "month": month, "as_of": as_of,
        "kpis": kpis, "sees_all": sees_all, "month_value": f"{month:%Y-%m}", "currency": selectors.stores_currency()})
