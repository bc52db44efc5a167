"""The segment builder and an outreach results page in Chromium, in Chinese and English.

The live count must follow edits made in the rule editor (HTMX), and equal pandas over the
seeded shop; the results page's numbers equal pandas over the orders after the send.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pytest

from shopops.core.roles import Role
from shopops.audience import services
from shopops.audience.models import OutreachRecipient, Segment
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load
from tests.audience.audience_shop import AS_OF, UNPAID, build, load_frames, per_customer, post_send_orders

PASSWORD = "a-long-test-password"
SENT_AT = dt.datetime(2025, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def count(page) -> int:
    return int(page.get_attribute("[data-segment-count]", "data-segment-count"))


@pytest.mark.django_db(transaction=True)
def test_build_a_segment_and_read_results_in_both_languages(live_server, browser_page, warehouse, artifacts_dir):
    frames = build()
    load_frames(warehouse, frames)
    role_groups_sync()
    user_create(username="ops", password=PASSWORD, role=Role.OPS_SPECIALIST)
    c = per_customer(frames)
    base = c[(c.orders >= 2) & c.recency_days.between(60, 180) & (c.gmv > Decimal(500))]
    zhejiang = base[base.province == "浙江"]
    assert 0 < len(zhejiang) < len(base)

    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    failures: list[str] = []
    page.on("response", lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None)
    page.goto(f"{live_server.url}/customers/segments/new/?as_of={AS_OF.isoformat()}")
    page.wait_for_selector("[data-rule-row]")
    assert page.locator("[data-rule-row]").count() == 3  # the example: orders, recency, spend
    assert count(page) == len(base)

    # add "province is one of 浙江" in the editor: the count follows without a reload
    page.click("[data-add-condition]")
    row = page.locator("[data-rule-row]").nth(3)
    row.locator("[data-rule-field]").select_option("province")
    row.locator("[data-rule-operator]").select_option("in")
    row.locator("[data-rule-value]").fill("浙江")
    # a function, not an expression string: the CSP forbids the eval Playwright would poll a string with
    page.wait_for_function(f"() => document.querySelector('[data-segment-count]').dataset.segmentCount === '{len(zhejiang)}'")
    # a bad range: the message names the path, the field and the operator
    low = page.locator("[data-rule-row]").nth(1).locator("[data-rule-value='0']")
    low.fill("200")
    page.wait_for_selector("[data-rule-error]")
    assert "rules.1.value (recency_days between)：下限 200 大于上限 180" in page.inner_text("[data-rule-error]")
    low.fill("60")
    page.wait_for_function(f"() => (document.querySelector('[data-segment-count]') || {{}}).dataset?.segmentCount === '{len(zhejiang)}'")
    assert not failures, failures
    page.fill("input[name=name]", "浙江沉睡老客")
    page.screenshot(path=str(artifacts_dir / "customers-segment-builder-zh.png"), full_page=True)
    page.click("[data-save-segment]")
    page.wait_for_url("**/customers/segments/*/?as_of=*")
    page.click("[data-refresh]")
    page.wait_for_selector("[data-chart='history'][data-chart-ready]")
    segment = Segment.objects.get(name="浙江沉睡老客")
    assert segment.member_count == len(zhejiang)
    page.screenshot(path=str(artifacts_dir / "customers-segment-detail-zh.png"), full_page=True)

    # a send to a wider segment, done by the service at a fixed time; orders arrive; the results page
    wide = services.segment_save(name="老客", rules={"op": "and", "rules": [
        {"field": "orders", "operator": "gte", "value": 2}]})
    template = services.template_save(name="回购券", body_zh="{name}，{store_name}送您专属券",
                                      body_en="{name}, {store_name} has a coupon for you")
    send = services.outreach_create(name="12月回购", segment=wide, template=template, holdout_percent=20, seed=4)
    services.outreach_send(outreach=send, now=SENT_AT, as_of=AS_OF)
    arms = pd.DataFrame(list(OutreachRecipient.objects.filter(outreach=send, group__in=["treatment", "holdout"])
                             .values("store_id", "customer_id", "group")))
    new = post_send_orders(arms, sent_at=SENT_AT)
    load(warehouse, "orders", pa.Table.from_pandas(new, preserve_index=False))
    start = SENT_AT.astimezone(dt.UTC)
    ok = new[~new.status.isin(UNPAID) & (new.paid_at >= start) & (new.paid_at < start + dt.timedelta(days=14))]
    buyers = set(zip(ok.store_id, ok.customer_id, strict=True))
    t = arms[arms.group == "treatment"]
    conversion_t = sum((s, cid) in buyers for s, cid in zip(t.store_id, t.customer_id, strict=True)) / len(t)

    page.goto(f"{live_server.url}/customers/outreach/{send.pk}/")
    page.wait_for_selector("[data-chart='results'][data-chart-ready]")
    page.screenshot(path=str(artifacts_dir / "customers-outreach-results-zh.png"), full_page=True)
    page.click("[data-panel='results'] button[data-view='table']")
    cell = page.locator("tr[data-outcome='conversion'] td").nth(0)
    assert cell.is_visible()
    assert float(cell.get_attribute("data-value")) == pytest.approx(conversion_t)

    # English
    page.click("text=English")
    page.wait_for_selector("h1:has-text('12月回购')")
    assert page.locator("text=Results: treatment vs holdout").count() == 1
    page.screenshot(path=str(artifacts_dir / "customers-outreach-results-en.png"), full_page=True)
    page.goto(f"{live_server.url}/customers/segments/{segment.pk}/?as_of={AS_OF.isoformat()}")
    page.wait_for_selector("[data-rule-row]")
    assert page.locator("text=Membership history").count() == 1
    assert count(page) == len(zhejiang)
    page.screenshot(path=str(artifacts_dir / "customers-segment-builder-en.png"), full_page=True)
    page.goto(f"{live_server.url}/customers/outreach/")
    page.screenshot(path=str(artifacts_dir / "customers-outreach-list-en.png"), full_page=True)
