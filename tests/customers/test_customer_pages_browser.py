"""The RFM, lifecycle, CLV and 360° pages in Chromium, in Chinese and English, on the seeded store.

Numbers on the pages are compared with the pandas oracle (tests/support/customer_oracle.py);
screenshots go to test-artifacts/customers-*.png.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from shopops.core.roles import Role
from shopops.customers.keys import customer_url
from shopops.customers.masking import mask_id
from shopops.team.services import role_groups_sync, user_create
from support import kpi_store
from support.customer_oracle import oracle, with_rfm

PASSWORD = "a-long-test-password"
AS_OF = dt.date(2025, 11, 14)
RULES = type("Rules", (), {"new_days": 30, "active_days": 90, "churn_days": 180,
                           "vip_min_spend": Decimal("2000"), "vip_min_orders": 1})


@pytest.mark.django_db(transaction=True)
def test_customer_pages_in_the_browser(live_server, browser_page, warehouse, artifacts_dir):
    frames = kpi_store.build()
    kpi_store.load_into(warehouse, frames)
    want = with_rfm(oracle(frames, AS_OF, 365, RULES))
    scored = want[want.orders_window > 0]
    role_groups_sync()
    user_create(username="ops", password=PASSWORD, role=Role.OPS_SPECIALIST)
    page = browser_page
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "ops")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    for lang in ("zh", "en"):
        if lang == "en":
            page.click('.lang-switch button[value="en"]')
            page.wait_for_load_state()

        # RFM: every cell of the grid shows the oracle's count; the named groups too
        page.goto(f"{live_server.url}/customers/rfm/?as_of={AS_OF}")
        page.wait_for_selector("[data-rfm-heat] td[style]")  # shaded by customers.js
        heading = page.inner_text("h1")
        assert heading == ("RFM 分群" if lang == "zh" else "RFM segments")
        fm = (scored.f + scored.m) // 2
        for (r, f), g in scored.groupby([scored.r.astype(int), fm.astype(int)]):
            cell = page.locator(f'td[data-r="{r}"][data-fm="{f}"]')
            assert cell.get_attribute("data-customers") == str(len(g))
            assert cell.locator(".rfm-n").inner_text() == f"{len(g):,}"
        for name, g in scored.groupby("group"):
            assert page.get_attribute(f'tr[data-group="{name}"] td[data-col="customers"]', "data-value") == str(len(g))
        label = page.inner_text('tr[data-group="champions"] th')
        assert label == ("重要价值客户" if lang == "zh" else "Champions")
        page.screenshot(path=str(artifacts_dir / f"customers-rfm-{lang}.png"), full_page=True)

        # the group link lists its customers
        page.click('tr[data-group="champions"] th a')
        page.wait_for_url("**/customers/list/**")
        assert page.locator("tr[data-customer]").count() == min(50, int((scored.group == "champions").sum()))

        # lifecycle: chart draws, table view has the oracle's stage counts on as_of
        page.goto(f"{live_server.url}/customers/lifecycle/?as_of={AS_OF}&start=2025-09-01")
        page.wait_for_selector('[data-chart="stages"][data-chart-ready]')
        page.click('[data-panel="stages"] button[data-view="table"]')
        counts = want.stage.value_counts()
        for stage in ("new", "active", "at_risk"):
            got = page.get_attribute(f'tr[data-month="{AS_OF}"] td[data-col="{stage}"]', "data-value")
            assert got == str(int(counts.get(stage, 0))), stage
        page.click('[data-panel="stages"] button[data-view="chart"]')
        page.screenshot(path=str(artifacts_dir / f"customers-lifecycle-{lang}.png"), full_page=True)

        # 360: the customer with most orders; masked id, GMV, stage and RFM group as the oracle says
        key = want.sort_values(["orders", "gmv"], ascending=False).index[0]
        row = want.loc[key]
        page.goto(f"{live_server.url}{customer_url(*key)}?as_of={AS_OF}")
        assert page.inner_text("[data-customer-id]") == mask_id(key[1])
        assert page.get_attribute('[data-tile="gmv"] .tile-value', "data-value") == str(row.gmv)
        assert page.get_attribute("[data-stage]", "data-stage") == row.stage
        assert page.get_attribute("[data-segment]", "data-segment") == row.group
        assert page.locator('tr[data-paid="1"]').count() == row.orders
        assert key[1] not in page.inner_text("main")  # the raw id is never shown
        page.screenshot(path=str(artifacts_dir / f"customers-360-{lang}.png"), full_page=True)

        # CLV validation (tmall, 14-day holdout): a chart, or a clear reason when the store is too small
        page.goto(f"{live_server.url}/customers/clv/?as_of={AS_OF}&store=tmall&holdout_days=14")
        if page.locator("[data-clv-error]").count() == 0:
            page.wait_for_selector('[data-chart="validation"][data-chart-ready]')
        page.screenshot(path=str(artifacts_dir / f"customers-clv-{lang}.png"), full_page=True)
