"""Callables of toy periodic jobs for tests/jobs (registered by the tests, not by any app)."""

from __future__ import annotations

import datetime as dt
import os

from django.conf import settings

CALLS: list[dt.datetime | None] = []


def ok(*, scheduled_for: dt.datetime | None = None) -> str:
    CALLS.append(scheduled_for)
    if path := os.environ.get("TOY_JOBS_LOG"):  # count the runs of several processes
        with open(path, "a") as fh:
            fh.write(f"{os.getpid()} {scheduled_for.isoformat() if scheduled_for else '-'}\n")
    return f"ok for {scheduled_for:%Y-%m-%d %H:%M %Z}" if scheduled_for else "ok now"


def boom(*, scheduled_for: dt.datetime | None = None) -> str:
    raise OSError(f"cannot open {settings.VAR_DIR}/private/store.duckdb (also /srv/shopops/secret/conf.toml)")
