"""Overdue tasks reach the insights inbox and the 晨报 as campaign alerts, and resolve when done."""

from __future__ import annotations

import datetime as dt

import pytest

from shopops.campaigns import services
from shopops.core.roles import Role
from shopops.insights import services as insight_services
from shopops.insights.models import ModuleAlert

from .factories import plan, user

SOURCE = "shopops.campaigns.alerts.alerts"


@pytest.mark.django_db
def test_overdue_tasks_are_alerts_until_done():
    from shopops.insights.alert_sources import SOURCES

    assert SOURCE in SOURCES
    cs = user(Role.CUSTOMER_SERVICE, "cs")
    p = plan(starts_on=dt.date(2026, 12, 10), ends_on=dt.date(2026, 12, 12))
    late = services.task_create(title="客服话术", due_on=dt.date(2026, 12, 7), plan=p, assignee=cs)
    services.task_create(title="复盘", due_on=dt.date(2026, 12, 15), plan=p)  # not due yet
    nxt = services.task_create(title="次日到期", due_on=dt.date(2026, 12, 9), plan=p)  # due after the judged day
    insight_services.module_alerts_collect(day=dt.date(2026, 12, 8), sources=[SOURCE])
    row = ModuleAlert.objects.get()
    assert (row.source, row.kind, row.key, row.severity) == ("campaigns", "task_overdue", f"task:{late.pk}", "high")
    assert "客服话术" in row.text_zh and "逾期 2 天" in row.text_zh and "cs" in row.text_zh
    services.task_status_set(task=late, status="done", today=dt.date(2026, 12, 10))
    insight_services.module_alerts_collect(day=dt.date(2026, 12, 9), sources=[SOURCE])
    assert set(ModuleAlert.objects.values_list("key", "status")) == {(f"task:{late.pk}", "resolved"), (f"task:{nxt.pk}", "open")}
