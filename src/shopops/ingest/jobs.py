"""Background tasks of ingest the jobs page lists (found by ``shopops.jobs``; see docs/jobs.md).
No periodic job: imports from cron are handed to the server by the CLI."""

from __future__ import annotations

from shopops.core.schedule import BackgroundTask

TASKS = (
    BackgroundTask("shopops.ingest.tasks.import_job_task", label=("文件导入", "File import")),
)
