"""Background work of the reports app: the web generates reports off the request.

Like the import jobs (``shopops.ingest.tasks``), an in-process executor runs them in the
web process (``shopops serve``); the page polls the report's ``meta.json`` through HTMX
for progress. Reports only read the warehouse, but one worker keeps the load of several
users' clicks bounded. ``report_enqueue`` is the only entry point views use, so the Django
Tasks API swaps in here later without touching a view.

``settings.SHOPOPS_TASKS_IMMEDIATE = True`` generates in the calling thread (tests).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections

from shopops.reports.selectors import report_get
from shopops.reports.services import ReportRecord, report_generate, reports_interrupted_fail

log = logging.getLogger(__name__)

_PROCESS_STARTED = dt.datetime.now(dt.UTC)
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_recovered = False


def _get_executor() -> ThreadPoolExecutor:
    global _executor, _recovered
    with _lock:
        if not _recovered:
            _recovered = True
            count = reports_interrupted_fail(started_before=_PROCESS_STARTED)
            if count:
                log.warning("marked %d interrupted report(s) failed", count)
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shopops-report")
        return _executor


def report_enqueue(record: ReportRecord) -> Future | None:
    if getattr(settings, "SHOPOPS_TASKS_IMMEDIATE", False):
        _run(record.id, close_connections=False)
        return None
    return _get_executor().submit(_run, record.id)


def _run(report_id: str, *, close_connections: bool = True) -> None:
    """The task: a thin wrapper around the service; a failure is recorded on the report."""
    if close_connections:
        close_old_connections()
    try:
        report_generate(record=report_get(report_id=report_id))
    except Exception:
        log.exception("report %s failed", report_id)
    finally:
        if close_connections:
            connections.close_all()
