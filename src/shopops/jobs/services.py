"""Writes of the jobs app: fire due occurrences, enqueue runs, execute and log them."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import time

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from shopops.core.errors import ShopopsError, ValidationError
from shopops.jobs.capture import captured
from shopops.jobs.models import JobRun
from shopops.jobs import registry

log = logging.getLogger(__name__)

MAX_TEXT = 200_000  # output and error kept per run (the head and the tail)
CLI_RUNNER = "shopops.cli.run_here"  # runs one CLI command in this process; returns its exit code
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"[:64]


def _clip(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    half = MAX_TEXT // 2
    return f"{text[:half]}\n… {len(text) - MAX_TEXT} characters cut …\n{text[-half:]}"


def _enqueue(run: JobRun) -> JobRun:
    from shopops.jobs.tasks import job_run_task

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


def job_run_execute(*, run_id: int) -> JobRun | None:
    """Run a queued job and log how it went. A run already taken by a worker is left alone."""
    started = timezone.now()
    taken = JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
        status=JobRun.Status.RUNNING, started_at=started, worker=WORKER_ID)
    if not taken:
        return None
    run = JobRun.objects.get(pk=run_id)
    clock = time.perf_counter()
    status, output, error, code = JobRun.Status.SUCCEEDED, "", "", 0
    try:
        if run.trigger == JobRun.Trigger.CLI:
            with captured(("run", run.pk)) as (out, err):
                code = import_string(CLI_RUNNER)(list(run.argv))
            output, error = out.getvalue(), err.getvalue()
            if code:
                status = JobRun.Status.FAILED
        else:
            job = registry.periodic_job(run.name)
            if job is None:
                raise ValidationError(f"the job {run.name!r} is no longer declared by any app")
            scheduled = run.scheduled_for.astimezone(timezone.get_default_timezone()) if run.scheduled_for else None
            output = str(import_string(job.callable)(scheduled_for=scheduled) or "")
    except ShopopsError as exc:
        status, error, code = JobRun.Status.FAILED, f"{exc}", 2
        log.warning("job %s (#%s) failed: %s", run.name, run.pk, exc)
    except Exception as exc:  # noqa: BLE001 - a job's crash is logged on its run, the worker goes on
        status, error, code = JobRun.Status.FAILED, f"{type(exc).__name__}: {exc}", 1
        log.exception("job %s (#%s) crashed", run.name, run.pk)
    run.status, run.output, run.error, run.exit_code = status, _clip(output), _clip(error), code
    run.finished_at = timezone.now()
    run.seconds = round(time.perf_counter() - clock, 3)
    run.save(update_fields=["status", "output", "error", "exit_code", "finished_at", "seconds"])
    return run


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
