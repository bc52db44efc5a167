"""Fixtures of the customers tests: the real Online Retail file imported once per session."""

from __future__ import annotations


import pandas as pd
import pytest

from support.online_retail import ONLINE_RETAIL


@pytest.fixture(scope="session")
def online_retail_raw() -> pd.DataFrame:
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"real data not present at {ONLINE_RETAIL}")
    return pd.read_csv(ONLINE_RETAIL, dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def online_retail(_online_retail_file, tmp_path_factory: pytest.TempPathFactory):
    """A DuckDB warehouse (Ibis) holding store ``uci``: the Online Retail file through its saved mapping
    (imported once per test run by tests/conftest.py; this worker's own copy)."""
    import ibis
    from support.shared_build import copy_duckdb

    path = copy_duckdb(_online_retail_file, tmp_path_factory.mktemp("online-retail") / "warehouse.duckdb")
    con = ibis.duckdb.connect(str(path))
    yield con
    con.disconnect()
