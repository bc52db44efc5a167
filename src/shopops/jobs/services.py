"""Writes of the jobs app: fire due occurrences, enqueue runs, execute and log them."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket

from django.db import IntegrityError, transaction
from django.utils import timezone

from shopops.core.errors import ValidationError
from shopops.jobs import registry
from shopops.jobs.execution import WORKER_ID, job_run_execute  # noqa: F401 (the jobs app's write API)
from shopops.jobs.models import JobRun
from shopops.jobs.tasks import job_run_task

log = logging.getLogger(__name__)



def _enqueue(run: JobRun) -> JobRun:
    job_run_task.enqueue(run.pk)
    return run


def scheduler_tick(*, now: dt.datetime | None = None) -> list[JobRun]:
    """Queue every job whose latest occurrence (at or before ``now``) has not run and is not too late.

    Safe to call from any number of schedulers at once: an occurrence is a row unique on
    (job, scheduled_for), so only the scheduler that inserts it enqueues it.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValidationError(f"the scheduler's clock must be time-zone aware, got {now.isoformat()}")
    zone = timezone.get_default_timezone()
    fired = []
    for job in registry.periodic_jobs().values():
        due = job.schedule.last_due(now, zone)
        if due is None or now - due > job.catch_up:
            continue
        try:
            with transaction.atomic():  # the run and its task row, or neither (then the next tick retries)
                run = _enqueue(JobRun.objects.create(name=job.name, trigger=JobRun.Trigger.SCHEDULE,
                                                     scheduled_for=due.astimezone(dt.UTC)))
        except IntegrityError:
            continue  # this occurrence was fired already (here or by another scheduler)
        fired.append(run)
    return fired


def job_run_now(*, name: str, requested_by: str = "") -> JobRun:
    """Queue one run of a periodic job outside its schedule ("run now")."""
    if registry.periodic_job(name) is None:
        raise ValidationError(f"no job {name!r}; known jobs: {', '.join(sorted(registry.periodic_jobs()))}")
    with transaction.atomic():
        return _enqueue(JobRun.objects.create(name=name, trigger=JobRun.Trigger.MANUAL, requested_by=requested_by))


def cli_run_request(*, argv: list[str], inline: bool = False) -> JobRun:
    """A CLI command handed over by another process: queue it for the worker (writes go one at a time),
    or with ``inline`` run it now in this thread (reads)."""
    if not argv or not all(isinstance(a, str) for a in argv):
        raise ValidationError("a CLI run needs its arguments as a list of strings")
    words = argv[:2] if argv[0] in ("manage", "insights", "report", "jobs") else argv[:1]
    name = f"cli:{' '.join(words)}"[:100]
    if inline:
        run = JobRun.objects.create(name=name, trigger=JobRun.Trigger.CLI, argv=list(argv))
        job_run_execute(run_id=run.pk)
        run.refresh_from_db()
        return run
    with transaction.atomic():
        return _enqueue(JobRun.objects.create(name=name, trigger=JobRun.Trigger.CLI, argv=list(argv)))


def job_runs_interrupted_fail() -> int:
    """At a worker's start: runs this host's stopped worker processes left 'running' are failed."""
    host = socket.gethostname()
    failed = 0
    for run in JobRun.objects.filter(status=JobRun.Status.RUNNING, worker__startswith=f"{host}:"):
        pid = run.worker.rsplit(":", 1)[-1]
        if pid.isdigit() and not _alive(int(pid)):
            failed += JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING).update(
                status=JobRun.Status.FAILED, error="interrupted: the worker process stopped during the run",
                finished_at=timezone.now())
    return failed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
