"""Writes of the campaigns app: plans, phases, budgets, status flow, tasks, content, store days.

Every function checks its input first and raises :class:`shopops.core.errors.ShopopsError`
(or :class:`PlanActionNotAllowed`, a 403 for the pages) with a message a person can act on,
then writes inside one transaction: bad input leaves nothing half-written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from shopops.campaigns.models import (
    BudgetLine, CampaignPhase, CampaignPlan, ContentPost, PublicHolidayDay, PublicHolidaySchedule, StoreDay,
    StoreResponsibility, Task, TaskAttachment, TaskComment, TaskKind, TaskTemplate, TaskTemplateStep,
)
from shopops.core.errors import ShopopsError
from shopops.core.money import to_money
from shopops.core.roles import Action, Role, action_permission
from shopops.promotions import services as promotion_services
from shopops.promotions.models import Campaign as PromoCampaign, Promotion

Status = CampaignPlan.Status


class PlanActionNotAllowed(ShopopsError):
    """The user may not take this step of the plan's status flow (the pages answer 403)."""


PLAN_PERMISSION = action_permission(Action.PLAN_CAMPAIGN)


def may_plan(user) -> bool:
    """Who may create and edit plans (ops, ads and the director): everyone of the module works on tasks,
    content and the 复盘's notes, but a designer or an agent does not rewrite goals or budgets."""
    return user is not None and user.has_perm(PLAN_PERMISSION)


def may_work_on(user, task) -> bool:
    """Who may move or edit a task: the people who plan campaigns, its assignee, or — while nobody is assigned —
    a holder of its owner role (a copywriter does not move the analyst's task)."""
    if user is None or not user.is_authenticated:
        return False
    if may_plan(user) or (task.assignee_id is not None and task.assignee_id == user.pk):
        return True
    from shopops.team.selectors import user_role

    role = user_role(user)
    return task.assignee_id is None and role is not None and role.value == task.role


@dataclass(frozen=True, slots=True)
class StoreRef:
    """What a plan needs to know of a store (``metrics.dimensions.StoreInfo`` fits)."""

    store_id: str
    currency: str
    time_zone: str


# ------------------------------------------------------------------------------ plans
def _stores_checked(stores: Sequence[StoreRef]) -> tuple[list[str], str, str]:
    if not stores:
        raise ShopopsError(_("Choose at least one store for the campaign."))
    currencies = sorted({s.currency for s in stores})
    if len(currencies) > 1:
        detail = ", ".join(f"{s.store_id}: {s.currency}" for s in stores)
        raise ShopopsError(_("The stores of one campaign must share a currency (its budget and goals are in one "
                             "currency); these do not: %(detail)s. Plan one campaign per currency.") % {"detail": detail})
    zones = sorted({s.time_zone for s in stores})
    if len(zones) > 1:
        detail = ", ".join(f"{s.store_id}: {s.time_zone}" for s in stores)
        raise ShopopsError(_("The stores of one campaign must share a time zone (due dates are store days); "
                             "these do not: %(detail)s.") % {"detail": detail})
    return [s.store_id for s in stores], currencies[0], zones[0]


def _dates_checked(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on < starts_on:
        raise ShopopsError(_("The campaign ends (%(end)s) before it starts (%(start)s).")
                           % {"end": ends_on.isoformat(), "start": starts_on.isoformat()})


def _goals_checked(goals: Mapping) -> dict:
    out = {}
    for key in ("goal_gmv",):
        if goals.get(key) is not None:
            value = to_money(goals[key])
            if value < 0:
                raise ShopopsError(_("The GMV goal must not be negative (got %(value)s).") % {"value": value})
            out[key] = value
        elif key in goals:
            out[key] = None
    for key in ("goal_paying_buyers", "goal_new_buyers"):
        if key in goals:
            out[key] = goals[key]
    for key in ("goal_roi", "goal_margin_floor"):
        if key in goals:
            out[key] = None if goals[key] is None else Decimal(str(goals[key]))
    return out


def _promo_window(plan: CampaignPlan) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(plan.time_zone)
    return (dt.datetime.combine(plan.starts_on, dt.time(), tzinfo=tz),
            dt.datetime.combine(plan.ends_on + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def plan_create(*, name: str, stores: Sequence[StoreRef], starts_on: dt.date, ends_on: dt.date, owner=None,
                theme: str = "", festival: str = "", hero_skus: Sequence[str] = (),
                promo_campaign: PromoCampaign | None = None, **goals) -> CampaignPlan:
    """A draft plan over ``stores`` (one currency, one time zone). Its promotions container is
    ``promo_campaign`` when given (an existing 活动 of the promotions module), else a new empty one
    over the plan's days: the user sees one 活动."""
    name = name.strip()
    if not name:
        raise ShopopsError(_("Give the campaign a name."))
    store_ids, currency, tz = _stores_checked(stores)
    _dates_checked(starts_on, ends_on)
    goal_values = _goals_checked(goals)
    if promo_campaign is not None and CampaignPlan.objects.filter(promo_campaign=promo_campaign).exists():
        raise ShopopsError(_("The promotions campaign “%(name)s” already belongs to another plan.") % {"name": promo_campaign.name})
    with transaction.atomic():
        plan = CampaignPlan.objects.create(
            name=name, theme=theme, festival=festival, store_ids=store_ids, currency=currency, time_zone=tz,
            starts_on=starts_on, ends_on=ends_on, owner=owner, hero_skus=[s.strip() for s in hero_skus if s.strip()],
            **goal_values)
        if promo_campaign is None:
            start, end = _promo_window(plan)
            promo_campaign = promotion_services.campaign_create(name=name, starts_at=start, ends_at=end)
        plan.promo_campaign = promo_campaign
        plan.save(update_fields=["promo_campaign"])
    return plan


EDITABLE = (Status.DRAFT, Status.APPROVED)


def plan_update(*, plan: CampaignPlan, name: str, starts_on: dt.date, ends_on: dt.date, theme: str = "",
                festival: str = "", hero_skus: Sequence[str] = (), stores: Sequence[StoreRef] | None = None,
                owner=None, **goals) -> CampaignPlan:
    """Change a draft (or approved: it goes back to draft, to be approved again) plan."""
    if plan.status not in EDITABLE:
        raise ShopopsError(_("A %(status)s plan cannot be changed; only its review notes can.")
                           % {"status": plan.get_status_display()})
    _dates_checked(starts_on, ends_on)
    outside = [p for p in plan.phases.all() if p.starts_at.astimezone(ZoneInfo(plan.time_zone)).date() < starts_on
               or (p.ends_at - dt.timedelta(microseconds=1)).astimezone(ZoneInfo(plan.time_zone)).date() > ends_on]
    if outside:
        raise ShopopsError(_("Phase “%(phase)s” falls outside the new dates %(start)s – %(end)s; move or delete it first.")
                           % {"phase": outside[0], "start": starts_on, "end": ends_on})
    values = _goals_checked(goals)
    with transaction.atomic():
        if stores is not None:
            store_ids, currency, tz = _stores_checked(stores)
            if currency != plan.currency and plan.budget_lines.exists():
                raise ShopopsError(_("The budget is in %(old)s and the new stores keep their books in %(new)s; "
                                     "delete the budget lines first.") % {"old": plan.currency, "new": currency})
            plan.store_ids, plan.currency, plan.time_zone = store_ids, currency, tz
        plan.name, plan.theme, plan.festival = name.strip() or plan.name, theme, festival
        plan.starts_on, plan.ends_on = starts_on, ends_on
        plan.hero_skus = [s.strip() for s in hero_skus if s.strip()]
        if owner is not None:
            plan.owner = owner
        for key, value in values.items():
            setattr(plan, key, value)
        if plan.status == Status.APPROVED:
            plan.status, plan.approved_by, plan.approved_at = Status.DRAFT, None, None
        plan.save()
    return plan


def plan_review_notes_save(*, plan: CampaignPlan, went_well: str, went_badly: str, next_time: str) -> CampaignPlan:
    plan.went_well, plan.went_badly, plan.next_time = went_well.strip(), went_badly.strip(), next_time.strip()
    plan.save(update_fields=["went_well", "went_badly", "next_time", "updated_at"])
    return plan


# ---------------------------------------------------------------------------- status flow
# (from, to) -> the action permission it needs beyond the campaigns module (None: the module is enough)
TRANSITIONS: dict[tuple[str, str], Action | None] = {
    (Status.DRAFT, Status.APPROVED): Action.APPROVE_CAMPAIGN,
    (Status.APPROVED, Status.DRAFT): Action.APPROVE_CAMPAIGN,  # send back
    (Status.APPROVED, Status.RUNNING): Action.PUBLISH_CAMPAIGN,
    (Status.RUNNING, Status.FINISHED): Action.PUBLISH_CAMPAIGN,
    (Status.FINISHED, Status.REVIEWED): None,  # the 复盘 is the analyst's as much as ops'
}


def plan_transitions(plan: CampaignPlan, user) -> list[tuple[str, bool]]:
    """The next statuses of the plan and whether this user may move it there."""
    out = []
    for (src, dst), action in TRANSITIONS.items():
        if src == plan.status:
            out.append((dst, action is None or user.has_perm(action_permission(action))))
    return out


def plan_transition(*, plan: CampaignPlan, to: str, user, now: dt.datetime) -> CampaignPlan:
    """Move the plan along draft → approved → running → finished → reviewed (or approved → draft).

    Each step needs its own permission (``TRANSITIONS``); a reviewed plan needs review notes.
    """
    to = str(to)
    if to not in Status.values:
        raise ShopopsError(_("Unknown status %(status)r; one of: %(known)s.") % {"status": to, "known": ", ".join(Status.values)})
    with transaction.atomic():
        locked = CampaignPlan.objects.select_for_update().get(pk=plan.pk)
        key = (locked.status, to)
        if key not in TRANSITIONS:
            raise ShopopsError(_("A %(src)s plan cannot become %(dst)s.")
                               % {"src": locked.get_status_display(), "dst": Status(to).label})
        action = TRANSITIONS[key]
        if action is not None and not user.has_perm(action_permission(action)):
            raise PlanActionNotAllowed(_("You may not move a plan from %(src)s to %(dst)s (permission %(perm)s).")
                                       % {"src": locked.get_status_display(), "dst": Status(to).label,
                                          "perm": action_permission(action)})
        if to == Status.REVIEWED and not (locked.went_well or locked.went_badly or locked.next_time):
            raise ShopopsError(_("Write the review notes (what went well, what went badly, what to change) before "
                                 "marking the plan reviewed."))
        locked.status = to
        fields = ["status", "updated_at"]
        if to == Status.APPROVED:
            locked.approved_by, locked.approved_at = user, now
            fields += ["approved_by", "approved_at"]
        elif to == Status.DRAFT:
            locked.approved_by, locked.approved_at = None, None
            fields += ["approved_by", "approved_at"]
        locked.save(update_fields=fields)
    plan.refresh_from_db()
    return plan


# ------------------------------------------------------------------------------ phases
def phase_add(*, plan: CampaignPlan, kind: str, starts_at: dt.datetime, ends_at: dt.datetime, name: str = "") -> CampaignPhase:
    """A dated phase of the plan; it must start before it ends and lie within the plan's days."""
    if kind not in CampaignPhase.Kind.values:
        raise ShopopsError(_("Unknown phase kind %(kind)r; one of: %(known)s.") % {"kind": kind, "known": ", ".join(CampaignPhase.Kind.values)})
    label = name.strip() or str(CampaignPhase.Kind(kind).label)
    tz = ZoneInfo(plan.time_zone)
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ShopopsError(_("Phase “%(phase)s”: give times with their time zone.") % {"phase": label})
    fmt = "%Y-%m-%d %H:%M"
    if ends_at <= starts_at:
        raise ShopopsError(_("Phase “%(phase)s” ends (%(end)s) before it starts (%(start)s); the end must be later "
                             "than the start.") % {"phase": label, "end": ends_at.astimezone(tz).strftime(fmt),
                                                   "start": starts_at.astimezone(tz).strftime(fmt)})
    first, after_last = _promo_window(plan)
    if starts_at < first or ends_at > after_last:
        raise ShopopsError(_("Phase “%(phase)s” (%(start)s – %(end)s) must lie within the campaign's days %(first)s – "
                             "%(last)s; change the campaign's dates first.")
                           % {"phase": label, "start": starts_at.astimezone(tz).strftime(fmt),
                              "end": ends_at.astimezone(tz).strftime(fmt), "first": plan.starts_on, "last": plan.ends_on})
    if plan.status not in EDITABLE:
        raise ShopopsError(_("A %(status)s plan's phases cannot change.") % {"status": plan.get_status_display()})
    return CampaignPhase.objects.create(plan=plan, kind=kind, name=name.strip(), starts_at=starts_at, ends_at=ends_at)


def phase_delete(*, phase: CampaignPhase) -> None:
    if phase.plan.status not in EDITABLE:
        raise ShopopsError(_("A %(status)s plan's phases cannot change.") % {"status": phase.plan.get_status_display()})
    phase.delete()


# ------------------------------------------------------------------------------ budget
def budget_line_add(*, plan: CampaignPlan, channel: str, amount, currency: str, label: str = "") -> BudgetLine:
    """A budget line in the plan's currency (= its stores'); another currency is refused, not converted."""
    if channel not in BudgetLine.Channel.values:
        raise ShopopsError(_("Unknown budget channel %(channel)r; one of: %(known)s.")
                           % {"channel": channel, "known": ", ".join(BudgetLine.Channel.values)})
    what = label.strip() or str(BudgetLine.Channel(channel).label)
    currency = (currency or "").strip().upper()
    if currency != plan.currency:
        raise ShopopsError(_("Budget line “%(line)s”: the amount is in %(given)s, but the campaign's stores (%(stores)s) "
                             "keep their books in %(expected)s; enter the amount in %(expected)s.")
                           % {"line": what, "given": currency or "?", "stores": ", ".join(plan.store_ids),
                              "expected": plan.currency})
    try:
        value = to_money(amount)
    except (TypeError, ValueError):
        raise ShopopsError(_("Budget line “%(line)s”: %(value)r is not an amount of money.") % {"line": what, "value": amount}) from None
    if value < 0:
        raise ShopopsError(_("Budget line “%(line)s”: the amount must not be negative (got %(value)s).") % {"line": what, "value": value})
    if plan.status not in EDITABLE:
        raise ShopopsError(_("A %(status)s plan's budget cannot change.") % {"status": plan.get_status_display()})
    return BudgetLine.objects.create(plan=plan, channel=channel, label=label.strip(), amount=value, currency=currency)


def budget_line_delete(*, line: BudgetLine) -> None:
    if line.plan.status not in EDITABLE:
        raise ShopopsError(_("A %(status)s plan's budget cannot change.") % {"status": line.plan.get_status_display()})
    line.delete()


# ------------------------------------------------------------------------------ promotions
def plan_promotion_attach(*, plan: CampaignPlan, promotion: Promotion) -> None:
    """Put an offer of the promotions module into the plan's 活动 (while that is still a draft)."""
    campaign = plan.promo_campaign
    if campaign is None:
        start, end = _promo_window(plan)
        campaign = promotion_services.campaign_create(name=plan.name, starts_at=start, ends_at=end)
        plan.promo_campaign = campaign
        plan.save(update_fields=["promo_campaign"])
    if campaign.status != PromoCampaign.Status.DRAFT:
        raise ShopopsError(_("The promotions of “%(name)s” are published and can no longer change.") % {"name": campaign.name})
    campaign.promotions.add(promotion)


def plan_promotion_detach(*, plan: CampaignPlan, promotion: Promotion) -> None:
    campaign = plan.promo_campaign
    if campaign is None:
        return
    if campaign.status != PromoCampaign.Status.DRAFT:
        raise ShopopsError(_("The promotions of “%(name)s” are published and can no longer change.") % {"name": campaign.name})
    campaign.promotions.remove(promotion)


# ------------------------------------------------------------------------------ templates
# The seeds' workflow: 市场调研 → 选品 → 上架与详情页 → 营销推广 → 客服 → 数据分析与报告, each with its
# owner role and its time point: T−n counts back from the campaign's first day, T+n on from its last day
# (a 复盘 three days after a 30-day 618 ends, not in its middle).
STANDARD_TEMPLATE = "大促标准流程"
STANDARD_STEPS: tuple[tuple[str, str, Role, int, int], ...] = (
    ("市场调研与竞品分析", TaskKind.RESEARCH, Role.ANALYST, -35, 5),
    ("选品与主推款确定", TaskKind.SELECTION, Role.OPS_SPECIALIST, -30, 5),
    ("主图与详情页设计", TaskKind.CREATIVE, Role.DESIGNER, -21, 7),
    ("卖点文案与详情页文案", TaskKind.COPY, Role.COPYWRITER, -21, 7),
    ("上架与详情页更新", TaskKind.LISTING, Role.OPS_SPECIALIST, -18, 3),
    ("优惠设置与破价检查并发布", TaskKind.PROMOTIONS, Role.OPS_SPECIALIST, -14, 4),
    ("备货与库存核对", TaskKind.STOCK, Role.PROCUREMENT, -14, 7),
    ("推广计划（直通车/万相台/千川）", TaskKind.ADS, Role.ADS_SPECIALIST, -7, 5),
    ("客服话术与快捷回复", TaskKind.SERVICE, Role.CUSTOMER_SERVICE, -3, 3),
    ("数据分析与复盘报告", TaskKind.RETRO, Role.ANALYST, 3, 3),
)


def task_template_standard_ensure() -> TaskTemplate:
    """The standard 大促 template (created once; its steps are the seeds' workflow)."""
    template, created = TaskTemplate.objects.get_or_create(
        name=STANDARD_TEMPLATE, defaults={"description": "市场调研 → 选品 T−30 → 上架与详情页 T−21 → 优惠发布 T−14 → "
                                                          "推广计划 T−7 → 客服话术 T−3 → 复盘 T+3"})
    if created or not template.steps.exists():
        for position, (title, kind, role, offset, duration) in enumerate(STANDARD_STEPS, start=1):
            TaskTemplateStep.objects.create(template=template, position=position, title=title, kind=kind, role=role.value,
                                            offset_days=offset, duration_days=duration,
                                            depends_on_previous=kind not in (TaskKind.COPY, TaskKind.STOCK))
    return template


def _first_user_of_role(role: str):
    User = get_user_model()
    return User.objects.filter(is_active=True, groups__name=role).order_by("id").first()


def step_due(plan: CampaignPlan, offset_days: int) -> dt.date:
    """A template step's due day: T−n before the campaign's first day, T+n after its last day."""
    anchor = plan.ends_on if offset_days > 0 else plan.starts_on
    return anchor + dt.timedelta(days=offset_days)


def tasks_generate(*, plan: CampaignPlan, template: TaskTemplate, assignees: Mapping[str, object] | None = None) -> list[Task]:
    """The plan's tasks from a template: due = the campaign's first day + the step's offset (a positive
    offset — after the campaign — counts from its last day: :func:`step_due`), assigned to
    ``assignees[role]`` or the first user of the role; each depends on the step before it (unless the
    step runs in parallel). Steps already generated for the plan are skipped (running it twice adds nothing)."""
    if plan.status in (Status.FINISHED, Status.REVIEWED):
        raise ShopopsError(_("A %(status)s plan gets no new tasks.") % {"status": plan.get_status_display()})
    assignees = dict(assignees or {})
    done_steps = set(plan.tasks.exclude(step=None).values_list("step_id", flat=True))
    created: list[Task] = []
    with transaction.atomic():
        previous: Task | None = None
        by_step = {t.step_id: t for t in plan.tasks.exclude(step=None)}
        for step in template.steps.order_by("position"):
            if step.pk in done_steps:
                previous = by_step[step.pk]
                continue
            due = step_due(plan, step.offset_days)
            task = Task.objects.create(
                plan=plan, step=step, title=step.title, kind=step.kind, role=step.role,
                assignee=assignees.get(step.role) or _first_user_of_role(step.role),
                starts_on=due - dt.timedelta(days=max(step.duration_days - 1, 0)), due_on=due)
            if step.depends_on_previous and previous is not None:
                task.depends_on.add(previous)
            created.append(task)
            if step.depends_on_previous or previous is None:
                previous = task
    return created


# ------------------------------------------------------------------------------ tasks
def task_create(*, title: str, due_on: dt.date, plan: CampaignPlan | None = None, kind: str = TaskKind.OTHER,
                role: str = "", assignee=None, starts_on: dt.date | None = None, description: str = "",
                depends_on: Iterable[Task] = ()) -> Task:
    title = title.strip()
    if not title:
        raise ShopopsError(_("Give the task a title."))
    if starts_on is not None and starts_on > due_on:
        raise ShopopsError(_("Task “%(task)s” starts (%(start)s) after it is due (%(due)s).")
                           % {"task": title, "start": starts_on, "due": due_on})
    with transaction.atomic():
        task = Task.objects.create(plan=plan, title=title, kind=kind, role=role, assignee=assignee, starts_on=starts_on,
                                   due_on=due_on, description=description)
        for other in depends_on:
            task_dependency_add(task=task, depends_on=other)
    return task


def _path(start: Task, goal_id: int) -> list[Task] | None:
    """A chain of dependencies from ``start`` to the task ``goal_id`` (depth-first), or None."""
    stack: list[tuple[Task, list[Task]]] = [(start, [start])]
    seen = {start.pk}
    while stack:
        task, path = stack.pop()
        if task.pk == goal_id:
            return path
        for nxt in task.depends_on.all():
            if nxt.pk not in seen:
                seen.add(nxt.pk)
                stack.append((nxt, [*path, nxt]))
    return None


def task_dependency_add(*, task: Task, depends_on: Task) -> None:
    """``task`` waits for ``depends_on``. Itself, or a task that (through others) already waits for
    ``task``, is refused with the loop it would close, and nothing is saved."""
    if depends_on.pk == task.pk:
        raise ShopopsError(_("Task “%(task)s” cannot depend on itself.") % {"task": task.title})
    with transaction.atomic():
        loop = _path(depends_on, task.pk)
        if loop is not None:
            chain = " → ".join(f"“{t.title}”" for t in [task, *loop])
            raise ShopopsError(_("Task “%(task)s” cannot depend on “%(other)s”: that would close a loop of dependencies "
                                 "(%(chain)s).") % {"task": task.title, "other": depends_on.title, "chain": chain})
        task.depends_on.add(depends_on)


def task_dependency_remove(*, task: Task, depends_on: Task) -> None:
    task.depends_on.remove(depends_on)


def task_status_set(*, task: Task, status: str, today: dt.date) -> Task:
    """Move a task on the board; done records the store day it was done (on-time delivery)."""
    if status not in Task.Status.values:
        raise ShopopsError(_("Unknown task status %(status)r; one of: %(known)s.") % {"status": status, "known": ", ".join(Task.Status.values)})
    task.status = status
    task.done_on = (task.done_on or today) if status == Task.Status.DONE else None
    task.save(update_fields=["status", "done_on", "updated_at"])
    return task


def task_update(*, task: Task, title: str, due_on: dt.date, starts_on: dt.date | None, assignee, role: str = "",
                description: str = "") -> Task:
    if starts_on is not None and starts_on > due_on:
        raise ShopopsError(_("Task “%(task)s” starts (%(start)s) after it is due (%(due)s).")
                           % {"task": title, "start": starts_on, "due": due_on})
    task.title, task.due_on, task.starts_on, task.assignee = title.strip() or task.title, due_on, starts_on, assignee
    task.role, task.description = role, description
    task.save()
    return task


def task_comment_add(*, task: Task, author, body: str, now: dt.datetime) -> TaskComment:
    body = body.strip()
    if not body:
        raise ShopopsError(_("The comment is empty."))
    return TaskComment.objects.create(task=task, author=author, body=body, created_at=now)


# Attachments: what may be stored, by extension, with the bytes a real file of that type starts with.
ATTACHMENT_TYPES: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": ("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": ("image/webp", (b"RIFF",)),
    "pdf": ("application/pdf", (b"%PDF-",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", (b"PK\x03\x04",)),
    "txt": ("text/plain", ()),
    "csv": ("text/plain", ()),  # served as a download: a plain-text type is enough
}


def attachment_dir() -> Path:
    return Path(settings.VAR_DIR) / "campaigns" / "attachments"


def attachment_max_bytes() -> int:
    return int(getattr(settings, "SHOPOPS_CAMPAIGN_ATTACHMENT_MAX_BYTES", 10 << 20))


def task_attachment_add(*, task: Task, user, name: str, data: bytes, now: dt.datetime) -> TaskAttachment:
    """Store a file on a task under ``SHOPOPS_VAR_DIR/campaigns/attachments`` by a random name.

    Only the types of ``ATTACHMENT_TYPES`` (by extension, and the file must start like one), at most
    ``SHOPOPS_CAMPAIGN_ATTACHMENT_MAX_BYTES`` (10 MB by default), not empty."""
    original = Path(name or "").name[:200] or "file"
    ext = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    if ext not in ATTACHMENT_TYPES:
        raise ShopopsError(_("%(name)s: files of this type cannot be attached; allowed: %(known)s.")
                           % {"name": original, "known": ", ".join(sorted(ATTACHMENT_TYPES))})
    limit = attachment_max_bytes()
    if len(data) > limit:
        raise ShopopsError(_("%(name)s is %(size)s bytes; attachments may be at most %(limit)s bytes.")
                           % {"name": original, "size": f"{len(data):,}", "limit": f"{limit:,}"})
    if not data:
        raise ShopopsError(_("%(name)s is empty.") % {"name": original})
    content_type, magics = ATTACHMENT_TYPES[ext]
    if magics and not any(data.startswith(m) for m in magics):
        raise ShopopsError(_("%(name)s does not look like a .%(ext)s file (its first bytes do not match).")
                           % {"name": original, "ext": ext})
    if not magics:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ShopopsError(_("%(name)s is not UTF-8 text.") % {"name": original}) from None
    folder = attachment_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.{ext}"
    path = folder / stored
    path.write_bytes(data)
    try:
        return TaskAttachment.objects.create(task=task, uploaded_by=user, original_name=original, stored_name=stored,
                                             content_type=content_type, size=len(data), created_at=now)
    except Exception:
        path.unlink(missing_ok=True)
        raise


# ------------------------------------------------------------------------------ content
def content_post_save(*, code: str, channel: str, title: str, publish_at: dt.datetime, owner=None,
                      plan: CampaignPlan | None = None, store_id: str = "", format: str = ContentPost.Format.POST,
                      status: str = ContentPost.Status.IDEA, product_links: Sequence[str] = (), cost=None) -> ContentPost:
    """Create or update (by ``code``) a post, video or livestream of the content calendar."""
    code = code.strip()
    if not code:
        raise ShopopsError(_("Give the post a code (its key for the results import)."))
    if channel not in ContentPost.Channel.values:
        raise ShopopsError(_("Unknown channel %(value)r; one of: %(known)s.") % {"value": channel, "known": ", ".join(ContentPost.Channel.values)})
    values = {"channel": channel, "title": title.strip(), "publish_at": publish_at, "owner": owner, "plan": plan,
              "store_id": store_id, "format": format, "status": status,
              "product_links": [p.strip() for p in product_links if p.strip()],
              "cost": None if cost in (None, "") else to_money(cost)}
    post, _created = ContentPost.objects.update_or_create(code=code, defaults=values)
    return post


# The results file: one row per post; columns found by these names (case-insensitive) unless a mapping says otherwise.
RESULT_FIELDS: dict[str, tuple[str, ...]] = {
    "code": ("code", "post", "post_id", "内容编号", "编号", "笔记id", "视频id"),
    "reach": ("reach", "impressions", "views", "曝光", "阅读", "播放", "曝光量", "阅读量", "播放量"),
    "engagements": ("engagements", "interactions", "互动", "互动量", "互动数"),
    "attributed_orders": ("orders", "attributed_orders", "成交订单", "订单数", "引导订单"),
    "attributed_gmv": ("gmv", "attributed_gmv", "成交金额", "引导成交金额"),
    "cost": ("cost", "spend", "花费", "费用"),
}
REQUIRED_RESULT_FIELDS = ("code", "reach", "engagements")


@dataclass(frozen=True, slots=True)
class ImportProblem:
    row: int  # 1 = the header
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return _("row %(row)s, column “%(column)s”, value “%(value)s”: %(reason)s") % {
            "row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ContentImportError(ShopopsError):
    def __init__(self, file_name: str, problems: Sequence[ImportProblem]):
        self.file_name, self.problems = file_name, list(problems)
        super().__init__(_("%(file)s: %(count)s problem(s), nothing imported. %(first)s")
                         % {"file": file_name, "count": len(self.problems), "first": self.problems[0] if self.problems else ""})


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ShopopsError(_("The file is neither UTF-8 nor GB18030 text."))


def content_results_import(*, file_name: str, data: bytes, now: dt.datetime,
                           mapping: Mapping[str, str] | None = None) -> int:
    """Reach, engagements and attributed orders/GMV (and cost) per post, from a CSV with one row per post.

    Columns are found by name (``RESULT_FIELDS``) or by ``mapping`` (field → column header). Every
    problem (unknown post, a missing column, a value that is not a number) is collected; any problem
    and nothing is written. Values replace the post's previous ones: the same file twice changes nothing.
    Returns the number of posts updated."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ContentImportError(file_name, [ImportProblem(1, "", "", _("the file is empty"))]) from None
    lower = {h.lower(): i for i, h in enumerate(header)}
    columns: dict[str, int] = {}
    problems: list[ImportProblem] = []
    for field, names in RESULT_FIELDS.items():
        wanted = (mapping or {}).get(field)
        if wanted:
            if wanted.strip().lower() not in lower:
                problems.append(ImportProblem(1, wanted, "", _("mapped column for %(field)s is not in the header (%(header)s)")
                                              % {"field": field, "header": ", ".join(header)}))
                continue
            columns[field] = lower[wanted.strip().lower()]
            continue
        for name in names:
            if name.lower() in lower:
                columns[field] = lower[name.lower()]
                break
        else:
            if field in REQUIRED_RESULT_FIELDS:
                problems.append(ImportProblem(1, field, "", _("no column for %(field)s; expected one of: %(names)s")
                                              % {"field": field, "names": ", ".join(names)}))
    if problems:
        raise ContentImportError(file_name, problems)
    posts = {p.code: p for p in ContentPost.objects.all()}
    updates: dict[str, dict] = {}
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {f: (row[i].strip() if i < len(row) else "") for f, i in columns.items()}
        code = cells["code"]
        if code not in posts:
            problems.append(ImportProblem(number, header[columns["code"]], code, _("no content post with this code")))
            continue
        values: dict = {}
        for field in ("reach", "engagements", "attributed_orders"):
            if field not in cells:
                continue
            raw = cells[field].replace(",", "")
            if raw == "" and field not in REQUIRED_RESULT_FIELDS:
                continue
            if not raw.isdigit():
                problems.append(ImportProblem(number, header[columns[field]], cells[field], _("expected a whole number ≥ 0")))
                continue
            values[field] = int(raw)
        for field in ("attributed_gmv", "cost"):
            if field not in cells or cells[field] == "":
                continue
            try:
                amount = Decimal(cells[field].replace(",", "").lstrip("¥￥"))
            except InvalidOperation:
                amount = None
            if amount is None or amount < 0 or not amount.is_finite():
                problems.append(ImportProblem(number, header[columns[field]], cells[field], _("expected an amount ≥ 0, e.g. 1280.50")))
                continue
            values[field] = to_money(amount)
        if code in updates:
            problems.append(ImportProblem(number, header[columns["code"]], code, _("this post appears twice in the file")))
            continue
        updates[code] = values
    if problems:
        raise ContentImportError(file_name, problems)
    with transaction.atomic():
        for code, values in updates.items():
            ContentPost.objects.filter(pk=posts[code].pk).update(results_imported_at=now, **values)
    return len(updates)


# ------------------------------------------------------------------------------ store days, responsibilities
def store_day_save(*, store_id: str, name: str, day: int, month: int | None = None) -> StoreDay:
    if not 1 <= day <= 31 or (month is not None and not 1 <= month <= 12):
        raise ShopopsError(_("“%(name)s”: month %(month)s day %(day)s is not a date.") % {"name": name, "month": month, "day": day})
    obj, _created = StoreDay.objects.update_or_create(store_id=store_id, name=name.strip(), defaults={"day": day, "month": month})
    return obj


def store_responsibility_set(*, user, store_ids: Sequence[str]) -> None:
    with transaction.atomic():
        StoreResponsibility.objects.filter(user=user).exclude(store_id__in=list(store_ids)).delete()
        for store_id in store_ids:
            StoreResponsibility.objects.get_or_create(user=user, store_id=store_id)


# ---------------------------------------------------------------------------- holiday schedule
HOLIDAY_SCHEDULE_ACTION = Action.APPROVE_CAMPAIGN  # who approves plans (运营总监) enters the notice


@dataclass(frozen=True)
class ScheduleSaved:
    schedule: PublicHolidaySchedule
    changed: bool  # False: the same days and notice were there already (nothing written)
    holidays: int
    workdays: int


def public_holiday_schedule_save(*, user, year: int, text: str, notice: str = "") -> ScheduleSaved:
    """Enter (or replace) the State Council holiday notice of ``year`` — a year the installed
    ``chinesecalendar`` does not ship. Every line is checked first (``campaigns.holidays``); on any
    problem nothing is written. The same days again change nothing (idempotent)."""
    from shopops.campaigns.holidays import HOLIDAY, ScheduleError, parse_schedule
    from shopops.core import festivals

    if not user.has_perm(action_permission(HOLIDAY_SCHEDULE_ACTION)):
        raise PlanActionNotAllowed(_("Entering the holiday schedule needs the permission %(perm)s.")
                                   % {"perm": action_permission(HOLIDAY_SCHEDULE_ACTION)})
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ShopopsError(_("The year %(year)r is not a number.") % {"year": year}) from None
    covered = festivals.holiday_years()
    if year in covered:
        raise ShopopsError(_("chinesecalendar %(version)s already has the State Council schedule of %(year)s "
                             "(it covers %(first)s–%(last)s); the package's days are used, nothing to enter.")
                           % {"version": festivals.chinese_calendar_version(), "year": year,
                              "first": covered.start, "last": covered.stop - 1})
    if not 2000 <= year <= 2100:
        raise ShopopsError(_("The year %(year)s is outside 2000–2100.") % {"year": year})
    try:
        days = parse_schedule(text or "", year=year)
    except ScheduleError as exc:
        raise ShopopsError(_("The %(year)s schedule was not saved: %(problems)s")
                           % {"year": year, "problems": "; ".join(exc.problems)}) from None
    wanted = {(d.day, d.kind, d.name) for d in days}
    notice = (notice or "").strip()
    with transaction.atomic():
        schedule, created = PublicHolidaySchedule.objects.select_for_update().get_or_create(
            year=year, defaults={"notice": notice, "entered_by": user})
        have = set(schedule.days.values_list("day", "kind", "name"))
        changed = created or have != wanted or schedule.notice != notice
        if changed:
            schedule.days.all().delete()
            PublicHolidayDay.objects.bulk_create(
                [PublicHolidayDay(schedule=schedule, day=d.day, kind=d.kind, name=d.name) for d in days])
            schedule.notice, schedule.entered_by = notice, user
            schedule.save()
    entered_public_days_forget()
    n_off = sum(1 for d in days if d.kind == HOLIDAY)
    return ScheduleSaved(schedule, changed, n_off, len(days) - n_off)


def public_holiday_schedule_delete(*, user, year: int) -> bool:
    if not user.has_perm(action_permission(HOLIDAY_SCHEDULE_ACTION)):
        raise PlanActionNotAllowed(_("Entering the holiday schedule needs the permission %(perm)s.")
                                   % {"perm": action_permission(HOLIDAY_SCHEDULE_ACTION)})
    deleted, _n = PublicHolidaySchedule.objects.filter(year=year).delete()
    entered_public_days_forget()
    return bool(deleted)


def entered_public_days_forget() -> None:
    from shopops.campaigns import selectors
    from shopops.core import festivals

    selectors.entered_public_days.cache_clear()
    festivals.entered_changed()
