"""The incident store: a demo store (eval scale, 90 days to 2025-10-14) with twelve planted
incidents of known cause, built once per test session through the real ingest pipeline."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

D = dt.date
END = D(2025, 10, 14)
DAYS = 90
EVAL_FIRST = D(2025, 8, 20)  # from here every day has 5+ weeks of history

# two of each kind, in different stores (a tracking outage only where there is an event stream: own),
# spaced so one store never has two at once
INCIDENTS = (
    ("price_rise", "tmall", D(2025, 8, 27)), ("stock_out", "jd", D(2025, 8, 28)),
    ("bad_reviews", "douyin", D(2025, 8, 29)), ("competitor_cut", "tmall", D(2025, 9, 3)),
    ("ad_cut", "pdd", D(2025, 9, 2)), ("tracking_outage", "own", D(2025, 9, 4)),
    ("price_rise", "douyin", D(2025, 9, 16)), ("stock_out", "tmall", D(2025, 9, 17)),
    ("bad_reviews", "jd", D(2025, 9, 18)), ("competitor_cut", "pdd", D(2025, 9, 24)),
    ("ad_cut", "tmall", D(2025, 10, 1)), ("tracking_outage", "own", D(2025, 10, 8)),
)


@pytest.fixture(scope="session")
def incident_store(_duckdb_warehouse_template, tmp_path_factory, django_db_setup, django_db_blocker):
    """(warehouse URL, truth rows from incidents.json): built once per test run
    (tests/support/shared_build.py), this worker's own copy of the warehouse."""
    from support.shared_build import copy_duckdb, shared_build

    from shopops.demo.generator import generate
    from shopops.demo.generator.incidents import Incident
    from shopops.ingest.models import ImportJob
    from shopops.ingest.services import import_job_run
    from shopops.warehouse import connection

    def build(root: Path) -> None:
        path = root / "warehouse.duckdb"
        shutil.copyfile(_duckdb_warehouse_template, path)
        files = root / "files"
        incidents = [Incident(kind, store, day) for kind, store, day in INCIDENTS]
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("SHOPOPS_WAREHOUSE_URL", f"duckdb:///{path}")
            manifest = generate(files, days=DAYS, scale="eval", seed=7, end_date=END, incidents=incidents)
            with django_db_blocker.unblock():
                before = ImportJob.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
                for f in manifest.files:
                    job = import_job_run(path=f.path, profile_id=f.profile_id, store_id=f.store_id, strict=True,
                                         source=ImportJob.Source.DEMO, archive=False)
                    assert job.status == ImportJob.Status.LOADED, f.path
                ImportJob.objects.filter(pk__gt=before).delete()
            connection.disconnect_all()

    built = shared_build("insights-incident-store", build)
    path = tmp_path_factory.mktemp("incident-store") / "warehouse.duckdb"
    copy_duckdb(built / "warehouse.duckdb", path)
    truth = json.loads((built / "files" / "incidents.json").read_text("utf-8"))
    yield f"duckdb:///{path}", truth
    connection.disconnect_all()


@pytest.fixture
def incident_warehouse(incident_store, monkeypatch):
    from shopops.warehouse import connection

    url, truth = incident_store
    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", url)
    yield truth
    connection.disconnect_all()
