"""Fixtures of the customers tests: the real Online Retail file imported once per session."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

ROOT = Path(__file__).parents[2]
ONLINE_RETAIL = ROOT.parent / "shared" / "data" / "online_retail_uci" / "online_retail.csv.gz"
PROFILE = ROOT / "tests" / "ingest" / "fixtures" / "online_retail_uci.toml"


@pytest.fixture(scope="session")
def online_retail_raw() -> pd.DataFrame:
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"real data not present at {ONLINE_RETAIL}")
    return pd.read_csv(ONLINE_RETAIL, dtype=str, keep_default_na=False)


@pytest.fixture(scope="session")
def online_retail(tmp_path_factory: pytest.TempPathFactory):
    """A DuckDB warehouse (Ibis) holding store ``uci``: the Online Retail file through its saved mapping."""
    if not ONLINE_RETAIL.exists():
        pytest.skip(f"real data not present at {ONLINE_RETAIL}")
    import ibis

    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_from_toml
    from shopops.warehouse.loader import ensure_tables, load

    con = ibis.duckdb.connect(str(tmp_path_factory.mktemp("online-retail") / "warehouse.duckdb"))
    ensure_tables(con)
    load(con, "stores", pa.table({
        "store_id": ["uci"], "platform": ["own"], "name": ["UK online retailer"],
        "currency": ["GBP"], "time_zone": ["Europe/London"],
    }))
    profile = profile_from_toml(PROFILE.read_text(encoding="utf-8"))
    outcome = import_file(ONLINE_RETAIL, profile=profile, con=con, store_id="uci", tz="Europe/London", strict=True)
    assert outcome.loaded and outcome.rows_rejected == 0
    yield con
    con.disconnect()
