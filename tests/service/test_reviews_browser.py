"""The reviews pages in Chromium, in zh and en: filter the reviews by aspect → a product's
complaints (chart drawn) → the DSR chart → a reply drafted from a template."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest

from shopops.core.roles import Role
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_get
from shopops.service.models import ReplyTemplate, TemplateScenario
from shopops.service.review_scoring import review_scores_refresh
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load
from support.pages import browser_login

PASSWORD = "a-long-test-password"
DAY = dt.date(2025, 11, 12)
DSR = Path(__file__).parents[1] / "ingest" / "platform_fixtures" / "dsr_tmall.csv"
TEXTS = ("尺码偏小，穿不上，差评", "质量很好，物流很快，好评", "颜色和图片不一样，色差太大", "包装破损，衣服脏了")


def _store(con, model):
    load(con, "stores", pa.table({"store_id": ["tmall"], "platform": ["tmall"], "name": ["天猫旗舰店"],
                                  "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
    n = 12
    load(con, "reviews", pa.table({
        "store_id": ["tmall"] * n, "review_id": [f"R{i}" for i in range(n)], "product_id": ["P1"] * n,
        "created_at": [dt.datetime.combine(DAY - dt.timedelta(days=i), dt.time(3), tzinfo=dt.UTC) for i in range(n)],
        "review_date": [DAY - dt.timedelta(days=i) for i in range(n)],
        "rating": pa.array([1 if i % 4 != 1 else 5 for i in range(n)], pa.int8()),
        "content": [TEXTS[i % 4] for i in range(n)]}))
    review_scores_refresh(con=con, model=model)
    assert import_file(DSR, profile=profile_get("dsr_tmall"), con=con, store_id="tmall", strict=True, pii_key="k").loaded


def _flow(page, base, *, language, artifacts_dir):
    page.goto(f"{base}/service/reviews/")
    page.wait_for_selector("#review-table")
    page.select_option("#review-filters select[name=aspect]", "size")
    page.click("#review-filters button[type=submit]")
    page.wait_for_url("**aspect=size**")
    assert page.locator("#review-table tbody tr").count() == 3
    page.screenshot(path=str(artifacts_dir / f"reviews-list-{language}.png"), full_page=True)
    page.click('#review-table a[href="/service/reviews/products/tmall/P1/"] >> nth=0')
    page.wait_for_selector("#issue-clusters")
    page.wait_for_function("() => document.querySelector('[data-chart]').getAttribute('data-ready') === '1'")
    page.screenshot(path=str(artifacts_dir / f"reviews-product-{language}.png"), full_page=True)
    page.goto(f"{base}/service/reviews/dsr/?store=tmall")
    page.wait_for_function("() => document.querySelector('[data-chart]').getAttribute('data-ready') === '1'")
    page.screenshot(path=str(artifacts_dir / f"reviews-dsr-{language}.png"), full_page=True)
    page.goto(f"{base}/service/reviews/tmall/R0/reply/")
    assert page.locator("#reply-draft").input_value() == "亲您好，很抱歉给您带来不好的体验，P1的问题我们会尽快处理。"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_reviews_pages_in_both_languages(live_server, browser_page, warehouse, review_model, artifacts_dir):
    _store(warehouse, review_model)
    role_groups_sync()
    user_create(username="mei", password=PASSWORD, role=Role.CUSTOMER_SERVICE)
    ReplyTemplate.objects.create(title="差评致歉", scenario=TemplateScenario.REVIEW_REPLY,
                                 body="{nickname}您好，很抱歉给您带来不好的体验，{product}的问题我们会尽快处理。")
    page = browser_page
    browser_login(page, live_server.url, "mei", PASSWORD)
    _flow(page, live_server.url, language="zh", artifacts_dir=artifacts_dir)
    assert page.locator("h1").inner_text() == "评价与口碑"
    assert "尺码" in page.locator("#review-text").inner_text()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    _flow(page, live_server.url, language="en", artifacts_dir=artifacts_dir)
    assert page.locator("h1").inner_text() == "Reviews & reputation"
