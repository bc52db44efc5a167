"""Background work of the ingest app: web imports run off the request.

Today an in-process executor runs them: one worker thread in the web process
(``shopops serve``). One, because DuckDB allows one writer per process and an import
is a write; queued jobs run one after the other. ``import_job_enqueue`` is the only
entry point views use, so the intended replacement — the Django Tasks API
(``django-tasks`` with the ``django-tasks-db`` database backend, see ARCHITECTURE.md),
which survives restarts and scales to worker processes — swaps in here without
touching a view: decorate a ``import_job_run_task(job_id)`` with ``@task`` and call
``.enqueue(job.pk)``.

Limits of the in-process executor: jobs queued when the process stops are lost; the
first use of the executor in the next process marks them failed
(``import_jobs_interrupted_fail``), so none stays "running" for ever.

``settings.SHOPOPS_TASKS_IMMEDIATE = True`` runs jobs in the calling thread (like the
Tasks API's ImmediateBackend): tests use it.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from shopops.core.errors import ShopopsError
from shopops.ingest.models import ImportJob
from shopops.ingest.services import import_job_run, import_jobs_interrupted_fail

log = logging.getLogger(__name__)

_PROCESS_STARTED = timezone.now()
_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_recovered = False


def _immediate() -> bool:
    return bool(getattr(settings, "SHOPOPS_TASKS_IMMEDIATE", False))


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="shopops-import")
        return _executor


def import_jobs_recover_once() -> None:
    """Once per process: fail the web jobs an earlier process left queued or running."""
    global _recovered
    with _lock:
        if _recovered:
            return
        _recovered = True
    count = import_jobs_interrupted_fail(created_before=_PROCESS_STARTED)
    if count:
        log.warning("marked %d interrupted import job(s) failed", count)


def import_job_enqueue(job: ImportJob) -> Future | None:
    """Run a queued job in the background (now, in this thread, when tasks are immediate)."""
    if _immediate():
        _run(job.pk, close_connections=False)
        return None
    import_jobs_recover_once()
    return _get_executor().submit(_run, job.pk)


def _run(job_id: int, *, close_connections: bool = True) -> None:
    """The task: a thin wrapper around the service. Failures are recorded on the job."""
    if close_connections:
        close_old_connections()
    try:
        import_job_run(job=ImportJob.objects.get(pk=job_id))
    except ShopopsError as exc:
        log.info("import job %s failed: %s", job_id, exc)
    except Exception:
        log.exception("import job %s crashed", job_id)
    finally:
        if close_connections:
            connections.close_all()  # this worker thread's connections only
