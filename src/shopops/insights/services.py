"""Writes of the insights app: runs that store findings, and what people do with them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.conf import settings as django_settings
from django.db import transaction
from django.utils.translation import gettext

from shopops.core.errors import ShopopsError
from shopops.insights.calendar import DEFAULT_MONTHLY, CampaignCalendar
from shopops.insights.detection import Settings, only_alert_of
from shopops.insights.diagnosis import PromoWindow
from shopops.insights.models import SEVERITY_RANK, Finding, ModuleAlert, Mute, Task
from shopops.insights.pipeline import Diagnosed, RunConfig, RunResult, run_days


def promotion_windows() -> tuple[PromoWindow, ...]:
    """Active promotions and published campaigns with a window, as store-local dates."""
    from zoneinfo import ZoneInfo

    from shopops.promotions.models import Campaign, Promotion

    tz = ZoneInfo(getattr(django_settings, "SHOPOPS_TIME_ZONE", "Asia/Shanghai"))
    out = []
    for p in Promotion.objects.filter(is_active=True, starts_at__isnull=False, ends_at__isnull=False):
        out.append(PromoWindow(p.name, p.starts_at.astimezone(tz).date(), p.ends_at.astimezone(tz).date(),
                               frozenset(p.channels or ()), frozenset(str(x) for x in (p.scope_products or ()))))
    for c in Campaign.objects.filter(status=Campaign.Status.PUBLISHED):
        out.append(PromoWindow(c.name, c.starts_at.astimezone(tz).date(), c.ends_at.astimezone(tz).date()))
    return tuple(out)


def run_config(*, sensitivity: str | None = None) -> RunConfig:
    """The run settings of this deployment (``SHOPOPS_INSIGHTS`` in Django settings may override)."""
    conf = dict(getattr(django_settings, "SHOPOPS_INSIGHTS", {}) or {})
    if sensitivity:
        conf["sensitivity"] = sensitivity
    known = set(Settings.__dataclass_fields__)
    unknown = set(conf) - known - {"top_products", "monthly_campaign_days"}
    if unknown:
        raise ShopopsError(f"SHOPOPS_INSIGHTS: unknown keys {sorted(unknown)}; expected some of {sorted(known)}")
    try:
        st = Settings(**{k: v for k, v in conf.items() if k in known})
    except ValueError as exc:
        raise ShopopsError(str(exc)) from exc
    calendar = CampaignCalendar(monthly=conf.get("monthly_campaign_days", DEFAULT_MONTHLY))
    return RunConfig(settings=st, calendar=calendar, top_products=int(conf.get("top_products", RunConfig.top_products)),
                     promotions=promotion_windows())


@dataclass
class RunSummary:
    days: list[dt.date]
    created: int
    updated: int
    findings: list[Finding]
    timings: dict[str, float]
    result: RunResult

    def text(self) -> str:
        spans = ", ".join(f"{k} {v:.1f}s" for k, v in self.timings.items())
        first, last = self.days[0], self.days[-1]
        span = str(first) if first == last else f"{first}..{last}"
        return f"insights {span}: {len(self.findings)} findings ({self.created} new, {self.updated} updated); {spans}"


def _last_alerted(first_day: dt.date, cooldown: int) -> tuple[dict, dict]:
    """Per signal key, the last day it alerted within the cool-down before ``first_day``, and that alert's z."""
    out: dict = {}
    zs: dict = {}
    since = first_day - dt.timedelta(days=cooldown)
    for f in Finding.objects.filter(day__gte=since, day__lt=first_day).order_by("day").only("store_id", "day", "signals"):
        for s in f.signals:
            if s.get("alerting", True):
                key = (f.store_id, s["kpi"], s.get("product_id", ""))
                out[key] = max(out.get(key, f.day), f.day)
                if out[key] == f.day and s.get("z") is not None:
                    zs[key] = float(s["z"])
    return out, zs


def _signal_dict(s) -> dict:
    d = asdict(s)
    d["day"] = s.day.isoformat()
    return d


def _contribs(items) -> list[dict]:
    return [asdict(c) for c in items]


def _diagnosis_dict(d: Diagnosed) -> dict:
    return {
        "reference_days": [x.isoformat() for x in d.reference_days],
        "factors": _contribs(d.factors),
        "by_product": _contribs(d.by_product),
        "by_source": _contribs(d.by_source),
        "conversion_by_source": _contribs(d.conversion_by_source),
        "by_customer_type": _contribs(d.by_customer_type),
        "evidence": [e.as_dict() for e in d.evidence],
        "titles": d.titles,
        "chart": d.chart,
        "product": d.product,
    }


def _json_safe(value):
    """Dates and numpy scalars inside evidence facts → JSON types."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def _move_updated(f, settings) -> None:
    """A product signal that updates an earlier alert (``Settings.update_z``): the stored finding of that alert, when
    the product was its only alerting signal, moves to this day (its status, assignee and tasks kept; the store and
    update below then write this day's values into it) — one inbox entry, as ``run_weekly`` and ``detect_period``."""
    for key, old_day in f.updates:
        old = Finding.objects.filter(store_id=f.store_id, day=old_day).first()
        if old is None or not only_alert_of(old.signals, key, settings):
            continue
        if Finding.objects.filter(store_id=f.store_id, day=f.day).exists():
            if old.status == Finding.Status.OPEN:  # this day's row (a run before) is the entry: nobody acted on the old
                old.delete()
            continue
        old.day = f.day
        old.save(update_fields=["day", "updated_at"])


@transaction.atomic
def findings_store(result: RunResult, settings: Settings | None = None) -> tuple[int, int, list[Finding]]:
    """Create or update one Finding per diagnosed store-day; people's actions (status, assignee) are kept."""
    created = updated = 0
    out = []
    mutes = {(m.store_id, m.kpi, m.product_id): m.until for m in Mute.objects.all()}
    for d in result.diagnosed:
        f, h = d.finding, d.finding.headline
        _move_updated(f, settings or Settings())
        values = dict(
            severity=f.severity, severity_rank=SEVERITY_RANK[f.severity], kpi=h.kpi, product_id=h.product_id,
            actual=h.actual, expected=h.expected, low=h.low, high=h.high, relative=h.relative, window=h.window,
            money_at_stake=Decimal(str(round(f.money_at_stake, 2))), cause=d.cause.kind if d.cause else "",
            signals=_json_safe([_signal_dict(s) for s in f.signals]),
            diagnosis=_json_safe(dict(_diagnosis_dict(d), updates=[old.isoformat() for _, old in f.updates])),
        )
        obj, was_created = Finding.objects.update_or_create(store_id=f.store_id, day=f.day, defaults=values)
        until = mutes.get((h.store_id, h.kpi, h.product_id))
        if was_created and until is not None and until >= f.day:
            obj.status, obj.muted_until = Finding.Status.MUTED, until
            obj.save(update_fields=["status", "muted_until"])
        created += was_created
        updated += not was_created
        out.append(obj)
    return created, updated, out


def insights_run(*, days: list[dt.date], sensitivity: str | None = None,
                 echo: Callable[[str], None] = lambda _: None) -> RunSummary:
    """Detect and diagnose ``days`` (oldest first) and store the findings. Running it twice changes nothing."""
    if not days:
        raise ShopopsError("insights run: no day given")
    config = run_config(sensitivity=sensitivity)
    days = sorted(set(days))
    last, last_z = _last_alerted(days[0], config.settings.cooldown_days)
    result = run_days(days, config=config, last_alerted=last, last_z=last_z)
    created, updated, findings = findings_store(result, config.settings)
    summary = RunSummary(days, created, updated, findings, result.timings, result)
    echo(summary.text())
    return summary


def finding_acknowledge(*, finding: Finding, user) -> Finding:
    if finding.status == Finding.Status.OPEN:
        finding.status = Finding.Status.ACKNOWLEDGED
        finding.save(update_fields=["status", "updated_at"])
    return finding


ASSIGNMENT_DUE_DAYS = 2  # a finding handed to someone is due on the team's board this many store days later


def _assignment_title(finding: Finding) -> str:
    """A task's title a person reads: the store's name, the day, the KPI's name (and the product) — not their ids."""
    from shopops.insights import texts
    from shopops.metrics.dimensions import store_names

    product = (finding.diagnosis or {}).get("titles", {}).get(finding.product_id, finding.product_id) \
        if finding.product_id else ""
    kpi = texts.kpi_label(finding.kpi, bool(finding.product_id))
    subject = f"{store_names().get(finding.store_id, finding.store_id)} {finding.day:%Y-%m-%d}"
    return gettext("Follow up: %(subject)s · %(kpi)s%(product)s") % {
        "subject": subject, "kpi": kpi, "product": f" · {product}" if product else ""}


def _board_task(finding: Finding, *, title: str, assignee, note: str):
    """The assignment on the team's task board (campaigns), due in ``ASSIGNMENT_DUE_DAYS`` store days, with the
    finding's page in its description: the assignee sees it on the board, its overdue warning reaches the 晨报."""
    from django.urls import reverse

    from shopops.campaigns import services as campaigns
    from shopops.campaigns.selectors import store_today
    from shopops.team.selectors import user_role

    role = user_role(assignee)
    link = reverse("insights:finding", args=[finding.pk])
    description = "\n".join(x for x in (note.strip(), gettext("Finding: %(link)s") % {"link": link}) if x)
    return campaigns.task_create(title=title[:200], due_on=store_today() + dt.timedelta(days=ASSIGNMENT_DUE_DAYS),
                                 assignee=assignee, role=role.value if role else "", description=description)


@transaction.atomic
def finding_assign(*, finding: Finding, assignee, by, note: str = "") -> Task:
    """Assign the finding to a person: it gets a task (one open task per finding and person)."""
    if assignee is None or not assignee.is_active:
        raise ShopopsError(gettext("Assignee: choose an active user."))
    task = finding.tasks.filter(assignee=assignee, status=Task.Status.OPEN).first()
    if task is None:
        title = _assignment_title(finding)
        task = Task.objects.create(finding=finding, assignee=assignee, created_by=by, title=title[:200], note=note,
                                   board_task=_board_task(finding, title=title, assignee=assignee, note=note))
    finding.status, finding.assignee = Finding.Status.ASSIGNED, assignee
    finding.save(update_fields=["status", "assignee", "updated_at"])
    return task


@transaction.atomic
def finding_mute(*, finding: Finding, days: int, by) -> Finding:
    """Mute this finding and its headline KPI (store, product) for ``days`` days after the finding's day."""
    if not 1 <= days <= 90:
        raise ShopopsError(gettext("Mute for: %(days)s days is out of range; choose 1 to 90 days.") % {"days": days})
    until = finding.day + dt.timedelta(days=days)
    Mute.objects.update_or_create(store_id=finding.store_id, kpi=finding.kpi, product_id=finding.product_id,
                                  defaults={"until": until, "created_by": by})
    finding.status, finding.muted_until = Finding.Status.MUTED, until
    finding.save(update_fields=["status", "muted_until", "updated_at"])
    return finding


def brief_deliver(*, day: dt.date, language: str, link: str = "") -> list:
    """Build the 晨报 of ``day`` in ``language`` and hand it to every configured channel (or the outbox)."""
    from django.utils import translation

    from shopops.insights import selectors
    from shopops.insights.delivery import Message, deliver

    with translation.override(language):
        b = selectors.brief(day=day)
        title = translation.gettext("Daily brief %(day)s") % {"day": day.isoformat()}
        message = Message(title=title, lines=selectors.brief_lines(b), link=link)
    return deliver(message=message, day=day, language=language)


@dataclass
class AlertCollection:
    day: dt.date
    raised: int = 0  # alerts the sources returned
    created: int = 0
    resolved: int = 0
    failed: dict[str, str] = field(default_factory=dict)  # source path -> error

    def text(self) -> str:
        out = f"module alerts {self.day}: {self.raised} raised, {self.created} new, {self.resolved} resolved"
        if self.failed:
            out += "; failed: " + ", ".join(f"{k} ({v})" for k, v in self.failed.items())
        return out


def module_alerts_collect(*, day: dt.date, sources: Sequence[str] | None = None) -> AlertCollection:
    """Ask every alert source (``alert_sources.SOURCES``) for ``day`` and keep one row per condition.

    A condition still raised is refreshed (its day, severity, text, money); one raised again after
    it was resolved opens again; an open one its source no longer raises is resolved. A source
    that fails is reported and its alerts are left as they were. Running it twice changes nothing.
    """
    from django.utils.module_loading import import_string

    from shopops.core.alerts import Alert
    from shopops.insights.alert_sources import SOURCES

    out = AlertCollection(day=day)
    for path in SOURCES if sources is None else sources:
        module = _module_of(path)
        try:
            raised = list(import_string(path)(day))
            for a in raised:
                if not isinstance(a, Alert):
                    raise TypeError(f"returned {type(a).__name__}, expected shopops.core.alerts.Alert")
                if a.source != module:
                    raise ValueError(f"returned an alert of source {a.source!r}; {path} may raise only {module!r}")
        except Exception as exc:  # one module's failure must not stop the morning job
            out.failed[path] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        out.raised += len(raised)
        created, resolved = _module_alerts_store(module, path, raised, day)
        out.created += created
        out.resolved += resolved
    return out


_OPEN_ALERT = (ModuleAlert.Status.OPEN, ModuleAlert.Status.ACKNOWLEDGED)


def _module_of(source_path: str) -> str:
    """``shopops.inventory.alerts.alerts`` -> ``inventory``: the source name its alerts must carry."""
    parts = source_path.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "shopops" else parts[0]


@transaction.atomic
def _module_alerts_store(module: str, origin: str, raised: list, day: dt.date) -> tuple[int, int]:
    """Upsert the alerts the source ``origin`` (of ``module``) raised for ``day``; resolve its open ones of
    that day or before that it no longer raises (judging an older day again leaves newer alerts alone).
    A module may have several sources; each resolves only what it raised."""
    created = 0
    keep: set[tuple[str, str]] = set()
    for a in raised:
        keep.add((a.kind, a.key))
        values = dict(origin=origin, store_id=a.store_id, product_id=a.product_id, day=a.day, severity=a.severity,
                      severity_rank=SEVERITY_RANK[a.severity], text_zh=a.text_zh[:500], text_en=a.text_en[:500],
                      money_at_stake=a.money_at_stake.quantize(Decimal("0.01")), link=a.link[:300])
        row = ModuleAlert.objects.select_for_update().filter(source=module, kind=a.kind, key=a.key).first()
        if row is None:
            ModuleAlert.objects.create(source=module, kind=a.kind, key=a.key, first_day=a.day, **values)
            created += 1
            continue
        if row.status == ModuleAlert.Status.RESOLVED:
            values.update(status=ModuleAlert.Status.OPEN, first_day=a.day)
        elif a.day < row.day:  # an older day judged again: do not move the alert back in time
            continue
        for k, v in values.items():
            setattr(row, k, v)
        row.save()
    resolved = 0
    for row in ModuleAlert.objects.select_for_update().filter(source=module, origin=origin, status__in=_OPEN_ALERT,
                                                              day__lte=day):
        if (row.kind, row.key) not in keep:
            row.status = ModuleAlert.Status.RESOLVED
            row.save(update_fields=["status", "updated_at"])
            resolved += 1
    return created, resolved


def module_alert_acknowledge(*, alert: ModuleAlert, user) -> ModuleAlert:
    if alert.status == ModuleAlert.Status.OPEN:
        alert.status = ModuleAlert.Status.ACKNOWLEDGED
        alert.save(update_fields=["status", "updated_at"])
    return alert
