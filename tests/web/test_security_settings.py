"""Deployment settings, Content-Security-Policy, login throttling and the API docs (issue 14).

* ``manage.py check --deploy`` is clean with the production environment documented in
  docs/deploy.md (run in a subprocess, as a deployment would) — and not without it.
* Every page carries the CSP; no template has an inline script or event handler.
* Too many failed logins for one username from one address lock that pair out for a while,
  across threads; the right password does not get in while locked.
* /api/docs and the OpenAPI schema need a login.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from shopops.core.roles import Role
from shopops.team.models import LoginFailure
from shopops.team.services import role_groups_sync, user_create
from support.threads import in_threads

REPO_ROOT = Path(__file__).resolve().parents[2]
SRC = REPO_ROOT / "src"
PASSWORD = "a-long-test-password"


def production_environment() -> dict[str, str]:
    """The variables docs/deploy.md lists for production, read from the document itself."""
    text = (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- production-env -->\s*```sh\n(.*?)```", text, re.S)
    assert block, "docs/deploy.md: no production environment block"
    env = {}
    for line in block.group(1).splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, value = line.partition("=")
            env[name] = value.strip().strip('"')
    return env


def run_check_deploy(extra: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    # a clean deployment environment: none of this test run's settings (the browser fixture sets
    # DJANGO_ALLOW_ASYNC_UNSAFE, which check --deploy rightly refuses)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SHOPOPS_", "DJANGO_"))}
    env.update(PYTHONPATH=str(SRC), SHOPOPS_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="shopops.config.settings")
    env.update(extra)
    return subprocess.run([sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
                          env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_documented_production_environment(tmp_path):
    env = production_environment()
    assert {"SHOPOPS_HTTPS", "SHOPOPS_BEHIND_PROXY", "SHOPOPS_ALLOWED_HOSTS", "SHOPOPS_CSRF_TRUSTED_ORIGINS",
            "SHOPOPS_SECRET_KEY", "SHOPOPS_PII_KEY"} <= set(env)
    for secret in ("SHOPOPS_SECRET_KEY", "SHOPOPS_PII_KEY"):  # the document shows placeholders
        if env.get(secret, "").startswith("change-me"):
            env[secret] = secrets.token_urlsafe(50)
    done = run_check_deploy(env, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_warns_without_it(tmp_path):
    done = run_check_deploy({"SHOPOPS_SECRET_KEY": secrets.token_urlsafe(50)}, tmp_path)
    assert done.returncode != 0
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in done.stdout + done.stderr


def test_production_settings_come_from_the_environment(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPOPS_")}
    env.update(PYTHONPATH=str(SRC), SHOPOPS_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="shopops.config.settings",
               SHOPOPS_HTTPS="1", SHOPOPS_BEHIND_PROXY="1", SHOPOPS_CSRF_TRUSTED_ORIGINS="https://ops.example.com",
               SHOPOPS_ALLOWED_HOSTS="ops.example.com", SHOPOPS_CSP="default-src 'none'")
    code = ("from django.conf import settings as s; import django; django.setup(); "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_PROXY_SSL_HEADER, s.CSRF_TRUSTED_ORIGINS, s.ALLOWED_HOSTS, s.SHOPOPS_CSP, sep='|')")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().split("|") == [
        "True", "True", "31536000", "True", "('HTTP_X_FORWARDED_PROTO', 'https')", "['https://ops.example.com']",
        "['ops.example.com']", "default-src 'none'"]


@pytest.mark.django_db
def test_a_post_through_the_tls_proxy_passes_the_csrf_origin_check(client, settings):
    """Behind the proxy the browser's Origin is https://ops.example.com while Django sees http: trusted origins fix it."""
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.CSRF_TRUSTED_ORIGINS = ["https://ops.example.com"]
    settings.ALLOWED_HOSTS = ["ops.example.com"]
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/login/", HTTP_HOST="ops.example.com", HTTP_X_FORWARDED_PROTO="https")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    r = browser.post("/login/", {"csrfmiddlewaretoken": token, "username": "x", "password": "y"},
                     HTTP_HOST="ops.example.com", HTTP_X_FORWARDED_PROTO="https", HTTP_ORIGIN="https://ops.example.com",
                     HTTP_REFERER="https://ops.example.com/login/")
    assert r.status_code == 200  # the form again (wrong password), not a 403 CSRF failure
    evil = browser.post("/login/", {"csrfmiddlewaretoken": token, "username": "x", "password": "y"},
                        HTTP_HOST="ops.example.com", HTTP_X_FORWARDED_PROTO="https", HTTP_ORIGIN="https://evil.example")
    assert evil.status_code == 403


# ---------------------------------------------------------------------------
# Content-Security-Policy
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_every_response_carries_the_csp(client, settings):
    r = client.get("/login/")
    policy = r["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy and "frame-ancestors 'none'" in policy
    settings.SHOPOPS_CSP = "default-src 'self'"
    settings.SHOPOPS_CSP_REPORT_ONLY = True
    r = client.get("/login/")
    assert r["Content-Security-Policy-Report-Only"] == "default-src 'self'" and "Content-Security-Policy" not in r
    settings.SHOPOPS_CSP = "off"
    assert "Content-Security-Policy-Report-Only" not in client.get("/login/")


def test_no_template_has_inline_script_or_event_handlers():
    offenders = []
    for path in SRC.glob("shopops/**/templates/**/*.html"):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag:
                offenders.append(f"{path.relative_to(SRC)}: {tag}")
        offenders += [f"{path.relative_to(SRC)}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
        offenders += [f"{path.relative_to(SRC)}: {m}" for m in re.findall(r"javascript:", text)]
    assert offenders == []


# ---------------------------------------------------------------------------
# login throttling
# ---------------------------------------------------------------------------
@pytest.fixture
def director(db):
    role_groups_sync()
    return user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)


@pytest.mark.django_db
def test_failed_logins_lock_the_username_from_that_address(client, director, settings):
    settings.SHOPOPS_LOGIN_MAX_FAILURES = 5
    for _ in range(5):
        r = client.post(reverse("login"), {"username": "director", "password": "guess"})
        assert r.status_code == 200
    locked = client.post(reverse("login"), {"username": "Director ", "password": PASSWORD})
    assert locked.status_code == 429
    assert "data-login-locked" in locked.content.decode() and "分钟" in locked.content.decode()
    assert "_auth_user_id" not in client.session  # the right password does not get in while locked
    # while locked the password is not even tried: no authentication happens at all
    from django.contrib.auth.signals import user_login_failed

    tried = []
    user_login_failed.connect(lambda **kw: tried.append(kw), weak=False, dispatch_uid="t-lock")
    try:
        assert client.post(reverse("login"), {"username": "director", "password": "guess"}).status_code == 429
    finally:
        user_login_failed.disconnect(dispatch_uid="t-lock")
    assert tried == []
    # another address is not locked out by this one's guesses
    other = client.post(reverse("login"), {"username": "director", "password": PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 302


@pytest.mark.django_db
def test_the_lock_ends_and_a_success_clears_the_count(client, director, settings):
    import datetime as dt

    from django.utils import timezone

    settings.SHOPOPS_LOGIN_MAX_FAILURES = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "director", "password": "guess"})
    assert client.post(reverse("login"), {"username": "director", "password": PASSWORD}).status_code == 429
    # the lock is 15 minutes from the last failure: age the failures past it
    LoginFailure.objects.update(at=timezone.now() - dt.timedelta(seconds=settings.SHOPOPS_LOGIN_LOCKOUT_SECONDS + 1))
    assert client.post(reverse("login"), {"username": "director", "password": PASSWORD}).status_code == 302
    assert not LoginFailure.objects.filter(username="director").exists()


@pytest.mark.django_db(transaction=True)
def test_failures_from_many_threads_count_together(director, settings):
    """PostgreSQL (SQLite serialises writers): 16 threads guessing at once all count, so the pair is locked."""
    if connection.vendor != "postgresql":
        pytest.skip(f"concurrency is tested on PostgreSQL; the app DB here is {connection.vendor}")
    from django.test import Client

    settings.SHOPOPS_LOGIN_MAX_FAILURES = 5

    def guess(k: int) -> int:
        return Client().post(reverse("login"), {"username": "director", "password": f"guess{k}"}).status_code

    statuses = in_threads(16, guess)
    assert set(statuses) <= {200, 429}
    assert LoginFailure.objects.filter(username="director").count() >= 5
    assert Client().post(reverse("login"), {"username": "director", "password": PASSWORD}).status_code == 429


# ---------------------------------------------------------------------------
# API docs
# ---------------------------------------------------------------------------
@pytest.mark.django_db
def test_api_docs_and_schema_need_a_login(client, director):
    for url in ("/api/docs", "/api/openapi.json"):
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/login/"), url
    client.force_login(director)
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "cdn" not in docs.content.decode().lower()
    assert client.get("/api/openapi.json").json()["info"]["title"] == "shopops API"
