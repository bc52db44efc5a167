"""The jobs page in Chromium: "run now", the worker runs it, the page shows the run; zh and en screenshots."""

from __future__ import annotations

import pytest

from shopops.core.roles import Role
from shopops.core.schedule import PeriodicJob, daily, weekly
from shopops.jobs import registry
from shopops.jobs.host import work_pending
from shopops.jobs.models import JobRun
from shopops.team.services import role_groups_sync, user_create
from support.pages import browser_login

PASSWORD = "a-long-test-password"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_run_now_in_the_browser(live_server, browser_page, artifacts_dir, monkeypatch):
    jobs = {"toy_ok": PeriodicJob("toy_ok", "support.toy_jobs.ok", daily(7, 0), label=("玩具任务", "Toy job")),
            "toy_boom": PeriodicJob("toy_boom", "support.toy_jobs.boom", weekly(0, 8), label=("会失败的任务", "Failing job"))}
    monkeypatch.setattr(registry, "periodic_jobs", lambda: jobs)
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    browser_login(page, live_server.url, "director", PASSWORD)
    page.click('nav a[href="/jobs/"]')  # the sidebar entry
    page.wait_for_selector("#jobs-table")
    assert page.locator('[data-job="toy_ok"] th').inner_text().startswith("玩具任务")

    page.click('[data-run-now="toy_ok"]')
    page.wait_for_selector("[data-message]")
    page.click('[data-run-now="toy_boom"]')
    page.wait_for_selector("[data-message]")
    assert JobRun.objects.filter(status=JobRun.Status.QUEUED).count() == 2
    assert work_pending() == 2
    page.goto(f"{live_server.url}/jobs/")
    assert page.locator('[data-job="toy_ok"] [data-status]').get_attribute("data-status") == "succeeded"
    assert page.locator('[data-run-job="toy_boom"] [data-error]').inner_text().startswith("OSError: cannot open $SHOPOPS_VAR_DIR/")
    page.screenshot(path=str(artifacts_dir / "jobs-zh.png"), full_page=True)

    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(f"{live_server.url}/jobs/")
    assert page.locator("h1").inner_text() == "Jobs"
    assert page.locator('[data-job="toy_ok"] th').inner_text().startswith("Toy job")
    page.screenshot(path=str(artifacts_dir / "jobs-en.png"), full_page=True)
