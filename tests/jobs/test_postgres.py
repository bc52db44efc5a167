"""Several worker processes on one PostgreSQL app DB: each occurrence is fired once and run once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import shopops

SRC = Path(shopops.__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import datetime as dt, os, sys, threading, time
import django
django.setup()
from django.db import connection
from shopops.core.schedule import PeriodicJob, daily, every
from shopops.jobs import registry, services
from shopops.jobs.host import work_pending

jobs = {name: PeriodicJob(name, "support.toy_jobs.ok", schedule) for name, schedule in
        [("toy_daily", daily(7, 0)), ("toy_hourly", every(60)), ("toy_quarter", every(15)), ("toy_six", daily(6, 0))]}
registry.periodic_jobs = lambda: jobs
now = dt.datetime.fromisoformat(sys.argv[1])
start_at = float(sys.argv[2])
fired, ran = [], []
barrier = threading.Barrier(6)

def go():
    barrier.wait()
    while time.time() < start_at:
        time.sleep(0.001)
    try:
        fired.extend(r.name for r in services.scheduler_tick(now=now))
        ran.append(work_pending())
    finally:
        connection.close()

threads = [threading.Thread(target=go) for _ in range(6)]
for t in threads: t.start()
for t in threads: t.join()
print(len(fired), sum(ran))
'''


@pytest.fixture
def app_db(postgres_url):
    """A fresh, migrated PostgreSQL app DB for subprocesses."""
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"shopops_jobs_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
    try:
        yield url
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_processes_with_six_schedulers_and_workers_each_run_every_occurrence_once(app_db, tmp_path):
    import psycopg

    log = tmp_path / "toy-runs.log"
    env = {**os.environ, "SHOPOPS_DATABASE_URL": app_db, "SHOPOPS_VAR_DIR": str(tmp_path / "var"),
           "PYTHONPATH": os.pathsep.join([str(SRC), str(TESTS)]), "DJANGO_SETTINGS_MODULE": "shopops.config.settings",
           "TOY_JOBS_LOG": str(log)}
    migrate = subprocess.run([sys.executable, "-m", "shopops.cli", "manage", "migrate", "--noinput"], env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    start_at = str(time.time() + 6)  # both processes (6 threads each) start ticking at the same instant
    procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, "2026-12-01T07:20:00+08:00", start_at], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-2000:] for o in outs]
    fired, ran = (sum(int(o[0].split()[i]) for o in outs) for i in (0, 1))
    # at 07:20 in Shanghai: daily 07:00, hourly 07:00, quarter 07:15, daily 06:00 -- four occurrences
    assert fired == 4 and ran == 4
    with psycopg.connect(app_db) as con:
        rows = con.execute("SELECT name, scheduled_for AT TIME ZONE 'Asia/Shanghai', status FROM jobs_jobrun "
                           "ORDER BY name").fetchall()
        tasks = con.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult").fetchone()[0]
    assert [(n, f"{t:%H:%M}", s) for n, t, s in rows] == [
        ("toy_daily", "07:00", "succeeded"), ("toy_hourly", "07:00", "succeeded"),
        ("toy_quarter", "07:15", "succeeded"), ("toy_six", "06:00", "succeeded")]
    assert tasks == 4
    assert len(log.read_text().splitlines()) == 4  # each job's code ran exactly once
