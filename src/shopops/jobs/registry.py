"""The periodic jobs of every installed app: ``<app>/jobs.py`` declares ``JOBS = (PeriodicJob(...),)``,
and the background tasks it queues from the web ``TASKS = (BackgroundTask(...),)``.

The only door between the jobs app and the domain apps: apps import nothing of ``shopops.jobs``
(their declarations are ``shopops.core.schedule`` data), and the jobs app reaches an app's code only
through the dotted paths declared here.
"""

from __future__ import annotations

import importlib
import importlib.util
from functools import cache

from django.apps import apps

from shopops.core.schedule import BackgroundTask, PeriodicJob


def _declarations():
    for config in apps.get_app_configs():
        module_name = f"{config.name}.jobs"
        if importlib.util.find_spec(module_name) is not None:
            yield importlib.import_module(module_name)


@cache
def background_tasks() -> dict[str, BackgroundTask]:
    """Task path -> declaration, for every app's ``TASKS``."""
    return {t.path: t for module in _declarations() for t in getattr(module, "TASKS", ())}


@cache
def periodic_jobs() -> dict[str, PeriodicJob]:
    found: dict[str, PeriodicJob] = {}
    for module in _declarations():
        for job in getattr(module, "JOBS", ()):
            if job.name in found:
                raise ValueError(f"periodic job {job.name!r} is declared twice ({found[job.name].callable}, {job.callable})")
            found[job.name] = job
    return found


def periodic_job(name: str) -> PeriodicJob | None:
    return periodic_jobs().get(name)
