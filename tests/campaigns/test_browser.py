"""The campaign pages in a real Chromium: plan → tasks → board in zh and en, and the marketing
calendar with 500 items (screenshots in test-artifacts/, copied to docs/ for the docs page)."""

from __future__ import annotations

import datetime as dt
import time

import pyarrow as pa
import pytest

from shopops.campaigns import services
from shopops.campaigns.models import CampaignPlan, Task
from shopops.core.roles import Role
from shopops.warehouse.loader import load
from support.pages import browser_login

from .factories import PASSWORD, user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shop(warehouse):
    load(warehouse, "stores", pa.table({"store_id": ["own", "tmall"], "platform": ["own", "tmall"],
                                        "name": ["小程序商城", "天猫旗舰店"], "currency": ["CNY", "CNY"],
                                        "time_zone": ["Asia/Shanghai", "Asia/Shanghai"]}))
    return warehouse


def test_plan_to_tasks_to_board_in_chinese_and_english(live_server, browser_page, shop, artifacts_dir):
    user(Role.OPS_DIRECTOR, "boss")
    for role in (Role.OPS_SPECIALIST, Role.DESIGNER, Role.COPYWRITER, Role.ADS_SPECIALIST, Role.CUSTOMER_SERVICE, Role.ANALYST):
        user(role)
    page = browser_page
    browser_login(page, live_server.url, "boss", PASSWORD)
    page.click('nav a[data-module="campaigns"]')
    page.wait_for_selector('[data-table="plans"]')
    assert "活动策划" in page.content()
    page.click("[data-new-plan]")
    page.fill("input[name=name]", "双12 年终回馈")
    page.check('input[name=stores][value="tmall"]')
    page.fill("input[name=starts_on]", "2026-12-20")
    page.fill("input[name=ends_on]", "2026-12-12")  # ends before it starts: refused with both dates
    page.fill("input[name=goal_gmv]", "800000")
    page.click("[data-plan-form] button[type=submit]")
    page.wait_for_selector("[data-error]")
    assert "2026-12-12" in page.inner_text("[data-error]") and "2026-12-20" in page.inner_text("[data-error]")
    page.fill("input[name=starts_on]", "2026-12-05")
    page.fill("input[name=ends_on]", "2026-12-12")
    page.click("[data-plan-form] button[type=submit]")
    page.wait_for_selector("[data-plan-status=draft]")
    plan = CampaignPlan.objects.get()
    assert plan.store_ids == ["own", "tmall"] or plan.store_ids == ["tmall"]
    page.select_option("[data-phase-form] select[name=kind]", "main")
    page.fill("[data-phase-form] input[name=starts_at]", "2026-12-12T00:00")
    page.fill("[data-phase-form] input[name=ends_at]", "2026-12-13T00:00")
    page.click("[data-phase-form] button[type=submit]")
    page.wait_for_selector('[data-table="phases"] tbody th')
    page.fill("[data-budget-form] input[name=amount]", "50000")
    page.fill("[data-budget-form] input[name=currency]", "USD")
    page.click("[data-budget-form] button[type=submit]")
    page.wait_for_selector("[data-error]")
    assert "USD" in page.inner_text("[data-error]") and "CNY" in page.inner_text("[data-error]")
    page.fill("[data-budget-form] input[name=amount]", "50000")
    page.fill("[data-budget-form] input[name=currency]", "CNY")
    page.click("[data-budget-form] button[type=submit]")
    page.wait_for_function("() => document.querySelector('[data-budget-total]').textContent.includes('50,000')")
    page.click("[data-generate-form] button[type=submit]")
    page.wait_for_selector('[data-table="tasks"] [data-overdue]')  # T−30 … T−7 are past on 12-05
    page.click('[data-transitions] button[data-to="approved"]')
    page.wait_for_selector("[data-plan-status=approved]")
    page.screenshot(path=str(artifacts_dir / "campaigns-plan-zh.png"), full_page=True)
    page.click("[data-board-link]")
    page.wait_for_selector("[data-board]")
    todo = page.locator('[data-column="todo"] [data-task]').count()
    assert todo == Task.objects.filter(plan=plan).count() == len(services.STANDARD_STEPS)
    first = page.locator('[data-column="todo"] [data-task]').first
    task_id = first.get_attribute("data-task")
    first.locator('button[data-move="doing"]').click()
    page.wait_for_selector(f'[data-column="doing"] [data-task="{task_id}"]')
    assert Task.objects.get(pk=task_id).status == "doing"
    assert "任务看板" in page.content() and "进行中" in page.content()
    page.screenshot(path=str(artifacts_dir / "campaigns-board-zh.png"), full_page=True)

    page.click(".lang-switch button[value=en]")
    page.wait_for_selector("text=Task board")
    page.locator(f'[data-column="doing"] [data-task="{task_id}"] button[data-move="done"]').click()
    page.wait_for_selector(f'[data-column="done"] [data-task="{task_id}"]')
    assert "In progress" in page.content()
    page.screenshot(path=str(artifacts_dir / "campaigns-board-en.png"), full_page=True)
    page.click('a[data-nav="timeline"]')
    page.wait_for_selector(".gantt-bar")
    page.screenshot(path=str(artifacts_dir / "campaigns-timeline-en.png"), full_page=True)
    page.goto(f"{live_server.url}/campaigns/plans/{plan.pk}/")
    page.wait_for_selector("text=Readiness")
    page.screenshot(path=str(artifacts_dir / "campaigns-plan-en.png"), full_page=True)
    page.click('nav a[data-module="team"]')  # the 团队 entry opens the scorecards
    page.wait_for_selector('[data-table="scorecards"] [data-user="boss"]')
    assert page.locator('[data-table="scorecards"] tbody tr').count() == 7  # the director sees everyone
    page.screenshot(path=str(artifacts_dir / "campaigns-scorecards-en.png"), full_page=True)


def test_calendar_with_500_items_renders_without_lag(live_server, browser_page, shop, artifacts_dir):
    """500 items in one month (plans, phases, posts, tasks) plus the festivals: every item is on it, and the
    year view draws its twelve months. The times are printed, not asserted (a timer in a test measures the
    machine's load: this one failed at 1.85 s on a shared 2-core machine); bench/bench_campaign_pages.py
    measures the pages as ratios."""
    boss = user(Role.OPS_DIRECTOR, "boss")
    plan = services.plan_create(name="双12", stores=[services.StoreRef("tmall", "CNY", "Asia/Shanghai")],
                                starts_on=dt.date(2026, 12, 5), ends_on=dt.date(2026, 12, 12), owner=boss)
    tasks = [Task(plan=plan, title=f"任务 {i:03d}", kind="other", due_on=dt.date(2026, 12, 1 + i % 31),
                  assignee=boss if i % 2 else None) for i in range(400)]
    Task.objects.bulk_create(tasks)
    channels = ["xiaohongshu", "douyin", "wechat_article", "wechat_channels", "weibo"]
    for i in range(99):
        services.content_post_save(code=f"P{i:03d}", channel=channels[i % 5], title=f"内容 {i:03d}",
                                   publish_at=dt.datetime(2026, 12, 1 + i % 31, 12, tzinfo=dt.UTC), owner=boss)
    # 400 tasks + 99 posts + 1 plan = 500 items of ours
    page = browser_page
    browser_login(page, live_server.url, "boss", PASSWORD)
    kinds = "&kind=campaign&kind=content&kind=task"
    started = time.perf_counter()
    page.goto(f"{live_server.url}/campaigns/calendar/?view=month&date=2026-12-01{kinds}")
    page.wait_for_selector("[data-calendar=month]")
    elapsed = time.perf_counter() - started
    timing = page.evaluate("() => { const n = performance.getEntriesByType('navigation')[0];"
                           " return {dom: n.domContentLoadedEventEnd, load: n.loadEventEnd}; }")
    distinct = page.evaluate("() => new Set([...document.querySelectorAll('[data-item]')].map(e => e.dataset.item)).size")
    assert distinct == 500  # the plan's 8 days show it 8 times: one item
    assert page.locator("[data-item]").count() == 400 + 99 + 8
    assert page.get_attribute("[data-count]", "data-count") == "500"
    # the next animation frame after the render (printed: how responsive the page is)
    frame = page.evaluate("() => new Promise(r => { const t = performance.now(); requestAnimationFrame(() => r(performance.now() - t)); })")
    page.screenshot(path=str(artifacts_dir / "campaigns-calendar-500.png"), full_page=False)
    print(f"\ncalendar 500 items: goto+render {elapsed * 1000:.0f} ms, navigation load {timing['load']:.0f} ms, "
          f"DOMContentLoaded {timing['dom']:.0f} ms, next frame {frame:.1f} ms")
    # the quarter and year views with the same items and the festivals
    page.goto(f"{live_server.url}/campaigns/calendar/?view=year&date=2026-12-01")
    page.wait_for_selector("[data-calendar=year]")
    assert page.locator("section.cal-month").count() == 12
    year = page.evaluate("() => performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.screenshot(path=str(artifacts_dir / "campaigns-calendar-year.png"), full_page=False)
    print(f"year view with festivals and holidays: navigation load {year:.0f} ms")


def test_editing_a_plan_in_chinese_keeps_its_dates(live_server, browser_page, shop):
    """The edit form's date fields showed empty in zh-Hans (value 2026/12/05, which <input type=date>
    rejects), so saving it as shown was refused: the browser must see the dates and save them back."""
    user(Role.OPS_DIRECTOR, "boss")
    plan = services.plan_create(name="双12", stores=[services.StoreRef("tmall", "CNY", "Asia/Shanghai")],
                                starts_on=dt.date(2026, 12, 5), ends_on=dt.date(2026, 12, 12))
    page = browser_page
    browser_login(page, live_server.url, "boss", PASSWORD)
    page.goto(f"{live_server.url}/campaigns/plans/{plan.pk}/edit/")
    assert page.input_value("input[name=starts_on]") == "2026-12-05"
    assert page.input_value("input[name=ends_on]") == "2026-12-12"
    page.fill("input[name=name]", "双12 年终回馈")
    page.click("[data-plan-form] button[type=submit]")
    page.wait_for_selector("[data-plan-status=draft]")
    plan.refresh_from_db()
    assert (plan.name, plan.starts_on, plan.ends_on) == ("双12 年终回馈", dt.date(2026, 12, 5), dt.date(2026, 12, 12))
