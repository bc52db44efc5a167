"""Settings, all from the environment.

SHOPOPS_DATABASE_URL   app DB (default: SQLite at ./var/shopops.sqlite3)
SHOPOPS_WAREHOUSE_URL  warehouse (default: DuckDB at $SHOPOPS_VAR_DIR/warehouse.duckdb, ./var/ by default)
SHOPOPS_TIME_ZONE      store time zone (default: Asia/Shanghai)
SHOPOPS_SECRET_KEY     secret key (default: generated once into ./var/secret_key)
SHOPOPS_PII_KEY        key of the hashed phones (default: ./var/pii_salt, with a deploy warning)
SHOPOPS_DEBUG          1 for debug pages
SHOPOPS_ALLOWED_HOSTS  comma-separated host names
SHOPOPS_VAR_DIR        where local state lives (default: ./var)
Security and deployment (HTTPS, cookies, HSTS, proxy, CSP, login throttling, demo mode):
see the delimited block at the end of this file and docs/deploy.md.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHOPOPS_VAR_DIR", "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _local_secret(env: str, file_name: str) -> str:
    """From the environment, else generated once for this installation under var/."""
    if value := os.environ.get(env):
        return value
    path = VAR_DIR / file_name
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _local_secret("SHOPOPS_SECRET_KEY", "secret_key")
# Key of the hashed personal identifiers (phones, HMAC-SHA256) that link a customer across
# channels. Production: set SHOPOPS_PII_KEY in the environment, kept apart from the data
# (not under var/, not in backups of var/): with the key beside the hashes each phone could
# be recovered by trying the numbers of its prefix. Without it (a first `make run`), the
# installation's key file var/pii_salt is used (SHOPOPS_PII_SALT, the name of earlier
# versions, overrides it) and `manage.py check --deploy` warns. Keep it stable: changing it
# breaks the links of customers imported before (docs/security.md).
SHOPOPS_PII_KEY = os.environ.get("SHOPOPS_PII_KEY", "")
SHOPOPS_PII_KEY_FROM_ENV = bool(SHOPOPS_PII_KEY)
if not SHOPOPS_PII_KEY:
    SHOPOPS_PII_KEY = _local_secret("SHOPOPS_PII_SALT", "pii_salt")
DEBUG = os.environ.get("SHOPOPS_DEBUG", "0") == "1"
ALLOWED_HOSTS = os.environ.get("SHOPOPS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "shopops.team",
    "shopops.ui",
    "shopops.metrics",
    "shopops.ingest",
    "shopops.customers",
    "shopops.audience",
    "shopops.promotions",
    "shopops.inventory",
    "shopops.service",
    "shopops.campaigns",
    "shopops.insights",
    "shopops.reports",
    "shopops.jobs",
    "shopops.web",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "shopops.web.middleware.CookieLocaleMiddleware",
    "shopops.web.middleware.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shopops.config.api.ApiErrorShapeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shopops.web.middleware.WarehouseUnavailableMiddleware",
]

ROOT_URLCONF = "shopops.config.urls"
WSGI_APPLICATION = "shopops.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "shopops.web.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("SHOPOPS_DATABASE_URL", f"sqlite:///{VAR_DIR / 'shopops.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several web threads write at once (coupon claims, check-ins): WAL lets readers go on
    # while one writes; IMMEDIATE transactions take the write lock when they begin, so a
    # transaction never fails half-way upgrading a read lock ("database is locked");
    # a writer waits up to SHOPOPS_SQLITE_TIMEOUT seconds (default 20) for its turn.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": float(os.environ.get("SHOPOPS_SQLITE_TIMEOUT", "20")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    })
    # tests run on a file too: an in-memory database shares one cache whose table locks
    # ignore the timeout, which would hide how the real file behaves under concurrency
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(VAR_DIR / "test_shopops.sqlite3"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("SHOPOPS_TIME_ZONE", "Asia/Shanghai")
SHOPOPS_TIME_ZONE = TIME_ZONE

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:cockpit"
LOGOUT_REDIRECT_URL = "login"

SHOPOPS_ARCHIVE_DIR = VAR_DIR / "archive"
# raw import files (they hold buyer names, addresses, phones) are deleted this many days after
# their latest import; 0: as soon as the import finishes
SHOPOPS_ARCHIVE_DAYS = float(os.environ.get("SHOPOPS_ARCHIVE_DAYS", "7"))

# Uploads (the import pages): files of one request above SHOPOPS_UPLOAD_MAX_BYTES (default
# 1 GiB) are stopped while they stream in, with a clear message (shopops.ingest.uploads);
# other form bodies are capped by Django's DATA_UPLOAD_MAX_MEMORY_SIZE. Files above
# FILE_UPLOAD_MAX_MEMORY_SIZE go to a temporary file, not memory. What a compressed upload may
# unpack to: SHOPOPS_IMPORT_MAX_UNCOMPRESSED_BYTES / SHOPOPS_IMPORT_MAX_RATIO (ingest/readers.py).
SHOPOPS_UPLOAD_MAX_BYTES = int(os.environ.get("SHOPOPS_UPLOAD_MAX_BYTES", str(1 << 30)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("SHOPOPS_DATA_UPLOAD_MAX_MEMORY_SIZE", str(5 << 20)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 << 20
FILE_UPLOAD_HANDLERS = [
    "shopops.ingest.uploads.UploadSizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# Background jobs: the Django Tasks API with its database backend (the queue lives in the app DB).
# `shopops serve` hosts the worker and the scheduler (docs/jobs.md); `shopops worker` runs them apart.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# 0 turns off the scheduler that `shopops serve` hosts (when `shopops worker` processes run it).
SHOPOPS_SCHEDULER = os.environ.get("SHOPOPS_SCHEDULER", "1") == "1"

# Optional: a Redis server (redis://… or unix://…) in front of flash-sale reservations; it
# refuses sold-out and over-limit attempts without a database round trip. PostgreSQL stays
# the record (docs/promotions.md, "Flash sales").
SHOPOPS_REDIS_URL = os.environ.get("SHOPOPS_REDIS_URL", "").strip()
# With the gate: once Redis said a sale is sold out, this process refuses it on its own for up to
# this many seconds, or until a restock message (release, expiry) arrives; 0 turns it off.
SHOPOPS_FLASH_MEMO_SECONDS = float(os.environ.get("SHOPOPS_FLASH_MEMO_SECONDS", "1.0"))

# The cache of warehouse results (metrics.cache: keyed by data version, docs/deploy.md). Process-local
# memory by default, large enough for every page of a few stores and periods (Django's default of
# 300 entries culled a third of the pages' results at random); SHOPOPS_CACHE_URL (redis://…) shares
# one between the web server, workers and the CLI, so a warm-up in the worker serves the web.
SHOPOPS_CACHE_URL = os.environ.get("SHOPOPS_CACHE_URL", "").strip()
CACHES = {"default": (
    {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": SHOPOPS_CACHE_URL}
    if SHOPOPS_CACHE_URL else
    {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
     "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("SHOPOPS_CACHE_ENTRIES", "5000"))}}
)}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SHOPOPS_LOG_LEVEL", "WARNING")},
}

# Static files are served by WhiteNoise straight from the apps' static folders
# (vendored npm assets included), so `shopops serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# === security & deployment (issue 14, web side) ========================================
# Everything a production deployment sets comes from the environment; docs/deploy.md lists
# the production values, and `manage.py check --deploy` is clean with them (a test runs it).


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


# Served over HTTPS (directly or behind a TLS-terminating proxy): secure cookies, HSTS, redirect.
SHOPOPS_HTTPS = _env_flag("SHOPOPS_HTTPS")
SESSION_COOKIE_SECURE = SHOPOPS_HTTPS
CSRF_COOKIE_SECURE = SHOPOPS_HTTPS
SECURE_SSL_REDIRECT = _env_flag("SHOPOPS_SSL_REDIRECT", SHOPOPS_HTTPS)
SECURE_HSTS_SECONDS = int(os.environ.get("SHOPOPS_HSTS_SECONDS") or (31_536_000 if SHOPOPS_HTTPS else 0))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("SHOPOPS_HSTS_INCLUDE_SUBDOMAINS", SHOPOPS_HTTPS)
SECURE_HSTS_PRELOAD = _env_flag("SHOPOPS_HSTS_PRELOAD")
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (nginx, Caddy): trust that header.
SHOPOPS_BEHIND_PROXY = _env_flag("SHOPOPS_BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SHOPOPS_BEHIND_PROXY else None
# The public origins POSTs come from (https://ops.example.com): needed behind a TLS proxy.
CSRF_TRUSTED_ORIGINS = _env_list("SHOPOPS_CSRF_TRUSTED_ORIGINS")
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SHOPOPS_SESSION_SECONDS") or 12 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Content-Security-Policy (web.middleware.ContentSecurityPolicyMiddleware): no inline script,
# nothing from other origins. "off" disables it; SHOPOPS_CSP_REPORT_ONLY=1 only reports.
SHOPOPS_CSP_DEFAULT = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SHOPOPS_CSP = os.environ.get("SHOPOPS_CSP", SHOPOPS_CSP_DEFAULT).strip()
SHOPOPS_CSP_REPORT_ONLY = _env_flag("SHOPOPS_CSP_REPORT_ONLY")
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "shopops.web.middleware.ContentSecurityPolicyMiddleware")
# the API docs page from django-ninja's own static files (its fallback loads Swagger from a CDN with inline script)
INSTALLED_APPS.append("ninja")

# Login throttling (team.services.login_*): this many failures for one username from one
# address within the window lock that pair out for the lockout time. Kept in the app DB,
# so every thread and process sees the same count.
SHOPOPS_LOGIN_MAX_FAILURES = int(os.environ.get("SHOPOPS_LOGIN_MAX_FAILURES") or 5)
SHOPOPS_LOGIN_WINDOW_SECONDS = int(os.environ.get("SHOPOPS_LOGIN_WINDOW_SECONDS") or 15 * 60)
SHOPOPS_LOGIN_LOCKOUT_SECONDS = int(os.environ.get("SHOPOPS_LOGIN_LOCKOUT_SECONDS") or 15 * 60)

# The login page shows the demo login only when the demo was set up on this installation
# (var/demo_ready) AND the server runs in demo mode (`make run` sets SHOPOPS_DEMO_MODE=1) or DEBUG.
SHOPOPS_DEMO_MODE = _env_flag("SHOPOPS_DEMO_MODE")
# === end of security & deployment ======================================================
