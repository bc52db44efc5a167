"""The jobs app's own periodic job: keep the job log and the task queue from growing for ever."""

from __future__ import annotations

import datetime as dt

from shopops.core.schedule import PeriodicJob, daily

KEEP_DAYS = 90  # job log rows (every job keeps at least its last 10 runs)
KEEP_TASK_DAYS = 7  # finished rows of the task queue (the job log holds what matters)

JOBS = (
    PeriodicJob("jobs_prune", "shopops.jobs.jobs.jobs_prune", daily(3, 30),
                label=("清理任务运行记录", "Prune old job runs")),
)


def jobs_prune(*, scheduled_for: dt.datetime | None = None) -> str:
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from shopops.jobs.models import JobRun

    now = timezone.now()
    keep = set()
    for name in JobRun.objects.values_list("name", flat=True).distinct():
        keep.update(JobRun.objects.filter(name=name).values_list("pk", flat=True)[:10])
    old = JobRun.objects.filter(enqueued_at__lt=now - dt.timedelta(days=KEEP_DAYS)).exclude(
        status__in=[JobRun.Status.QUEUED, JobRun.Status.RUNNING]).exclude(pk__in=keep)
    runs, _ = old.delete()
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=now - dt.timedelta(days=KEEP_TASK_DAYS)).delete()
    return f"deleted {runs} job run(s) older than {KEEP_DAYS} days and {tasks} finished task row(s)"
