"""A small demo store (120 days) loaded through the real ingest pipeline, once per session, for the
inventory warehouse reads; and the generator files it came from (the pandas oracle reads them)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

END = dt.date(2025, 6, 30)
DAYS = 120


@pytest.fixture(scope="session")
def inventory_store(_duckdb_warehouse_template, tmp_path_factory):
    """(warehouse URL, generator files directory): built once per test run
    (tests/support/shared_build.py), this worker's own copy of the warehouse; the files are read only."""
    import ibis
    from support.shared_build import copy_duckdb, shared_build

    from shopops.demo.generator import generate
    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_get

    def build(root):
        path = root / "warehouse.duckdb"
        shutil.copyfile(_duckdb_warehouse_template, path)
        manifest = generate(root / "files", days=DAYS, scale="small", seed=3, end_date=END)
        con = ibis.duckdb.connect(str(path))
        for f in manifest.files:
            import_file(f.path, profile=profile_get(f.profile_id), con=con, store_id=f.store_id, strict=True)
        con.disconnect()

    built = shared_build("inventory-store", build)
    path = tmp_path_factory.mktemp("inventory-store") / "warehouse.duckdb"
    copy_duckdb(built / "warehouse.duckdb", path)
    return f"duckdb:///{path}", built / "files"


@pytest.fixture
def inventory_warehouse(inventory_store, monkeypatch):
    from shopops.warehouse import connection

    url, files = inventory_store
    monkeypatch.setenv("SHOPOPS_WAREHOUSE_URL", url)
    yield connection.connect(url), files
    connection.disconnect_all()
