"""Which app-DB tables each test touched, so that ``make test``'s PostgreSQL pass re-runs what PostgreSQL
can change.

The PostgreSQL pass re-runs the tests that use the Django app DB with the app DB on PostgreSQL. Many of them
use it only to log a user in (a page test whose subject is the DuckDB warehouse): on PostgreSQL they would
exercise the same few auth, session and role queries that hundreds of other tests exercise there, and
recompute the same warehouse pages. So the SQLite pass records, per test, the app tables its queries named
(setup and call, the main thread's connection), in ``$SHOPOPS_TEST_APPDB_TABLES/<worker>.json``; the
PostgreSQL pass (``--appdb-only``) leaves out the tests whose queries named **only the login tables**
below. Kept whatever the record says: a test using ``transactional_db`` / ``live_server`` (other threads'
connections are not recorded, and commits and locks are what PostgreSQL changes most), a test of the login
tables themselves (``tests/team/``), and a test with no record (a new test, a narrower first pass).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import pytest

ENV = "SHOPOPS_TEST_APPDB_TABLES"
# A test whose queries named only these is not run again on PostgreSQL.
LOGIN_TABLES = frozenset({
    "auth_user", "auth_group", "auth_permission", "auth_group_permissions", "auth_user_groups",
    "auth_user_user_permissions", "django_session", "django_content_type", "team_moduleaccess",
})
ALWAYS_AGAIN = frozenset({"transactional_db", "live_server", "django_db_reset_sequences",
                          "django_db_serialized_rollback"})
SUBJECT_IS_LOGIN = ("tests/team/",)
_QUOTED = re.compile(r'"(\w+)"')


def folder() -> Path | None:
    value = os.environ.get(ENV, "").strip()
    return Path(value) if value else None


def always_again(item: pytest.Item) -> bool:
    if item.nodeid.startswith(SUBJECT_IS_LOGIN):
        return True
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")
                               or marker.kwargs.get("serialized_rollback")):
        return True
    return bool(ALWAYS_AGAIN & set(getattr(item, "fixturenames", ())))


class Recorder:
    """Installed for the SQLite pass: the app tables each test's queries name (quoted identifiers)."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.tables: dict[str, list[str]] = {}
        self._current: tuple[str, set[str], contextlib.ExitStack] | None = None
        self._known: frozenset[str] | None = None

    def _names(self) -> frozenset[str]:
        if self._known is None:
            from django.db import connection

            self._known = frozenset(connection.introspection.django_table_names(include_views=False))
        return self._known

    def start(self, item: pytest.Item) -> None:
        from django.db import connection

        names, seen, stack = self._names(), set(), contextlib.ExitStack()

        def wrapper(execute, sql, params, many, context):
            seen.update(t for t in _QUOTED.findall(sql) if t in names)
            return execute(sql, params, many, context)

        stack.enter_context(connection.execute_wrapper(wrapper))
        self._current = (item.nodeid, seen, stack)

    def stop(self) -> None:
        if self._current is not None:
            nodeid, seen, stack = self._current
            stack.close()
            self.tables[nodeid] = sorted(seen)
            self._current = None

    def save(self) -> None:
        self.out.mkdir(parents=True, exist_ok=True)
        name = os.environ.get("PYTEST_XDIST_WORKER") or "main"
        (self.out / f"{name}.json").write_text(json.dumps(self.tables), encoding="utf-8")


def recorded(where: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in sorted(where.glob("*.json")):
        out.update(json.loads(path.read_text(encoding="utf-8")))
    return out


def login_only(item: pytest.Item, tables: dict[str, list[str]]) -> bool:
    """Recorded in the SQLite pass as touching no app table but the login ones (see the module docstring)."""
    seen = tables.get(item.nodeid)
    return seen is not None and not always_again(item) and set(seen) <= LOGIN_TABLES
