"""Expensive test inputs built once per test run, shared by every pytest-xdist worker and by both
passes of ``make test`` (SQLite, then the app DB on PostgreSQL).

``shared_build(key, build)`` returns a directory ``<cache>/<key>/``: the first process to ask fills
it by calling ``build(directory)`` while holding an exclusive lock (``fcntl.flock``); the others wait
for the lock and find it done (a ``.done`` marker written last, so a build that failed half-way is
redone, not reused). The caller then reads the directory and copies what it will write to (a DuckDB
file is copied per worker: one process at a time may open it for writing).

The cache is ``$SHOPOPS_TEST_BUILD_CACHE``: ``make test`` sets it to a folder of its fresh var dir
(one per run, removed with it), so builds never outlive the code that made them. Without it,
``tests/conftest.py`` sets it per pytest run (its session temp dir, inherited by the xdist workers).
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path


def cache_root() -> Path:
    root = Path(os.environ["SHOPOPS_TEST_BUILD_CACHE"])
    root.mkdir(parents=True, exist_ok=True)
    return root


def shared_build(key: str, build: Callable[[Path], None]) -> Path:
    """The directory of ``key``'s build, made by ``build(directory)`` the first time any process asks."""
    root = cache_root()
    target = root / key
    with open(root / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (target / ".done").exists():
                shutil.rmtree(target, ignore_errors=True)  # a half-made build (an earlier build raised)
                target.mkdir(parents=True)
                build(target)
                (target / ".done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def copy_duckdb(built: Path, to: Path) -> Path:
    """A copy of a built DuckDB file (closed by its builder: no write-ahead log left beside it)."""
    assert not Path(f"{built}.wal").exists(), f"{built} was not closed by its build"
    shutil.copyfile(built, to)
    return to


def demo_warehouse(key: str, template: Path, to: Path, django_db_blocker, **demo_build_args) -> str:
    """URL of this process's copy of a warehouse holding ``demo_build(**demo_build_args)`` (the demo as
    ``setup-demo`` imports it), built once per test run from the empty ``template``. The import jobs the
    build records in the app DB are deleted again (the facts stay; the rows would leak into tests)."""
    import pytest

    from shopops.demo.services import demo_build
    from shopops.ingest.models import ImportJob
    from shopops.warehouse import connection

    def build(out: Path) -> None:
        path = out / "warehouse.duckdb"
        shutil.copyfile(template, path)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SHOPOPS_WAREHOUSE_URL", f"duckdb:///{path}")
            with django_db_blocker.unblock():
                before = ImportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                demo_build(**demo_build_args)
                ImportJob.objects.filter(pk__gt=before).delete()
            connection.disconnect_all()

    return f"duckdb:///{copy_duckdb(shared_build(key, build) / 'warehouse.duckdb', to)}"
