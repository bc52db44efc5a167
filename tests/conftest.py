"""Shared test harness: isolated state, warehouse fixtures, PostgreSQL and browser.

Fixtures (see also pytest-django's ``db``, ``client``, ``live_server``, ``settings``):

``warehouse``        function  fresh DuckDB warehouse (temp file) with every canonical table
``any_warehouse``    function  the same, once per engine: ``duckdb``, ``postgres`` and ``spark``
                               (a fresh database per test; the ``postgres`` param is marked
                               ``postgres``)
``online_retail_warehouse``
                     function  the same holding store ``uci``: the Online Retail file, imported once
                               per test run (tests/support/shared_build.py), copied per test
``module_warehouse`` module    one warehouse per engine for a whole module (load once, one test
                               per case: tests/metrics/test_parity.py)
``postgres_url``     session   admin URL of the test server (SHOPOPS_TEST_POSTGRES_URL);
                               using it marks the test ``postgres``
``redis_url``        function  the test Redis (SHOPOPS_TEST_REDIS_URL), emptied and set as
                               SHOPOPS_REDIS_URL
``browser``          session   one headless Debian Chromium driven by Playwright (sync API)
``browser_page``     function  a new context + page in it; using it marks the test ``browser``;
                               a failing test leaves a screenshot in test-artifacts/
``artifacts_dir``    session   test-artifacts/ at the repo root (gitignored), for screenshots

The warehouse fixtures also point ``SHOPOPS_WAREHOUSE_URL`` at the warehouse they
yield, so code under test that calls ``connection.connect()`` sees the same data.

Markers: ``postgres`` and ``browser`` tests are skipped with a reason when the server or
Chromium is missing — and fail instead when ``CI`` is true.

``--appdb-only`` keeps only tests that use the Django app DB (``django_db`` marker,
``db``/``transactional_db``/``live_server`` fixtures) minus browser and Spark tests (the Spark
warehouse does the same whichever the app DB; the first pass runs them) and ``numerical`` tests
(optimizer fits over the warehouse, run twice already under two BLAS settings; what they do in the
app DB, the other tests of their files do there too); ``make test`` runs them a second time with
``SHOPOPS_DATABASE_URL`` on PostgreSQL.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from support import appdb_tables, file_order

REPO_ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"

# ---------------------------------------------------------------------------
# Isolated state. Tests never touch ./var nor the developer's warehouse.
#
# pytest-django imports the settings module *before* this conftest is loaded, so
# VAR_DIR-derived settings were already computed from the environment of the pytest
# process (`make test` exports SHOPOPS_VAR_DIR to a temp dir). Here we set the
# environment for everything read later (the warehouse URL is read at connect time;
# subprocesses inherit it) and re-point the path settings that still sit in ./var.
# ---------------------------------------------------------------------------
_SESSION_TMP = Path(tempfile.mkdtemp(prefix="shopops-tests-"))
atexit.register(shutil.rmtree, _SESSION_TMP, ignore_errors=True)

_repo_var = (REPO_ROOT / "var").resolve()
if not os.environ.get("SHOPOPS_VAR_DIR") or Path(os.environ["SHOPOPS_VAR_DIR"]).resolve() == _repo_var:
    os.environ["SHOPOPS_VAR_DIR"] = str(_SESSION_TMP / "var")
# pytest-xdist (make test runs one worker per core): each worker gets its own var dir, so
# job-server hand-off files, model files and caches of one worker never meet another's.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if _XDIST_WORKER and Path(os.environ["SHOPOPS_VAR_DIR"]).name != _XDIST_WORKER:
    os.environ["SHOPOPS_VAR_DIR"] = str(Path(os.environ["SHOPOPS_VAR_DIR"]) / _XDIST_WORKER)
Path(os.environ["SHOPOPS_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
# Builds shared by the xdist workers (and by both passes of make test, which sets this to a folder of
# its fresh var dir): tests/support/shared_build.py. Otherwise one per pytest run, set here by the
# controller before it starts the workers (they inherit it).
os.environ.setdefault("SHOPOPS_TEST_BUILD_CACHE", str(_SESSION_TMP / "builds"))
# Always a throwaway warehouse: a developer's exported URL must never receive test data.
os.environ["SHOPOPS_WAREHOUSE_URL"] = f"duckdb:///{_SESSION_TMP / 'warehouse.duckdb'}"


def _repoint_var_settings() -> None:
    from django.conf import settings

    if not settings.configured or not hasattr(settings, "VAR_DIR"):
        return
    old = Path(settings.VAR_DIR).resolve()
    new = Path(os.environ["SHOPOPS_VAR_DIR"]).resolve()
    if old != new:
        for name in dir(settings):
            if not name.isupper():
                continue
            value = getattr(settings, name)
            if isinstance(value, Path) and value.resolve().is_relative_to(old):
                setattr(settings, name, new / value.resolve().relative_to(old))


_repoint_var_settings()


def _cheap_password_hashes() -> None:
    """Passwords the tests set are hashed with Django's MD5 hasher (Django's own advice for test speed):
    the production PBKDF2 hasher costs ~0.4 s of CPU per hash, and the suite creates and logs in users
    in hundreds of tests. PBKDF2 stays in the list, so a hash made by a subprocess (``shopops setup-demo``,
    ``createuser``) still verifies. Login, lock-out and permissions behave the same whichever the hasher."""
    from django.conf import settings
    from django.contrib.auth import hashers

    if not settings.configured:
        return
    fast = "django.contrib.auth.hashers.MD5PasswordHasher"
    settings.PASSWORD_HASHERS = [fast, *(h for h in settings.PASSWORD_HASHERS if h != fast)]
    hashers.get_hashers.cache_clear()
    hashers.get_hashers_by_algorithm.cache_clear()


_cheap_password_hashes()


@pytest.fixture(scope="session", autouse=True)
def _static_root() -> None:
    """whitenoise warns on every request when STATIC_ROOT is missing: create the (temp) one."""
    from django.conf import settings

    static_root = getattr(settings, "STATIC_ROOT", None)
    if static_root and Path(static_root).resolve().is_relative_to(Path(os.environ["SHOPOPS_VAR_DIR"]).resolve()):
        Path(static_root).mkdir(parents=True, exist_ok=True)


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Every test starts in the site's default language (zh-Hans): a request in English activates English in its
    thread, and Django leaves it active, so a later test in the same worker would otherwise read English."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _close_flash_sale_writers() -> Iterator[None]:
    """The flash-sale writer pool (promotions/writers.py) keeps connections open across calls: close them
    after each test, or the test database could not be flushed or dropped while they are open."""
    yield
    writers = sys.modules.get("shopops.promotions.writers")
    if writers is not None:
        writers.close_all()


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


IN_CI = _truthy(os.environ.get("CI"))


def _unavailable(reason: str) -> None:
    """Fail in CI, skip locally."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: required)", pytrace=False)
    pytest.skip(reason)


# ---------------------------------------------------------------------------
# Collection: markers from fixtures, --appdb-only
# ---------------------------------------------------------------------------
_APPDB_FIXTURES = {"db", "transactional_db", "live_server", "django_db_reset_sequences", "django_db_serialized_rollback"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--appdb-only",
        action="store_true",
        help="run only tests that use the Django app DB (not browser tests); "
        "make test runs these again on PostgreSQL",
    )
    parser.addoption(
        "--file-seconds",
        metavar="PATH",
        help="write each test file's seconds (setup + call + teardown) and number of tests to PATH as JSON; "
        "tests/file_seconds.json orders the files under --dist loadfile (tests/support/file_order.py)",
    )


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    if config.getvalue("dist") == "loadfile":
        return file_order.LongestFirst(config, log)
    return None


def _uses_appdb(item: pytest.Item) -> bool:
    if item.get_closest_marker("django_db"):
        return True
    return bool(_APPDB_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & {"browser", "browser_page"}:
            item.add_marker(pytest.mark.browser)
        if "postgres_url" in names:
            item.add_marker(pytest.mark.postgres)
    if config.getoption("--appdb-only"):
        where = appdb_tables.folder()
        tables = appdb_tables.recorded(where) if where else {}
        keep, drop = [], []
        for item in items:
            again = (_uses_appdb(item) and not any(item.get_closest_marker(m) for m in ("browser", "spark", "numerical"))
                     and not appdb_tables.login_only(item, tables))
            (keep if again else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
        items[:] = keep


_RECORDER = pytest.StashKey[appdb_tables.Recorder]()


def pytest_configure(config: pytest.Config) -> None:
    seconds = config.getoption("--file-seconds")
    if seconds and not hasattr(config, "workerinput"):  # on the xdist controller (or without xdist)
        config.pluginmanager.register(file_order.Recorder(Path(seconds)), "shopops-file-seconds")
    where = appdb_tables.folder()
    if where is not None and not config.getoption("--appdb-only") and not os.environ.get("SHOPOPS_DATABASE_URL"):
        config.stash[_RECORDER] = appdb_tables.Recorder(where)  # the SQLite pass of make test


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    recorder = item.config.stash.get(_RECORDER, None)
    if recorder is not None:
        recorder.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    recorder = session.config.stash.get(_RECORDER, None)
    if recorder is not None and recorder.tables:
        recorder.save()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("postgres"):
        _require_postgres()
    if item.get_closest_marker("browser"):
        _require_chromium()
    recorder = item.config.stash.get(_RECORDER, None)
    if recorder is not None and _uses_appdb(item):
        recorder.start(item)  # before the test's fixtures: what they write counts


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    # Lets fixtures see in teardown whether the test failed (browser screenshots).
    setattr(item, f"_shopops_report_{report.when}", report)
    return report


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------
_pg_state: dict[str, object] = {}


def _require_postgres() -> str:
    """The test server's URL, or skip (locally) / fail (CI) with the reason."""
    if "url" not in _pg_state:
        url = os.environ.get("SHOPOPS_TEST_POSTGRES_URL", "").strip()
        if not url:
            _pg_state["url"], _pg_state["error"] = None, "SHOPOPS_TEST_POSTGRES_URL is not set"
        else:
            try:
                import psycopg

                with psycopg.connect(url, connect_timeout=5):
                    pass
                _pg_state["url"], _pg_state["error"] = url, None
            except Exception as exc:  # unreachable, bad password, no database…
                _pg_state["url"], _pg_state["error"] = None, f"cannot connect to {_redact(url)}: {exc}".strip()
    if _pg_state["url"] is None:
        _unavailable(f"PostgreSQL not available: {_pg_state['error']}; set SHOPOPS_TEST_POSTGRES_URL (make test does)")
    return str(_pg_state["url"])


def _redact(url: str) -> str:
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + dbname))


def _admin(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=5)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """Admin URL of the PostgreSQL test server (role with CREATEDB)."""
    return _require_postgres()


@pytest.fixture
def redis_url(settings) -> Iterator[str]:
    """The test Redis (SHOPOPS_TEST_REDIS_URL, started by make test), emptied, and set as
    ``SHOPOPS_REDIS_URL`` for the test; skipped locally / failed in CI without one."""
    url = os.environ.get("SHOPOPS_TEST_REDIS_URL", "").strip()
    if not url:
        _unavailable("Redis not available: SHOPOPS_TEST_REDIS_URL is not set (make test starts one)")
    import redis

    if _XDIST_WORKER:  # one Redis database per xdist worker: flushdb must not empty a neighbour's
        url = _redis_db(url, 1 + int(re.sub(r"\D", "", _XDIST_WORKER) or 0))
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        _unavailable(f"Redis not available at {_redact(url)}: {exc}")
    settings.SHOPOPS_REDIS_URL = url
    yield url
    client.flushdb()
    client.close()


def _redis_db(url: str, db: int) -> str:
    """``url`` with Redis database ``db`` (``redis://host/N`` or ``unix:///sock?db=N``)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":  # urlunsplit would drop the empty host (unix:/path): redis-py wants unix:///path
        query = "&".join([q for q in parts.query.split("&") if q and not q.startswith("db=")] + [f"db={db}"])
        return f"unix://{parts.path}?{query}"
    return urlunsplit(parts._replace(path=f"/{db}"))


def _drop_database(admin_url: str, dbname: str) -> None:
    """Drop a test database, its sessions ended. An autovacuum worker busy in it (a fresh database with
    bulk-loaded tables) has no role, and PostgreSQL 15 refuses a non-superuser's FORCE against it
    ("must be a member of the role whose process is being terminated"): the worker ends within
    seconds, so that refusal is retried for up to 30 s before it counts."""
    import time

    import psycopg
    from psycopg import sql

    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
    deadline = time.monotonic() + 30
    with _admin(admin_url) as admin:
        while True:
            try:
                admin.execute(statement)
                return
            except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)


@pytest.fixture(scope="session")
def _postgres_warehouse_template(postgres_url: str) -> Iterator[str]:
    """A database with every canonical table, copied (CREATE DATABASE … TEMPLATE) per test."""
    from psycopg import sql

    from shopops.warehouse import connection, loader

    name = f"shopops_t_tpl_{uuid.uuid4().hex[:10]}"
    with _admin(postgres_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        url = _with_database(postgres_url, name)
        con = connection.connect(url)
        loader.ensure_tables(con)
        # No autovacuum in the copies: a worker busy in a test's freshly loaded database makes its DROP
        # wait (a non-superuser cannot end it, see _drop_database) — it cost up to 30 s per test.
        # Copies inherit the tables' storage parameters; tables a test creates itself keep the default.
        for table in con.list_tables():
            con.raw_sql(f'ALTER TABLE "{table}" SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)')
        connection.disconnect_all()  # a template must have no open connections
        yield name
    finally:
        connection.disconnect_all()
        _drop_database(postgres_url, name)


@pytest.fixture(scope="session")
def _duckdb_warehouse_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DuckDB file with every canonical table, copied per test (faster than DDL each time)."""
    import ibis

    from shopops.warehouse import loader

    path = tmp_path_factory.mktemp("warehouse-template") / "template.duckdb"
    con = ibis.duckdb.connect(str(path))
    try:
        loader.ensure_tables(con)
        con.raw_sql("CHECKPOINT")
    finally:
        con.disconnect()
    return path


def _duckdb_warehouse(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from shopops.warehouse import connection, versions

    path = tmp_path / "warehouse.duckdb"
    shutil.copyfile(template, path)
    url = f"duckdb:///{path}"
    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", url)
    con = connection.connect(url)
    versions.new_epoch(con)  # a copy of the template: its own data version, never the template's
    return con


def _duckdb_warehouse_for_test(template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Fixture body: a copy of ``template`` for one test, disconnected after it."""
    from shopops.warehouse import connection

    con = _duckdb_warehouse(template, tmp_path, monkeypatch)
    try:
        yield con
    finally:
        connection.disconnect_all()


@pytest.fixture
def warehouse(_duckdb_warehouse_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh DuckDB warehouse (Ibis backend) with every canonical table, empty."""
    yield from _duckdb_warehouse_for_test(_duckdb_warehouse_template, tmp_path, monkeypatch)


# The UCI Online Retail file through its saved mapping, as store ``uci`` (tests/support/online_retail.py):
# imported once per test run (tests/support/shared_build.py), each user gets a copy. The import itself
# is checked by tests/ingest/test_online_retail.py, which imports it anew.
@pytest.fixture(scope="session")
def _online_retail_file(_duckdb_warehouse_template: Path) -> Path:
    """The DuckDB file of the shared Online Retail import (read-only: copy it before use)."""
    from support.online_retail import ONLINE_RETAIL, online_retail_import
    from support.shared_build import shared_build

    if not ONLINE_RETAIL.exists():
        pytest.skip(f"real data not present at {ONLINE_RETAIL}")
    import ibis

    def build(out: Path) -> None:
        shutil.copyfile(_duckdb_warehouse_template, out / "warehouse.duckdb")
        con = ibis.duckdb.connect(str(out / "warehouse.duckdb"))
        try:
            online_retail_import(con)
            con.raw_sql("CHECKPOINT")
        finally:
            con.disconnect()

    return shared_build("online-retail", build) / "warehouse.duckdb"


@pytest.fixture
def online_retail_warehouse(_online_retail_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Like ``warehouse``, holding store ``uci`` with the Online Retail file imported."""
    yield from _duckdb_warehouse_for_test(_online_retail_file, tmp_path, monkeypatch)


SPARK_URL = "pyspark://local[2]?database=shopops_test"


@pytest.fixture(scope="session")
def _spark_warehouse():
    """One Spark session per test run (it takes ~10 s to start); tables emptied per test."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        _unavailable("Spark not available: pyspark is not installed")
    if shutil.which("java") is None:
        _unavailable("Spark not available: no java on PATH (scripts/system-deps.sh spark)")
    from shopops.warehouse import connection

    os.environ.setdefault("SHOPOPS_SPARK_WAREHOUSE", str(_SESSION_TMP / "spark-warehouse"))
    # a few hundred rows per test: one task per shuffle stage instead of four (the production default)
    os.environ.setdefault("SHOPOPS_SPARK_PARTITIONS", "1")
    return connection.connect(SPARK_URL)


def _spark_tables_with_data(con, names) -> list[str]:
    """Of ``names``, the tables of the Spark test database that may hold rows: a managed table whose
    directory under the warehouse holds no data file is empty and needs no TRUNCATE (each TRUNCATE is a
    metastore round trip of ~0.1 s; most tests write two or three of the ~30 tables). A table whose
    directory is not where a managed table's is gets truncated anyway."""
    root = Path(con._session.conf.get("spark.sql.warehouse.dir").removeprefix("file:"))
    database = SPARK_URL.rsplit("database=", 1)[1]
    out = []
    for name in names:
        folder = root / f"{database}.db" / name.lower()
        if not folder.is_dir() or any(not f.startswith((".", "_")) for _d, _s, files in os.walk(folder) for f in files):
            out.append(name)
    return out


ENGINES = [
    "duckdb",
    pytest.param("postgres", marks=pytest.mark.postgres),
    pytest.param("spark", marks=pytest.mark.spark),
]


@contextlib.contextmanager
def _any_warehouse(engine: str, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from shopops.warehouse import connection

    if engine == "spark":
        con = request.getfixturevalue("_spark_warehouse")
        from shopops.warehouse import versions
        from shopops.warehouse.schema import ROLLUP_TABLES, TABLES

        for name in _spark_tables_with_data(con, [*TABLES, versions.DATA_VERSIONS.name, *ROLLUP_TABLES]):
            con._session.sql(f"TRUNCATE TABLE `{name}`")
        versions.new_epoch(con)  # emptied by hand: no cached result of the last test may be reused
        monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", SPARK_URL)
        yield con
        return
    if engine == "duckdb":
        con = _duckdb_warehouse(request.getfixturevalue("_duckdb_warehouse_template"), tmp_path, monkeypatch)
        try:
            yield con
        finally:
            connection.disconnect_all()
        return

    from psycopg import sql

    admin_url = request.getfixturevalue("postgres_url")
    template = request.getfixturevalue("_postgres_warehouse_template")
    name = f"shopops_t_{uuid.uuid4().hex[:12]}"
    with _admin(admin_url) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
    url = _with_database(admin_url, name)
    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", url)
    try:
        con = connection.connect(url)
        from shopops.warehouse import versions

        versions.new_epoch(con)  # a copy of the template: its own data version
        yield con
    finally:
        connection.disconnect_all()
        _drop_database(admin_url, name)


@pytest.fixture(params=ENGINES)
def any_warehouse(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh warehouse with every canonical table, on each engine in turn."""
    with _any_warehouse(request.param, request, tmp_path, monkeypatch) as con:
        yield con


@pytest.fixture(scope="module", params=ENGINES)
def module_warehouse(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """Like ``any_warehouse``, but one per engine for a whole test module (load once, check per case)."""
    with pytest.MonkeyPatch.context() as monkeypatch, _any_warehouse(
            request.param, request, tmp_path_factory.mktemp("warehouse"), monkeypatch) as con:
        yield con


# ---------------------------------------------------------------------------
# Browser
# ---------------------------------------------------------------------------
CHROMIUM = os.environ.get("SHOPOPS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _require_chromium() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"Chromium not available at {CHROMIUM} (Debian: apt-get install chromium; scripts/system-deps.sh test)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        _unavailable(f"Python Playwright not installed: {exc}")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    _require_chromium()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop on the main thread; Django would then
    # refuse ORM calls made by the test body ("SynchronousOnlyOperation").
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    try:
        try:
            instance = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        except Exception as exc:
            _unavailable(f"Chromium at {CHROMIUM} did not start: {exc}")
        try:
            yield instance
        finally:
            instance.close()
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(browser, request: pytest.FixtureRequest, artifacts_dir: Path):
    """A page in a fresh browser context (own cookies); screenshot on failure."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        report = getattr(request.node, "_shopops_report_call", None)
        if report is not None and report.failed:
            slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid).strip("_")
            try:
                page.screenshot(path=str(artifacts_dir / f"FAILED-{slug}.png"), full_page=True)
            except Exception:  # the page may be gone; never mask the real failure
                pass
        context.close()


@pytest.fixture
def jobs_worker(settings):
    """The jobs worker ``shopops serve`` hosts, as a thread of the test process (no scheduler):
    what the web queues (imports, reports: Django tasks) runs on it, as in production."""
    from shopops.jobs.host import Host

    settings.SHOPOPS_TASKS_IMMEDIATE = False
    host = Host(scheduler=False, worker=True, interval=0.2).start()
    try:
        yield host
    finally:
        host.stop()
