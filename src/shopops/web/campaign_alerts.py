"""The live campaign page's alerts (``campaigns.live_alerts``), read from insights: registered at start-up
by :class:`shopops.web.apps.WebConfig` — web is the layer above both.

What a plan's live page shows, in the page's language, most severe first (at most ``LIMIT``):

* the open (or acknowledged) alerts insights keeps from every module — stock-out risks, late suppliers,
  差评 waves, overdue tasks of this plan — of the plan's stores (or of no single store) on the plan's days, and the
  campaign watch's own alerts (pace behind, a hero SKU at 0, a price off the plan) of *this* plan only;
* the insights findings (abnormal KPI days) of the plan's stores on the plan's days that are not muted.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse

from shopops.campaigns.live_alerts import LiveAlert

LIMIT = 12
WATCH_KINDS = ("plan_",)  # the campaign watch's kinds: keyed plan:<id>:… — another plan's are not this page's


def campaign_alerts(*, plan_id: int, store_ids: list[str], start: dt.date, end: dt.date, language: str) -> list[LiveAlert]:
    from shopops.campaigns.models import Task
    from shopops.core.roles import MODULE_LABELS
    from shopops.insights import selectors
    from shopops.insights.models import Finding

    zh = (language or "").lower().startswith("zh")
    names = selectors.store_names()
    labels = dict(Finding._meta.get_field("severity").choices)
    watch = Q(kind__startswith=WATCH_KINDS[0])
    alerts = (selectors.module_alert_list(status="active", start=start, end=end)
              .filter(Q(store_id__in=store_ids) | Q(store_id=""))
              .filter(~watch | Q(key__startswith=f"plan:{plan_id}:"))
              .order_by("-severity_rank", "-day", "-money_at_stake")[:LIMIT * 3])
    rows: list[tuple[int, LiveAlert]] = []
    plan_tasks = {f"task:{pk}" for pk in Task.objects.filter(plan_id=plan_id).values_list("pk", flat=True)}
    for a in alerts:
        if a.source == "campaigns" and a.kind == "task_overdue" and a.key not in plan_tasks:
            continue  # another plan's task (or one of no plan)
        label = MODULE_LABELS.get(a.source)
        rows.append((a.severity_rank, LiveAlert(
            day=a.day, severity=a.severity, severity_label=str(labels.get(a.severity, a.severity)),
            module=(label[0] if zh else label[1]) if label else a.source,
            store=names.get(a.store_id, a.store_id) if a.store_id else "", text=a.text(language), link=a.link)))
    findings = (selectors.finding_list(status="active", start=start, end=end).filter(store_id__in=store_ids)
                .order_by("-severity_rank", "-day")[:LIMIT])
    insights = MODULE_LABELS.get("insights", ("异常洞察", "Insights"))
    for f in findings:
        view = selectors.finding_view(f, names)
        rows.append((f.severity_rank, LiveAlert(
            day=f.day, severity=f.severity, severity_label=str(labels.get(f.severity, f.severity)),
            module=insights[0] if zh else insights[1], store=view.store_name, text=view.headline,
            link=reverse("insights:finding", args=[f.pk]))))
    rows.sort(key=lambda r: (-r[0], -r[1].day.toordinal()))
    return [r[1] for r in rows[:LIMIT]]
