"""The scheduler and the worker, as threads of the process that hosts them.

``shopops serve`` hosts both next to the web threads (the embedded deployment: DuckDB has one
writing process, so jobs must run inside the server). ``shopops worker`` hosts them without the web
server (PostgreSQL/Spark deployments: run one or more; each occurrence still runs once, the job
log's unique (job, scheduled_for) sees to that, and the task queue hands each task to one worker).
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connections

from shopops.jobs import services

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0
_workers_here = 0  # worker threads hosted by this process


def worker_running() -> bool:
    """Whether this process hosts a job worker (the CLI hand-off queues for it, else runs inline)."""
    return _workers_here > 0


class Host:
    def __init__(self, *, scheduler: bool = True, worker: bool = True, interval: float = 1.0) -> None:
        self.scheduler, self.worker, self.interval = scheduler, worker, interval
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._worker = None

    def start(self) -> Host:
        close_old_connections()
        try:
            if count := services.job_runs_interrupted_fail():
                log.warning("jobs: marked %d interrupted run(s) failed", count)
        finally:
            connections.close_all()
        if self.worker:
            self._threads.append(threading.Thread(target=self._work, name="shopops-jobs-worker", daemon=True))
        if self.scheduler:
            self._threads.append(threading.Thread(target=self._schedule, name="shopops-jobs-scheduler", daemon=True))
        for thread in self._threads:
            thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.running = False
        for thread in self._threads:
            thread.join(timeout)

    def join(self) -> None:
        while any(t.is_alive() for t in self._threads):
            for thread in self._threads:
                thread.join(1.0)

    def _schedule(self) -> None:
        while not self._stop.is_set():
            close_old_connections()
            try:
                for run in services.scheduler_tick():
                    log.info("jobs: fired %s for %s", run.name, run.scheduled_for)
            except Exception:  # noqa: BLE001 - the scheduler keeps ticking; the next tick retries
                log.exception("jobs: scheduler tick failed")
            finally:
                connections.close_all()
            self._stop.wait(TICK_SECONDS)

    def _work(self) -> None:
        global _workers_here
        from django_tasks_db.management.commands.db_worker import Worker

        _workers_here += 1

        self._worker = Worker(queue_names=["default"], interval=self.interval, batch=False, backend_name="default",
                              startup_delay=False, max_tasks=None, worker_id=services.WORKER_ID,
                              excluded_queue_names=[])
        while not self._stop.is_set():
            try:
                self._worker.run()
            except Exception:  # noqa: BLE001 - e.g. the app DB restarting: wait, then poll again
                log.exception("jobs: worker loop failed; restarting in 5 s")
                self._stop.wait(5.0)
            finally:
                connections.close_all()


def work_pending() -> int:
    """Run every queued task in this thread, then return how many ran (tests, ``shopops worker --batch``)."""
    from django_tasks_db.management.commands.db_worker import Worker

    worker = Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
                    max_tasks=None, worker_id=services.WORKER_ID, excluded_queue_names=[])
    worker.run()
    return worker._run_tasks
