"""Background work of the ingest app: web imports run off the request, as Django tasks.

``import_job_enqueue`` is the only entry point views use. It queues ``import_job_task`` on the
task queue of the app DB (``django-tasks-db``); the jobs worker that ``shopops serve`` hosts
(or ``shopops worker`` processes, on PostgreSQL) runs it — the same worker as the periodic
jobs and the commands the CLI hands to the server, so imports from the web, from cron and
the morning jobs write to the warehouse one at a time. The task and its duration, status and
error are listed on the jobs page (``/jobs/``, "Background tasks"); the import page polls the
``ImportJob`` row for progress as before. Queued imports survive a restart.

An import whose process stopped while it ran stays "running" on its row; the first use of the
import pages in the next process marks such rows failed (``import_jobs_recover_once``).

``settings.SHOPOPS_TASKS_IMMEDIATE = True`` runs the import in the calling thread (tests).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from shopops.core.errors import ShopopsError
from shopops.ingest.models import ImportJob
from shopops.ingest.services import import_job_run, import_jobs_interrupted_fail

log = logging.getLogger(__name__)

_PROCESS_STARTED = timezone.now()
_lock = threading.Lock()
_recovered = False


def _immediate() -> bool:
    return bool(getattr(settings, "SHOPOPS_TASKS_IMMEDIATE", False))


def import_jobs_recover_once() -> None:
    """Once per process: fail the web imports an earlier process left running (queued ones are
    still on the task queue and will run)."""
    global _recovered
    with _lock:
        if _recovered:
            return
        _recovered = True
    count = import_jobs_interrupted_fail(created_before=_PROCESS_STARTED, statuses=(ImportJob.Status.RUNNING,))
    if count:
        log.warning("marked %d interrupted import job(s) failed", count)


@task()
def import_job_task(job_id: int) -> str:
    """The task: the service runs the import and records the outcome on the job; a failure also
    fails the task, so the jobs page shows it."""
    job = import_job_run(job=ImportJob.objects.get(pk=job_id))
    if not _immediate():  # tests run imports in the request; they call the warm-up themselves
        _cockpit_warm()
    return (f"import #{job.pk} {job.status}: {job.rows_read} read, {job.rows_inserted} inserted, "
            f"{job.rows_updated} updated, {job.rows_rejected} rejected")


def _cockpit_warm() -> None:
    """The cockpit's default views and the customers and RFM pages' (new and returning buyers, cohorts,
    the RFM grid) at the new data version, so that the first visitor after the import reads them from the
    cache (the ``cockpit_warm`` and ``customers_warm`` jobs do the same every few minutes for imports
    handed over otherwise). A failure here never fails the import."""
    from shopops.customers.jobs import warm_pages as customers_warm
    from shopops.metrics.cockpit import cockpit_warm

    try:
        cockpit_warm()
    except Exception:
        log.exception("warming the cockpit after an import failed")
    try:  # new and returning buyers, cohorts and RFM read every order: seconds to tens of seconds on a large store
        customers_warm()
    except Exception:
        log.exception("warming the customers page after an import failed")


def import_job_enqueue(job: ImportJob):
    """Queue a job for the worker (the task's result handle); run it now, here, when tasks are immediate."""
    if _immediate():
        try:
            import_job_task.call(job.pk)
        except ShopopsError as exc:
            log.info("import job %s failed: %s", job.pk, exc)
        except Exception:
            log.exception("import job %s crashed", job.pk)
        return None
    import_jobs_recover_once()
    return import_job_task.enqueue(job.pk)
