"""The one task of the jobs app, for the Django Tasks worker (database backend in every deployment:
``shopops serve`` hosts a worker thread; ``shopops worker`` is a process of its own)."""

from __future__ import annotations

from django_tasks import task

from shopops.jobs.execution import job_run_execute


@task()
def job_run_task(run_id: int) -> str:
    run = job_run_execute(run_id=run_id)
    return run.status if run else "taken"
