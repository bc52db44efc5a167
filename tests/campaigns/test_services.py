"""Campaign plans, phases, budgets, the status flow and task dependencies: the rules and their messages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shopops.campaigns import selectors, services
from shopops.campaigns.models import BudgetLine, CampaignPhase, CampaignPlan, Task
from shopops.core.errors import ShopopsError
from shopops.core.roles import Role
from shopops.promotions.models import Campaign as PromoCampaign

from .factories import HK, OWN, TMALL, plan, user

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def english():
    """The messages are checked in English here (the zh ones are the catalog's); the pages test zh."""
    from django.utils import translation

    with translation.override("en"):
        yield


def test_a_plan_gets_its_stores_currency_and_one_promotions_container():
    p = plan(stores=(OWN, TMALL), goal_gmv="500000", goal_roi="2.5")
    assert (p.currency, p.time_zone, p.store_ids) == ("CNY", "Asia/Shanghai", ["own", "tmall"])
    assert p.goal_gmv == Decimal("500000.00") and p.status == "draft"
    container = p.promo_campaign
    assert container.name == "双12" and container.status == PromoCampaign.Status.DRAFT
    # the container spans the plan's days in store time: 12-10 00:00 to 12-14 00:00 (+08:00)
    assert container.starts_at == dt.datetime(2026, 12, 10, tzinfo=SH)
    assert container.ends_at == dt.datetime(2026, 12, 14, tzinfo=SH)


def test_stores_of_two_currencies_cannot_share_a_plan():
    with pytest.raises(ShopopsError, match=r"share a currency.*own: CNY, hk: HKD"):
        plan(stores=(OWN, HK))
    assert not CampaignPlan.objects.exists() and not PromoCampaign.objects.exists()


def test_a_plan_ending_before_it_starts_is_refused():
    with pytest.raises(ShopopsError, match=r"ends \(2026-12-01\) before it starts \(2026-12-10\)"):
        plan(starts_on=dt.date(2026, 12, 10), ends_on=dt.date(2026, 12, 1))
    assert not CampaignPlan.objects.exists()


def test_a_phase_ending_before_it_starts_is_refused_with_both_times():
    p = plan()
    with pytest.raises(ShopopsError) as err:
        services.phase_add(plan=p, kind="presale_deposit", starts_at=dt.datetime(2026, 12, 11, 20, tzinfo=SH),
                           ends_at=dt.datetime(2026, 12, 10, 20, tzinfo=SH))
    text = str(err.value)
    assert "2026-12-10 20:00" in text and "2026-12-11 20:00" in text and "before it starts" in text
    with pytest.raises(ShopopsError, match="must lie within the campaign's days 2026-12-10 – 2026-12-13"):
        services.phase_add(plan=p, kind="main", starts_at=dt.datetime(2026, 12, 9, tzinfo=SH),
                           ends_at=dt.datetime(2026, 12, 11, tzinfo=SH))
    assert not CampaignPhase.objects.exists()
    ok = services.phase_add(plan=p, kind="main", starts_at=dt.datetime(2026, 12, 12, tzinfo=SH),
                            ends_at=dt.datetime(2026, 12, 13, tzinfo=SH))
    assert str(ok) == "正式" or "Main" in str(ok)


def test_a_budget_in_another_currency_is_refused_and_nothing_saved():
    p = plan(stores=(OWN, TMALL))
    with pytest.raises(ShopopsError) as err:
        services.budget_line_add(plan=p, channel="ad_tools", label="直通车", amount="20000", currency="USD")
    text = str(err.value)
    assert "直通车" in text and "USD" in text and "CNY" in text and "own, tmall" in text
    assert not BudgetLine.objects.exists()
    line = services.budget_line_add(plan=p, channel="ad_tools", label="直通车", amount="20000.005", currency="cny")
    assert line.amount == Decimal("20000.01") and line.currency == "CNY"  # half-up to the cent
    services.budget_line_add(plan=p, channel="samples", amount=Decimal("1500"), currency="CNY")
    assert selectors.budget_total(p) == Decimal("21500.01")


def test_status_flow_needs_a_permission_per_step():
    director, ops, designer, analyst = (user(Role.OPS_DIRECTOR, "boss"), user(Role.OPS_SPECIALIST, "ops"),
                                        user(Role.DESIGNER, "art"), user(Role.ANALYST, "ana"))
    p = plan()
    now = timezone.now()
    for who in (ops, designer, analyst):  # only the director approves
        with pytest.raises(services.PlanActionNotAllowed, match="team.approve_campaign_plan"):
            services.plan_transition(plan=p, to="approved", user=who, now=now)
    p.refresh_from_db()
    assert p.status == "draft"
    services.plan_transition(plan=p, to="approved", user=director, now=now)
    assert (p.status, p.approved_by) == ("approved", director)
    with pytest.raises(services.PlanActionNotAllowed, match="team.publish_campaign"):
        services.plan_transition(plan=p, to="running", user=designer, now=now)
    services.plan_transition(plan=p, to="running", user=ops, now=now)
    with pytest.raises(ShopopsError, match="cannot become"):
        services.plan_transition(plan=p, to="reviewed", user=director, now=now)  # not finished yet
    services.plan_transition(plan=p, to="finished", user=ops, now=now)
    with pytest.raises(ShopopsError, match="review notes"):
        services.plan_transition(plan=p, to="reviewed", user=analyst, now=now)
    services.plan_review_notes_save(plan=p, went_well="预售转化好", went_badly="", next_time="")
    services.plan_transition(plan=p, to="reviewed", user=analyst, now=now)
    assert p.status == "reviewed"
    with pytest.raises(ShopopsError, match="cannot be changed"):
        services.plan_update(plan=p, name="x", starts_on=p.starts_on, ends_on=p.ends_on)


def test_editing_an_approved_plan_sends_it_back_to_draft():
    director = user(Role.OPS_DIRECTOR, "boss")
    p = plan()
    services.plan_transition(plan=p, to="approved", user=director, now=timezone.now())
    services.plan_update(plan=p, name="双12 大促", starts_on=p.starts_on, ends_on=p.ends_on, goal_gmv="100")
    p.refresh_from_db()
    assert (p.status, p.approved_by, p.name, p.goal_gmv) == ("draft", None, "双12 大促", Decimal("100.00"))


def test_a_task_cannot_depend_on_itself_or_close_a_loop():
    a = services.task_create(title="选品", due_on=dt.date(2026, 11, 10))
    b = services.task_create(title="详情页", due_on=dt.date(2026, 11, 20), depends_on=[a])
    c = services.task_create(title="推广计划", due_on=dt.date(2026, 12, 3), depends_on=[b])
    with pytest.raises(ShopopsError, match="“选品” cannot depend on itself"):
        services.task_dependency_add(task=a, depends_on=a)
    with pytest.raises(ShopopsError) as err:
        services.task_dependency_add(task=a, depends_on=c)
    assert "“选品” → “推广计划” → “详情页” → “选品”" in str(err.value)
    assert list(a.depends_on.all()) == []  # nothing saved
    with pytest.raises(ShopopsError, match=r"starts \(2026-12-05\) after it is due \(2026-12-01\)"):
        services.task_create(title="x", due_on=dt.date(2026, 12, 1), starts_on=dt.date(2026, 12, 5))
    assert Task.objects.count() == 3
    services.task_dependency_add(task=c, depends_on=a)  # a diamond is not a loop
    assert set(c.depends_on.values_list("title", flat=True)) == {"详情页", "选品"}


def test_tasks_from_the_standard_template_follow_the_seeds_lead_times():
    ops = user(Role.OPS_SPECIALIST, "ops")
    cs = user(Role.CUSTOMER_SERVICE, "cs")
    p = plan(starts_on=dt.date(2026, 12, 10))
    template = services.task_template_standard_ensure()
    tasks = services.tasks_generate(plan=p, template=template)
    by_kind = {t.kind: t for t in tasks}
    start = dt.date(2026, 12, 10)
    expected = {"selection": -30, "creative": -21, "promotions": -14, "ads": -7, "service": -3}
    for kind, offset in expected.items():
        assert by_kind[kind].due_on == start + dt.timedelta(days=offset), kind
    # T+3 复盘 counts from the campaign's last day (12-13), not its first
    assert by_kind["retro"].due_on == dt.date(2026, 12, 16)
    assert by_kind["selection"].assignee == ops and by_kind["service"].assignee == cs
    assert by_kind["ads"].role == Role.ADS_SPECIALIST.value and by_kind["ads"].assignee is None  # nobody has the role
    assert by_kind["promotions"].depends_on.get() == by_kind["listing"]
    assert services.tasks_generate(plan=p, template=template) == []  # twice adds nothing
    assert Task.objects.filter(plan=p).count() == len(services.STANDARD_STEPS)


def test_overdue_tasks_and_on_time_rates_by_hand_count():
    ops, cs = user(Role.OPS_SPECIALIST, "ops"), user(Role.CUSTOMER_SERVICE, "cs")
    day = dt.date(2026, 12, 5)
    mk = services.task_create
    mk(title="a", due_on=dt.date(2026, 12, 1), assignee=ops, role="ops_specialist")  # open, overdue
    t2 = mk(title="b", due_on=dt.date(2026, 12, 2), assignee=ops, role="ops_specialist")  # done late
    t3 = mk(title="c", due_on=dt.date(2026, 12, 3), assignee=ops, role="ops_specialist")  # done on time
    t4 = mk(title="d", due_on=dt.date(2026, 12, 9), assignee=ops, role="ops_specialist")  # open, not due: not judged
    t5 = mk(title="e", due_on=dt.date(2026, 12, 4), assignee=cs, role="customer_service")  # done on the day
    mk(title="f", due_on=dt.date(2026, 12, 6), assignee=cs, role="customer_service")
    services.task_status_set(task=t2, status="done", today=dt.date(2026, 12, 4))
    services.task_status_set(task=t3, status="done", today=dt.date(2026, 12, 1))
    services.task_status_set(task=t5, status="done", today=dt.date(2026, 12, 4))
    assert [t.title for t in selectors.overdue_tasks(day=day)] == ["a"]
    assert selectors.overdue_tasks(day=day, user=cs) == []
    assert [t.title for t in selectors.overdue_tasks(day=dt.date(2026, 12, 10), role="ops_specialist")] == ["a", "d"]
    people, roles = selectors.on_time_rates(start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 31), today=day)
    rates = {p.key: (p.due, p.on_time) for p in people}
    assert rates == {"ops": (3, 1), "cs": (1, 1)}  # ops: a late (open), b late, c on time; d not judged
    assert {r.key: (r.due, r.on_time) for r in roles} == {"ops_specialist": (3, 1), "customer_service": (1, 1)}
    assert t4.status == "todo"


def test_task_attachments_are_checked_by_type_size_and_content(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.SHOPOPS_CAMPAIGN_ATTACHMENT_MAX_BYTES = 1000
    task = services.task_create(title="主图", due_on=dt.date(2026, 12, 1))
    now = timezone.now()
    with pytest.raises(ShopopsError, match="cannot be attached"):
        services.task_attachment_add(task=task, user=None, name="run.exe", data=b"MZ", now=now)
    with pytest.raises(ShopopsError, match="does not look like a .png"):
        services.task_attachment_add(task=task, user=None, name="主图.png", data=b"<html>", now=now)
    with pytest.raises(ShopopsError, match="at most 1,000 bytes"):
        services.task_attachment_add(task=task, user=None, name="big.pdf", data=b"%PDF-" + b"0" * 1000, now=now)
    assert not list((tmp_path / "campaigns" / "attachments").glob("*")) if (tmp_path / "campaigns").exists() else True
    att = services.task_attachment_add(task=task, user=None, name="../../主图.png", data=b"\x89PNG\r\n\x1a\n" + b"x" * 10, now=now)
    assert att.original_name == "主图.png" and att.content_type == "image/png"
    stored = tmp_path / "campaigns" / "attachments" / att.stored_name
    assert stored.read_bytes().startswith(b"\x89PNG")
