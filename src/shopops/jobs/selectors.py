"""Reads of the jobs app: the jobs with their next and last runs, the recent runs."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from shopops.core.schedule import PeriodicJob
from shopops.jobs.models import JobRun
from shopops.jobs import registry


@dataclass(frozen=True, slots=True)
class JobRow:
    job: PeriodicJob
    title: str
    schedule: str
    next_run: dt.datetime
    last: JobRun | None
    last_ok: JobRun | None
    failures: int  # failed runs among the last 10


def job_rows(*, language: str, now: dt.datetime | None = None) -> list[JobRow]:
    now = now or timezone.now()
    zone = timezone.get_default_timezone()
    rows = []
    for job in sorted(registry.periodic_jobs().values(), key=lambda j: j.schedule.next_after(now, zone)):
        recent = list(JobRun.objects.filter(name=job.name)[:10])
        rows.append(JobRow(
            job=job, title=job.title(language), schedule=job.schedule.describe(language),
            next_run=job.schedule.next_after(now, zone), last=recent[0] if recent else None,
            last_ok=next((r for r in recent if r.status == JobRun.Status.SUCCEEDED), None),
            failures=sum(r.status == JobRun.Status.FAILED for r in recent)))
    return rows


def runs_recent(*, name: str = "", limit: int = 50) -> list[JobRun]:
    runs = JobRun.objects.all()
    if name:
        runs = runs.filter(name=name)
    return list(runs[:limit])


@dataclass(frozen=True, slots=True)
class TaskRow:
    """One background task an app queued from the web (an import, a report), as the page shows it."""

    id: str
    path: str
    title: str
    status: str  # READY (queued), RUNNING, SUCCESSFUL, FAILED
    enqueued_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    seconds: float | None
    output: str  # the task's return value (a one-line summary)
    error: str  # the exception's last line, no server paths

    @property
    def failed(self) -> bool:
        return self.status == "FAILED"


def tasks_recent(*, language: str, limit: int = 50) -> list[TaskRow]:
    """The latest background tasks the apps declare (``TASKS`` in their jobs.py), newest first.
    The periodic jobs' own task is left out: its runs are the job log above."""
    from django_tasks_db.models import DBTaskResult

    declared = registry.background_tasks()
    rows = []
    for r in DBTaskResult.objects.filter(task_path__in=list(declared)).order_by("-enqueued_at")[:limit]:
        seconds = (r.finished_at - r.started_at).total_seconds() if r.started_at and r.finished_at else None
        lines = [line for line in (r.traceback or "").strip().splitlines() if line.strip()]
        rows.append(TaskRow(str(r.id), r.task_path, declared[r.task_path].title(language), r.status, r.enqueued_at,
                            r.started_at, r.finished_at, None if seconds is None else round(seconds, 3),
                            "" if r.return_value is None else str(r.return_value),
                            public_text(lines[-1]) if lines else ""))
    return rows


def run_get(*, run_id: int) -> JobRun | None:
    return JobRun.objects.filter(pk=run_id).first()


def busy_with(*, before: int | None = None) -> str:
    """What the worker is busy with ahead of run ``before``: the running run as "name (#id)", and how
    many runs are queued ahead; empty when idle."""
    running = JobRun.objects.filter(status=JobRun.Status.RUNNING).order_by("started_at").first()
    ahead = JobRun.objects.filter(status=JobRun.Status.QUEUED)
    ahead = ahead.filter(pk__lt=before).count() if before is not None else ahead.count()
    parts = [f"{running.name} (#{running.pk})"] if running else []
    if ahead:
        parts.append(f"{ahead} more queued ahead")
    return ", ".join(parts)


def _roots() -> list[tuple[str, str]]:
    pairs = [(str(Path(settings.VAR_DIR).resolve()), "$SHOPOPS_VAR_DIR"),
             (str(Path(settings.PACKAGE_DIR).resolve()), "shopops"),
             (sys.prefix, "$PYTHON"), (str(Path.home()), "~")]
    return sorted(pairs, key=lambda p: -len(p[0]))


_ABS_PATH = re.compile(r"(?<![\w.~$])/(?:[\w.@+-]+/)+([\w.@+-]+)")


def public_text(text: str) -> str:
    """A run's output or error as the page shows it: no server paths (roots named, other
    absolute paths cut to their last part)."""
    for root, name in _roots():
        if root and root != "/":
            text = text.replace(root, name)
    return _ABS_PATH.sub(r"…/\1", text)
