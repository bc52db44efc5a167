"""The job log, the scheduler tick, "run now" from the page, and the CLI hand-off endpoint (in-process)."""

from __future__ import annotations

import datetime as dt
import os
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from shopops.core.roles import Role
from shopops.core.schedule import PeriodicJob, daily, weekly
from shopops.jobs import handoff, registry, services
from shopops.jobs.host import work_pending
from shopops.jobs.models import JobRun
from shopops.team.services import role_groups_sync, user_create

from support import toy_jobs

pytestmark = pytest.mark.django_db(transaction=True)  # the worker checks its connection like a request does
SH = ZoneInfo("Asia/Shanghai")
PASSWORD = "a-long-password"


@pytest.fixture
def toys(monkeypatch):
    """Only toy jobs in the registry: one that works at 07:00 and one that fails on Mondays 08:00."""
    jobs = {
        "toy_ok": PeriodicJob("toy_ok", "support.toy_jobs.ok", daily(7, 0), label=("玩具", "Toy")),
        "toy_boom": PeriodicJob("toy_boom", "support.toy_jobs.boom", weekly(0, 8, 0), label=("爆炸", "Boom")),
    }
    monkeypatch.setattr(registry, "periodic_jobs", lambda: jobs)
    toy_jobs.CALLS.clear()
    return jobs


def test_every_app_job_is_declared_once_with_an_importable_callable():
    from django.utils.module_loading import import_string

    jobs = registry.periodic_jobs()
    assert {"insights_daily", "audience_daily", "promotions_flush", "report_weekly", "report_monthly", "jobs_prune"} <= set(jobs)
    for job in jobs.values():
        assert callable(import_string(job.callable)), job.name
        assert job.label[0] and job.label[1], job.name


def test_a_tick_fires_each_due_occurrence_once(toys):
    # Tuesday 2026-12-01 07:30 in Shanghai: toy_ok's 07:00 is due; toy_boom's Monday 08:00 is 23.5 h late (> 12 h)
    now = dt.datetime(2026, 12, 1, 7, 30, tzinfo=SH)
    fired = services.scheduler_tick(now=now)
    assert [(r.name, r.scheduled_for) for r in fired] == [("toy_ok", dt.datetime(2026, 11, 30, 23, 0, tzinfo=dt.UTC))]
    assert services.scheduler_tick(now=now) == []
    assert services.scheduler_tick(now=now + dt.timedelta(hours=3)) == []  # still the same occurrence
    assert JobRun.objects.count() == 1
    assert work_pending() == 1
    run = JobRun.objects.get()
    assert run.status == JobRun.Status.SUCCEEDED and run.output == "ok for 2026-12-01 07:00 CST"
    assert run.started_at >= run.enqueued_at and run.finished_at >= run.started_at and run.seconds >= 0
    # the same occurrence is not run twice, even when its task is delivered again
    assert services.job_run_execute(run_id=run.pk) is None
    assert toy_jobs.CALLS == [dt.datetime(2026, 12, 1, 7, 0, tzinfo=SH)]
    # the next day fires the next occurrence
    assert [r.scheduled_for for r in services.scheduler_tick(now=now + dt.timedelta(days=1))] == [
        dt.datetime(2026, 12, 1, 23, 0, tzinfo=dt.UTC)]


def test_a_naive_clock_is_refused(toys):
    from shopops.core.errors import ValidationError

    with pytest.raises(ValidationError, match="time-zone aware"):
        services.scheduler_tick(now=dt.datetime(2026, 12, 1, 7, 30))


def _login(role: Role) -> Client:
    role_groups_sync()
    user_create(username=role.value, password=PASSWORD, role=role)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username=role.value, password=PASSWORD)
    return client


def _csrf(client: Client, html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_run_now_from_the_page_and_the_failure_shows_without_server_paths(toys):
    client = _login(Role.OPS_DIRECTOR)
    page = client.get(reverse("jobs:list"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-job="toy_ok"' in html and 'data-job="toy_boom"' in html
    # without the CSRF token: refused, nothing queued
    assert client.post(reverse("jobs:run_now", args=["toy_boom"])).status_code == 403
    assert JobRun.objects.count() == 0
    response = client.post(reverse("jobs:run_now", args=["toy_boom"]), {"csrfmiddlewaretoken": _csrf(client, html)})
    assert response.status_code == 302
    assert work_pending() == 1
    run = JobRun.objects.get()
    assert (run.trigger, run.requested_by, run.status) == ("manual", "ops_director", "failed")
    assert str(settings.VAR_DIR) in run.error  # the log keeps it for the admin...
    html = client.get(reverse("jobs:list")).content.decode()
    row = re.search(rf'<tr data-run="{run.pk}".*?</tr>', html, re.S).group(0)
    assert "OSError: cannot open $SHOPOPS_VAR_DIR/private/store.duckdb" in row  # ...the page names no server path
    assert "…/conf.toml" in row
    assert str(settings.VAR_DIR) not in html and "/srv/shopops" not in html
    # the job's row counts the failure
    job_row = re.search(r'<tr data-job="toy_boom".*?</tr>', html, re.S).group(0)
    assert 'data-status="failed"' in job_row and '<strong class="bad">1</strong>' in job_row


def test_the_page_in_chinese_lists_next_runs_in_store_time(toys):
    client = _login(Role.ANALYST)
    html = client.get(reverse("jobs:list")).content.decode()
    assert "每天 07:00" in html and "立即运行" in html
    nxt = re.search(r'<tr data-job="toy_ok".*?<td data-next>([^<]+)</td>', html, re.S).group(1)
    from django.utils import timezone

    now = timezone.localtime()
    expected = now.replace(hour=7, minute=0, second=0, microsecond=0)
    if expected <= now:
        expected += dt.timedelta(days=1)
    assert nxt == expected.strftime("%Y-%m-%d %H:%M")


def test_roles_without_the_jobs_permission_cannot_see_or_run(toys):
    client = _login(Role.OPS_SPECIALIST)
    assert client.get(reverse("jobs:list")).status_code == 403
    client = _login(Role.DESIGNER)
    html_token = client.get(reverse("login")).cookies  # any page: a CSRF cookie for the post below
    assert client.post(reverse("jobs:run_now", args=["toy_ok"])).status_code == 403
    assert JobRun.objects.count() == 0
    anonymous = Client()
    assert anonymous.post(reverse("jobs:run_now", args=["toy_ok"])).status_code == 302  # to the login page
    assert JobRun.objects.count() == 0 and html_token is not None


def test_run_now_of_an_unknown_job_says_so(toys):
    client = _login(Role.OPS_DIRECTOR)
    html = client.get(reverse("jobs:list")).content.decode()
    response = client.post(reverse("jobs:run_now", args=["nope"]), {"csrfmiddlewaretoken": _csrf(client, html)},
                           follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "no job &#x27;nope&#x27;" in response.content.decode()
    assert JobRun.objects.count() == 0


def test_the_cli_endpoint_needs_the_token_and_runs_only_known_commands():
    client = Client()
    url = reverse("jobs:cli_submit")
    body = '{"argv": ["docs", "kpis"]}'
    assert client.post(url, body, content_type="application/json").status_code == 403
    assert client.post(url, body, content_type="application/json", HTTP_X_SHOPOPS_TOKEN="wrong").status_code == 403
    token = handoff.cli_token()
    path = settings.VAR_DIR / handoff.TOKEN_FILE
    assert path.stat().st_mode & 0o777 == 0o600
    headers = {"HTTP_X_SHOPOPS_TOKEN": token, "REMOTE_ADDR": "127.0.0.1"}
    assert client.post(url, '{"argv": ["createuser", "x"]}', content_type="application/json", **headers).status_code == 400
    assert client.post(url, '{"argv": ["manage", "flush"]}', content_type="application/json", **headers).status_code == 400
    assert client.post(url, '{"argv": "docs"}', content_type="application/json", **headers).status_code == 400
    assert client.post(url, body, content_type="application/json", HTTP_X_SHOPOPS_TOKEN=token,
                       REMOTE_ADDR="10.1.2.3").status_code == 403
    assert client.post(url, body, content_type="application/json", HTTP_X_FORWARDED_FOR="203.0.113.9",
                       **headers).status_code == 403  # through a reverse proxy on this host: refused
    response = client.post(url, body, content_type="application/json", **headers)  # docs run inline
    data = response.json()
    assert data["status"] == "succeeded" and data["exit_code"] == 0
    assert "| gmv |" in data["output"] or "gmv" in data["output"].split("\n", 5)[-1]
    assert JobRun.objects.get(pk=data["id"]).trigger == "cli"
    status = client.get(reverse("jobs:cli_status", args=[data["id"]]), **headers).json()
    assert status["status"] == "succeeded"
    assert client.get(reverse("jobs:cli_status", args=[data["id"]])).status_code == 403


def test_the_cli_finds_no_server_when_the_announced_one_is_gone(settings, tmp_path):
    import json
    import socket
    import subprocess
    import sys

    settings.VAR_DIR = tmp_path
    assert handoff.server_running() is None  # nothing announced
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (tmp_path / handoff.SERVER_FILE).write_text(json.dumps({"pid": dead.pid, "port": 1}))
    assert handoff.server_running() is None  # its process is gone
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = s.getsockname()[1]
    (tmp_path / handoff.SERVER_FILE).write_text(json.dumps({"pid": os.getppid(), "port": closed_port}))
    assert handoff.server_running() is None  # alive process, but nothing listens on the port
    (tmp_path / handoff.SERVER_FILE).write_text("{not json")
    assert handoff.server_running() is None


def test_a_server_that_refuses_gives_a_clear_error(settings, tmp_path):
    import http.server
    import threading

    settings.VAR_DIR = tmp_path

    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = b'{"error": "bad or missing token"}'
            self.send_response(403)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        info = handoff.ServerInfo(pid=os.getpid(), port=server.server_address[1])
        with pytest.raises(handoff.HandoffError, match=r"refused the command: HTTP 403 bad or missing token"):
            handoff.handoff(info, ["kpi", "gmv", "--period", "2025-11"])
    finally:
        server.shutdown()
        server.server_close()


def test_the_jobs_and_worker_commands_without_a_server(toys, capsys, settings, tmp_path):
    from shopops.cli import main

    settings.VAR_DIR = tmp_path  # no server.json: this process is the worker
    assert main(["jobs", "list"]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert sorted(cols[0] for cols in listed) == ["toy_boom", "toy_ok"]
    assert {cols[0]: cols[1] for cols in listed} == {"toy_ok": "daily 07:00", "toy_boom": "Mon 08:00"}

    assert main(["jobs", "run", "toy_ok"]) == 0
    out = capsys.readouterr().out
    assert "\ttoy_ok\tmanual\t-\tsucceeded\t" in out and out.rstrip().endswith("ok now")
    assert main(["jobs", "run", "toy_boom"]) == 1
    captured = capsys.readouterr()
    assert "\ttoy_boom\tmanual\t-\tfailed\t" in captured.out and "OSError: cannot open" in captured.err
    assert main(["jobs", "run", "nope"]) == 2
    assert "no job 'nope'" in capsys.readouterr().err

    assert main(["jobs", "tick", "--now", "2026-12-07T08:00"]) == 0  # Monday 08:00 store time: both due
    assert sorted(line.split("\t")[1] for line in capsys.readouterr().out.splitlines()) == ["toy_boom", "toy_ok"]
    assert main(["worker", "--batch"]) == 0
    assert capsys.readouterr().out == "ran 2 queued task(s)\n"
    assert main(["jobs", "tick", "--now", "nonsense"]) == 2
    assert "--now: 'nonsense' is not a time" in capsys.readouterr().err
    assert main(["jobs", "log", "toy_ok", "-v"]) == 0
    log = capsys.readouterr().out
    assert "\ttoy_ok\tschedule\t2026-12-07 07:00\tsucceeded\t" in log and "    ok for 2026-12-07 07:00 CST" in log


def test_pruning_keeps_recent_runs_and_the_last_ten_of_each_job():
    from django.utils import timezone

    from shopops.jobs.jobs import jobs_prune

    old = timezone.now() - dt.timedelta(days=200)
    for i in range(12):  # a job that ran long ago only: its last 10 stay
        JobRun.objects.create(name="rare", trigger="schedule", scheduled_for=old + dt.timedelta(hours=i),
                              status="succeeded")
    for i in range(15):  # a busy job: the 15 old ones go, the 10 recent ones stay
        JobRun.objects.create(name="busy", trigger="schedule", scheduled_for=old + dt.timedelta(hours=i),
                              status="failed")
    for i in range(10):
        JobRun.objects.create(name="busy", trigger="schedule",
                              scheduled_for=timezone.now() - dt.timedelta(hours=i + 1), status="succeeded")
    JobRun.objects.create(name="stuck", trigger="cli", status="queued")
    JobRun.objects.filter(scheduled_for__lt=timezone.now() - dt.timedelta(days=100)).update(enqueued_at=old)
    JobRun.objects.filter(name="stuck").update(enqueued_at=old)
    assert jobs_prune().startswith("deleted 17 job run(s)")  # 2 of rare + 15 of busy
    assert JobRun.objects.filter(name="rare").count() == 10
    assert JobRun.objects.filter(name="busy").count() == 10
    assert not JobRun.objects.filter(name="busy", status="failed").exists()
    assert JobRun.objects.filter(name="stuck").exists()  # queued: never pruned


def test_the_page_lists_every_app_job_with_its_next_run():
    client = _login(Role.OPS_DIRECTOR)
    html = client.get(reverse("jobs:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("insights_daily", "audience_daily", "promotions_flush", "report_weekly", "report_monthly", "jobs_prune"):
        assert f'data-job="{name}"' in html, name
    assert "异常诊断与晨报" in html and "每周一 08:00" in html and "每月 1 日 08:00" in html
