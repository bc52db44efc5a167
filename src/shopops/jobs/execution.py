"""Executing one queued job run and logging how it went — what the worker's task calls.

Apart from ``jobs.services`` (which fires and enqueues runs) so that the task module and the
services do not import each other.
"""

from __future__ import annotations

import logging
import os
import socket
import time

from django.utils import timezone
from django.utils.module_loading import import_string

from shopops.core.errors import ShopopsError, ValidationError
from shopops.jobs import registry
from shopops.jobs.capture import captured
from shopops.jobs.models import JobRun

log = logging.getLogger("shopops.jobs.services")

MAX_TEXT = 200_000  # output and error kept per run (the head and the tail)
CLI_RUNNER = "shopops.cli.run_here"  # runs one CLI command in this process; returns its exit code
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"[:64]


def _clip(text: str) -> str:
    if len(text) <= MAX_TEXT:
        return text
    half = MAX_TEXT // 2
    return f"{text[:half]}\n… {len(text) - MAX_TEXT} characters cut …\n{text[-half:]}"


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
