"""Background work of the reports app: the web generates reports off the request, as Django tasks.

``report_enqueue`` is the only entry point views use. It queues ``report_generate_task`` on the
task queue of the app DB; the jobs worker that ``shopops serve`` hosts (or ``shopops worker``
processes) runs it, one task at a time next to the periodic jobs, so several users' clicks do
not load the warehouse at once. The report page polls the report's ``meta.json`` through HTMX
for progress as before; the jobs page (``/jobs/``, "Background tasks") lists the task with its
duration and failure.

``settings.SHOPOPS_TASKS_IMMEDIATE = True`` generates in the calling thread (tests).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django_tasks import task

from shopops.reports.selectors import report_get
from shopops.reports.services import ReportRecord, report_generate, reports_interrupted_fail

log = logging.getLogger(__name__)

_PROCESS_STARTED = dt.datetime.now(dt.UTC)
_lock = threading.Lock()
_recovered = False


def _recover_once() -> None:
    """Once per process: fail the reports an earlier process left running (its worker is gone)."""
    global _recovered
    with _lock:
        if _recovered:
            return
        _recovered = True
    count = reports_interrupted_fail(started_before=_PROCESS_STARTED, running_only=True)
    if count:
        log.warning("marked %d interrupted report(s) failed", count)


@task()
def report_generate_task(report_id: str) -> str:
    """The task: the service generates and records the outcome on the report; a failure also
    fails the task, so the jobs page shows it."""
    generated = report_generate(record=report_get(report_id=report_id))
    record = generated.record
    return f"report {record.id}: {record.kind} {record.period_label} ({', '.join(record.formats)})"


def report_enqueue(record: ReportRecord):
    """Queue a report for the worker (the task's result handle); generate it now, here, when tasks are immediate."""
    if getattr(settings, "SHOPOPS_TASKS_IMMEDIATE", False):
        try:
            report_generate_task.call(record.id)
        except Exception:
            log.exception("report %s failed", record.id)
        return None
    _recover_once()
    return report_generate_task.enqueue(record.id)
