"""Periodic jobs of reports (found by ``shopops.jobs``; see docs/jobs.md): the weekly report on
Monday for the week before, the monthly report on the 1st for the month before."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import BackgroundTask, PeriodicJob, monthly, weekly

JOBS = (
    PeriodicJob("report_weekly", "shopops.reports.jobs.report_weekly", weekly(0, 8, 0),
                label=("周报（上周）", "Weekly report (last week)"), catch_up=dt.timedelta(days=1)),
    PeriodicJob("report_monthly", "shopops.reports.jobs.report_monthly", monthly(1, 8, 0),
                label=("月报（上月）", "Monthly report (last month)"), catch_up=dt.timedelta(days=1)),
)
# reports generated from the web (the report pages queue them): listed on the jobs page
TASKS = (
    BackgroundTask("shopops.reports.tasks.report_generate_task", label=("报告生成（网页）", "Report from the web")),
)


def _day(scheduled_for: dt.datetime | None) -> dt.date:
    from django.utils import timezone

    return timezone.localdate(scheduled_for) if scheduled_for else timezone.localdate()


def _generate(kind: str, period: str) -> str:
    from shopops.core.periods import Period
    from shopops.metrics.runners import query
    from shopops.reports.services import report_generate

    # a new install's first Monday: no all-zero report listed beside the real one the owner makes later
    frame = query(["paid_orders"], Period.parse(period))
    if frame.empty or not frame["paid_orders"].fillna(0).sum():
        return f"{kind} {period}: skipped — no paid orders in the period"
    generated = report_generate(kind=kind, period=period)
    return f"{kind} {period}: " + ", ".join(generated.record.formats) + f" (report {generated.record.id})"


def report_weekly(*, scheduled_for: dt.datetime | None = None) -> str:
    year, week, _ = (_day(scheduled_for) - dt.timedelta(days=7)).isocalendar()
    return _generate("weekly", f"{year}-W{week:02d}")


def report_monthly(*, scheduled_for: dt.datetime | None = None) -> str:
    last_month = _day(scheduled_for).replace(day=1) - dt.timedelta(days=1)
    return _generate("monthly", f"{last_month:%Y-%m}")
