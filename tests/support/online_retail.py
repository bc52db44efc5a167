"""The UCI Online Retail file (541,909 rows, ../shared/data/README.md) and how the tests import it:
store ``uci`` through the saved mapping tests/ingest/fixtures/online_retail_uci.toml."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ONLINE_RETAIL = (Path(os.environ.get("SHOPOPS_SHARED_DATA") or ROOT.parent / "shared" / "data")
                 / "online_retail_uci" / "online_retail.csv.gz")
PROFILE = ROOT / "tests" / "ingest" / "fixtures" / "online_retail_uci.toml"


def online_retail_import(con) -> None:
    """Store ``uci`` and the Online Retail file into ``con`` (strict: a rejected row fails)."""
    import pyarrow as pa

    from shopops.ingest.pipeline import import_file
    from shopops.ingest.profiles import profile_from_toml
    from shopops.warehouse.loader import load

    load(con, "stores", pa.table({
        "store_id": ["uci"], "platform": ["own"], "name": ["UK online retailer"],
        "currency": ["GBP"], "time_zone": ["Europe/London"],
    }))
    profile = profile_from_toml(PROFILE.read_text(encoding="utf-8"))
    outcome = import_file(ONLINE_RETAIL, profile=profile, con=con, store_id="uci", tz="Europe/London", strict=True)
    assert outcome.loaded and outcome.rows_rejected == 0
