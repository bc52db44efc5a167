"""The import pages in Chromium: upload a file, start it, watch the job run in the
background and turn 'loaded' on the jobs page without a reload (HTMX polling).

Screenshots of every import page in zh-Hans and English go to test-artifacts/.
"""

from __future__ import annotations

import gzip
import threading
from pathlib import Path

import pyarrow as pa
import pytest

from shopops.core.roles import Role
from shopops.ingest import services
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

FIXTURES = Path(__file__).parent / "fixtures"
ORDERS_CSV = FIXTURES / "orders_with_errors.csv"  # 6 rows: 2 load, 4 rejected
PASSWORD = "a-long-test-password"
UCI_HEAD = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
    "536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
    "536365,71053,WHITE METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
    "536366,22633,HAND WARMER UNION JACK,6,2010-12-01 08:28:00,1.85,,United Kingdom\n"
    "C536379,D,Discount,-1,2010-12-01 09:41:00,27.50,14527.0,United Kingdom\n"
)


@pytest.fixture
def director(db, warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["tmall"], "platform": ["tmall"], "name": ["天猫旗舰店"], "currency": ["CNY"], "time_zone": ["Asia/Shanghai"],
    }))
    role_groups_sync()
    return user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR)


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", "director")
    page.fill("#id_password", PASSWORD)
    page.click("form.login-form button[type=submit]")
    page.wait_for_url(f"{base_url}/")


@pytest.fixture
def held_imports(monkeypatch):
    """Imports wait for ``release.set()``, so the page can be seen while a job is queued or running."""
    release = threading.Event()
    real = services.import_file

    def held(*args, **kwargs):
        assert release.wait(30), "the test never released the import"
        return real(*args, **kwargs)

    monkeypatch.setattr(services, "import_file", held)
    yield release
    release.set()


@pytest.mark.django_db(transaction=True)
def test_upload_start_and_watch_the_job_turn_loaded(live_server, browser_page, director, settings, artifacts_dir,
                                                    held_imports, jobs_worker, tmp_path):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/import/")
    page.screenshot(path=str(artifacts_dir / "ingest-upload-zh.png"), full_page=True)
    page.set_input_files("#id_files", str(ORDERS_CSV))
    assert "orders_with_errors.csv" in page.locator("[data-file-list]").inner_text()
    page.click("[data-upload-submit]")

    row = page.locator('tr[data-upload="orders_with_errors.csv"]')
    row.locator('[data-detected="shopops_orders"]').wait_for()
    assert row.locator("[data-confidence]").inner_text() == "86%"
    assert row.locator("select[name$='-store']").input_value() == "tmall"
    page.screenshot(path=str(artifacts_dir / "ingest-review-zh.png"), full_page=True)
    page.click("[data-start-form] button[type=submit]")

    page.wait_for_url(f"{live_server.url}/import/jobs/")
    job = page.locator("tr[data-job]").first
    assert job.get_attribute("data-status") in ("queued", "running")
    assert page.locator("#import-jobs").get_attribute("data-polling") == "true"
    page.locator("tr[data-job] .progress").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "ingest-jobs-running-zh.png"), full_page=True)

    held_imports.set()
    # no reload: the polled partial replaces the table until the job is done
    page.locator('tr[data-job][data-status="loaded"]').wait_for(timeout=30_000)
    job = page.locator('tr[data-job][data-status="loaded"]')
    counts = {name: job.locator(f'[data-count="{name}"]').inner_text()
              for name in ("rows_read", "rows_inserted", "rows_updated", "rows_rejected")}
    assert counts == {"rows_read": "6", "rows_inserted": "2", "rows_updated": "0", "rows_rejected": "4"}
    assert job.locator(".status").inner_text() == "已导入"
    assert page.locator("#import-jobs").get_attribute("data-polling") == "false"
    page.screenshot(path=str(artifacts_dir / "ingest-jobs-zh.png"), full_page=True)

    job.locator("td.file-cell a").click()
    page.locator(".rejects-table").wait_for()
    assert page.locator(".rejects-table tbody tr").count() == 5
    with page.expect_download() as download:
        page.click('[data-download="csv"]')
    assert download.value.suggested_filename.endswith(".csv")
    page.screenshot(path=str(artifacts_dir / "ingest-job-zh.png"), full_page=True)

    page.click("text=English")
    page.locator("text=Rejected rows").first.wait_for()
    page.screenshot(path=str(artifacts_dir / "ingest-job-en.png"), full_page=True)
    page.goto(f"{live_server.url}/import/jobs/")
    assert page.locator('tr[data-status="loaded"] .status').inner_text() == "Loaded"
    page.screenshot(path=str(artifacts_dir / "ingest-jobs-en.png"), full_page=True)
    page.goto(f"{live_server.url}/import/")
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    page.set_input_files("#id_files", [str(ORDERS_CSV), str(FIXTURES / "online_retail_uci.toml"),
                                       str(tmp_path / "empty.csv"), str(tmp_path / "locked.xlsx")])
    page.click("[data-upload-submit]")
    page.locator("[data-start-form]").wait_for()
    assert "the file is empty (0 bytes)" in page.locator('tr[data-upload="empty.csv"]').inner_text()
    assert "password-protected" in page.locator('tr[data-upload="locked.xlsx"]').inner_text()
    page.screenshot(path=str(artifacts_dir / "ingest-review-en.png"), full_page=True)
    assert errors == []


@pytest.mark.django_db(transaction=True)
def test_mapping_page_in_both_languages(live_server, browser_page, director, artifacts_dir, tmp_path):
    sample = tmp_path / "online_retail.csv.gz"
    sample.write_bytes(gzip.compress(UCI_HEAD.encode()))
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/import/mapping/")
    page.set_input_files("input[name=file]", str(sample))
    page.click(".sample-form button[type=submit]")
    page.locator("[data-preview]").wait_for()
    assert page.locator("select[name=c0_to]").input_value() == "order_id"
    # picking a field sets its type
    page.select_option("select[name=c7_to]", "province")
    assert page.locator("select[name=c7_type]").input_value() == "string"
    page.screenshot(path=str(artifacts_dir / "ingest-mapping-zh.png"), full_page=True)
    page.check("input[name=guest_customer]")
    page.check("input[name=paid_at_from_created]")
    page.fill("input[name=cancel_prefix]", "C")
    page.select_option("select[name=default_status]", "completed")
    page.click(".save-row button[type=submit]")
    page.locator('[data-detected="online_retail"]').wait_for()
    page.goto(f"{live_server.url}/import/mapping/")
    page.locator('tr[data-saved="online_retail"]').wait_for()
    page.click("text=English")
    page.locator("text=Saved mappings").wait_for()
    page.goto(page.url.split("?")[0])
    page.set_input_files("input[name=file]", str(sample))
    page.click(".sample-form button[type=submit]")
    page.locator("[data-preview]").wait_for()
    page.screenshot(path=str(artifacts_dir / "ingest-mapping-en.png"), full_page=True)
    assert errors == []
