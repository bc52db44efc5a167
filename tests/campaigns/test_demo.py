"""The demo's campaign season over the real demo store: a year of plans, the next one in progress,
双11 no longer a draft, content with results, scorecards with numbers."""

from __future__ import annotations

import datetime as dt

import pytest

TODAY = dt.date(2026, 12, 5)
DAYS = 60


@pytest.fixture(scope="module")
def demo(_duckdb_warehouse_template, tmp_path_factory, django_db_setup, django_db_blocker):
    """The demo store (60 days to yesterday of TODAY), built once per test run (support/shared_build.py)."""
    from support.shared_build import demo_warehouse

    from shopops.warehouse import connection

    yield demo_warehouse("campaigns-demo-60d", _duckdb_warehouse_template,
                         tmp_path_factory.mktemp("camp-warehouse") / "warehouse.duckdb", django_db_blocker,
                         days=DAYS, scale="small", seed=7, end_date=TODAY - dt.timedelta(days=1))
    connection.disconnect_all()


@pytest.mark.django_db
def test_demo_campaign_season(demo, monkeypatch):
    from shopops.campaigns import selectors
    from shopops.campaigns.models import CampaignPlan, ContentPost, Task
    from shopops.demo.campaigns import campaigns_demo_ensure
    from shopops.demo.promotions_plan import promotions_plan_create
    from shopops.metrics.models import Target
    from shopops.promotions.models import AuditLog
    from shopops.team.services import demo_users_create
    from shopops.warehouse import connection

    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", demo)
    demo_users_create()
    promotions_plan_create(year=2026)
    campaigns_demo_ensure(today=TODAY, echo=lambda _: None)
    campaigns_demo_ensure(today=TODAY, echo=lambda _: None)  # twice changes nothing
    connection.disconnect_all()

    plans = {p.name: p for p in CampaignPlan.objects.all()}
    assert set(plans) == {"2026 年货节", "2026 38节", "2026 618", "2026 99划算节", "2026 双11", "2026 双12", "2027 年货节"}
    for name in ("2026 年货节", "2026 38节", "2026 618", "2026 99划算节", "2026 双11"):
        p = plans[name]
        assert p.status == "reviewed" and p.went_well and p.ends_on < TODAY, name
        assert p.tasks.exclude(status="done").count() == 0
        # its offers published two days before its first day, the floor guard passing (no override), 主推款 chosen
        assert p.promo_campaign.status == "published" and p.promo_campaign.promotions.exists() and len(p.hero_skus) == 3, name
        if name != "2026 双11":
            assert AuditLog.objects.filter(campaign=p.promo_campaign, action="campaign_publish").exists(), name
    # the 双11 plan owns the promotions module's 双11 主会场, published over its planted violation with a reason
    eleven = plans["2026 双11"]
    assert eleven.promo_campaign.name == "双11 主会场" and eleven.promo_campaign.status == "published"
    assert AuditLog.objects.filter(campaign=eleven.promo_campaign, action="campaign_publish_override").exists()
    assert (eleven.starts_on, eleven.ends_on) == (dt.date(2026, 10, 15), dt.date(2026, 11, 13))
    assert {ph.kind for ph in eleven.phases.all()} >= {"warmup", "presale_deposit", "main", "encore", "kickoff"}
    nxt = plans["2026 双12"]
    assert nxt.status == "running" and nxt.starts_on == dt.date(2026, 12, 5)  # it starts on TODAY
    assert nxt.promo_campaign.status == "published"  # running: its offers are live
    statuses = set(nxt.tasks.values_list("status", flat=True))
    assert {"done", "doing", "todo"} <= statuses
    overdue = selectors.overdue_tasks(day=TODAY)
    assert any(t.plan_id == nxt.pk for t in overdue)
    assert plans["2027 年货节"].status == "draft" and plans["2027 年货节"].tasks.count() > 0
    # goals from the store's own sales (the 4 weeks before today: median day × the window's 8 days × 1.3, to ¥10,000),
    # not a fixed number: the daily GMV read here with a plain query over the warehouse's paid orders
    import statistics

    from shopops.core.periods import Grain, Period
    from shopops.metrics.runners import run_query
    from shopops.metrics.runners.kpis import KpiQuery

    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", demo)
    rows = run_query(KpiQuery(("gmv", "ad_spend"), Period(dt.date(2026, 11, 7), dt.date(2026, 12, 4)), grain=Grain.DAY)).rows
    assert len(rows) == 28
    level = statistics.median(float(r["gmv"]) for r in rows)
    assert float(nxt.goal_gmv) == pytest.approx(round(level * 8 * 1.3, -4), abs=1)
    # the ad tools' budget from the same days' ad spend (median day × 8 days × 2.5, to ¥100); the other lines scaled
    # with the goal from the small demo's 双12 plan (¥41,000 of ¥800,000: content, coupons, samples; each to ¥100)
    lines = list(nxt.budget_lines.all())
    spend = statistics.median(float(r["ad_spend"]) for r in rows)
    assert float(sum(b.amount for b in lines if b.channel == "ad_tools")) == pytest.approx(round(spend * 8 * 2.5, -2), abs=1)
    others = sum(b.amount for b in lines if b.channel != "ad_tools")
    assert float(others) == pytest.approx(41_000 * float(nxt.goal_gmv) / 800_000, abs=150)
    # the ROI goal the plan's own numbers imply: (goal − ads, content and samples) ÷ those, to 0.1 down
    cost = float(sum(b.amount for b in lines if b.channel != "coupons"))
    assert float(nxt.goal_roi) == pytest.approx((float(nxt.goal_gmv) - cost) / cost, abs=0.1)
    assert float(nxt.goal_roi) <= (float(nxt.goal_gmv) - cost) / cost
    connection.disconnect_all()
    assert ContentPost.objects.filter(reach__isnull=False).count() == 5
    assert Target.objects.filter(kpi="gmv", month=dt.date(2026, 11, 1)).count() == 5
    assert Task.objects.count() == 7 * 10

    # the pages over the demo, as the director
    from django.test import Client

    from shopops.team.services import DEMO_PASSWORD

    client = Client()
    assert client.login(username="director", password=DEMO_PASSWORD)
    page = client.get(f"/campaigns/plans/{eleven.pk}/?check=1").content.decode()
    special = eleven.promo_campaign.promotions.get(name__startswith="限时特价")
    row = page.split(f'data-promotion="{special.pk}"')[1].split("</tr>")[0]
    assert 'data-verdict="violation"' in row  # the planted mistake, named on the plan
    assert 'data-item="promotions" data-state="ok"' in page  # published (with the override reason)
    assert 'data-item="stock" data-state="past"' in page  # over: today's stock does not judge it
    sc = client.get("/campaigns/scorecards/", {"month": "2026-11"}).content.decode()
    assert 'data-user="ops_specialist"' in sc and 'data-col="target_achievement" data-value=""' not in sc.split(
        'data-user="ops_specialist"')[1].split("</tr>")[0]
    cal = client.get("/campaigns/calendar/", {"date": "2026-11-01"}).content.decode()
    assert "2026 双11" in cal and "双11 主会场" in cal
    connection.disconnect_all()


def test_the_next_campaign_is_approved_before_its_first_day_running_from_it_and_finished_after_it():
    from shopops.demo.campaigns import _at, next_steps

    first, last = dt.date(2026, 12, 5), dt.date(2026, 12, 12)
    assert next_steps(first, last, dt.date(2026, 12, 4)) == []  # stays approved
    assert next_steps(first, last, first) == [("running", _at(first))]
    assert next_steps(first, last, last) == [("running", _at(first))]
    assert next_steps(first, last, dt.date(2026, 12, 13)) == [("running", _at(first)), ("finished", _at(dt.date(2026, 12, 13)))]
