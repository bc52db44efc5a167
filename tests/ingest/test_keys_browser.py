"""The API keys page in Chromium: a director creates a key, sees its secret once, revokes it.
Screenshots in zh-Hans and English go to test-artifacts/."""

from __future__ import annotations

import pyarrow as pa

from shopops.core.roles import Role
from shopops.ingest.models import ApiKey
from shopops.ingest.services import api_key_check
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load
from support.pages import browser_login

PASSWORD = "a-long-test-password"


def test_a_director_creates_sees_once_and_revokes_a_key(live_server, browser_page, warehouse, artifacts_dir, db):
    load(warehouse, "stores", pa.table({
        "store_id": ["own"], "platform": ["own"], "name": ["小程序商城"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    role_groups_sync()
    user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)
    page = browser_page
    browser_login(page, live_server.url, "director", PASSWORD)
    page.goto(f"{live_server.url}/import/keys/")
    page.select_option("#id_kind", "server")
    page.fill("#id_name", "小程序后端")
    page.click("[data-key-form] button[type=submit]")
    secret = page.locator("[data-secret]").inner_text()
    assert api_key_check(secret, kind="server") is not None
    page.screenshot(path=str(artifacts_dir / "ingest-keys-created-zh.png"), full_page=True)
    page.goto(f"{live_server.url}/import/keys/")
    assert page.locator("[data-secret]").count() == 0 and secret not in page.content()
    page.click("text=English")
    page.locator("text=New key").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "ingest-keys-en.png"), full_page=True)
    prefix = ApiKey.objects.get().prefix
    page.click(f'[data-revoke="{prefix}"]')
    page.locator(f'tr[data-key="{prefix}"].muted').wait_for()
    assert api_key_check(secret, kind="server") is None
