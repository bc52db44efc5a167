"""Imports and reports started on their web pages are Django tasks run by the jobs worker (the one
``shopops serve`` hosts), not threads of the web process: submitted through the web client, they
wait on the task queue until the real worker runs them, and the jobs page lists each with its
duration, or its failure."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyarrow as pa
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shopops.core.roles import Role
from shopops.ingest.models import ImportJob
from shopops.jobs.host import work_pending
from shopops.reports.selectors import report_get
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db(transaction=True)  # the worker checks its connection like a request does
ORDERS_CSV = Path(__file__).parents[1] / "ingest" / "fixtures" / "orders_with_errors.csv"  # 2 rows load, 4 rejected
PASSWORD = "a-long-password"


@pytest.fixture
def director(client, warehouse, settings):
    settings.SHOPOPS_TASKS_IMMEDIATE = False  # queue for the worker, as `shopops serve` does
    load(warehouse, "stores", pa.table({"store_id": ["tmall"], "platform": ["tmall"], "name": ["天猫旗舰店"],
                                        "currency": ["CNY"], "time_zone": ["Asia/Shanghai"]}))
    role_groups_sync()
    client.force_login(user_create(username="director", password=PASSWORD, role=Role.OPS_DIRECTOR))
    return client


def _start_import(client, content: bytes | None = None) -> ImportJob:
    content = ORDERS_CSV.read_bytes() if content is None else content
    response = client.post(reverse("ingest:upload"), {"files": [SimpleUploadedFile("orders.csv", content)]})
    assert response.status_code == 302, response.content.decode()[:1000]
    batch = parse_qs(urlsplit(response["Location"]).query)["batch"][0]
    html = client.get(reverse("ingest:upload"), {"batch": batch}).content.decode()
    prefix = re.search(r'name="(f[0-9a-f]+)-name" value="orders.csv"', html).group(1)
    response = client.post(reverse("ingest:start"), {
        "batch": batch, f"{prefix}-name": "orders.csv", f"{prefix}-include": "on",
        f"{prefix}-profile": "shopops_orders", f"{prefix}-store": "tmall"})
    assert response.status_code == 302 and response["Location"] == reverse("ingest:jobs")
    return ImportJob.objects.latest("pk")


def _tasks_rows(client) -> list[tuple[str, str, str]]:
    """(task path, status, duration text) of the jobs page's background tasks, newest first."""
    html = client.get(reverse("jobs:list")).content.decode()
    rows = re.findall(r'<tr data-task="([\w.]+)" data-task-status="(\w+)">(.*?)</tr>', html, re.S)
    return [(path, status, re.search(r"<td data-seconds>(.*?)</td>", body, re.S).group(1).strip())
            for path, status, body in rows]


def test_a_web_import_waits_for_the_worker_and_shows_on_the_jobs_page(director, warehouse):
    job = _start_import(director)
    assert job.status == ImportJob.Status.QUEUED  # nothing ran in the request
    assert warehouse.table("orders").count().execute() == 0
    assert _tasks_rows(director) == [("shopops.ingest.tasks.import_job_task", "READY", "")]

    assert work_pending() == 1  # the jobs worker's own loop, in this thread
    job.refresh_from_db()
    assert (job.status, job.rows_read, job.rows_inserted, job.rows_rejected) == ("loaded", 6, 2, 4)
    assert warehouse.table("orders").count().execute() == 2
    [(path, status, seconds)] = _tasks_rows(director)
    assert (path, status) == ("shopops.ingest.tasks.import_job_task", "SUCCESSFUL") and seconds.endswith(" s")
    # the import page shows the finished job as before (no polling once nothing runs)
    jobs_html = director.get(reverse("ingest:jobs")).content.decode()
    assert f'data-job="{job.pk}" data-status="loaded"' in jobs_html and "hx-trigger" not in jobs_html


def test_a_failing_web_import_is_failed_on_its_row_and_on_the_jobs_page(director, tmp_path):
    header = ORDERS_CSV.read_text(encoding="utf-8").splitlines()[0]
    unique = f"{header}\nG1,{tmp_path.name},交易成功,2025-11-11 00:01:00,2025-11-11 00:02:00,1,0,0,1,广东,search,否\n"
    job = _start_import(director, unique.encode("utf-8"))  # bytes no other import archived
    Path(job.input_path).unlink()  # the stored upload vanished before the worker got to it
    assert work_pending() == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "FileNotFoundError" in job.error
    [(path, status, _seconds)] = _tasks_rows(director)
    assert (path, status) == ("shopops.ingest.tasks.import_job_task", "FAILED")
    html = director.get(reverse("jobs:list")).content.decode()
    row = re.search(r'<tr data-task="shopops.ingest.tasks.import_job_task".*?</tr>', html, re.S).group(0)
    assert "data-error" in row and str(Path(job.input_path).parent) not in row  # the error, without server paths


def test_a_web_report_waits_for_the_worker_and_shows_on_the_jobs_page(director):
    _start_import(director)
    assert work_pending() == 1  # two paid orders on 2025-11-11 in the warehouse
    response = director.post(reverse("reports:generate"), {"kind": "weekly", "week": "2025-W46", "month": "",
                                                           "formats": ["html", "xlsx"]})
    assert response.status_code == 302
    report_id = response["Location"].rstrip("/").split("/")[-1]
    assert report_get(report_id=report_id).status == "queued"
    progress = director.get(reverse("reports:progress", args=[report_id]), HTTP_HX_REQUEST="true")
    assert progress.status_code == 200 and "HX-Refresh" not in progress  # still waiting: the page keeps polling

    assert work_pending() == 1
    record = report_get(report_id=report_id)
    assert record.status == "done" and set(record.files) == {"html", "xlsx"}
    assert director.get(reverse("reports:progress", args=[report_id]), HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    assert director.get(reverse("reports:download", args=[report_id, "xlsx"])).status_code == 200
    paths = [(p, s) for p, s, _ in _tasks_rows(director)]
    assert paths == [("shopops.reports.tasks.report_generate_task", "SUCCESSFUL"),
                     ("shopops.ingest.tasks.import_job_task", "SUCCESSFUL")]
