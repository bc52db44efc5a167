"""Acceptance on real data: the UCI Online Retail file through a saved generic mapping.

Expected counts are the published facts of the data set (shared/data/README.md) and a
pandas reading of the same file; none comes from the code under test.
"""

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest

from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profile_from_toml
from shopops.warehouse.loader import load
from support.online_retail import ONLINE_RETAIL as DATA

PROFILE = profile_from_toml((Path(__file__).parent / "fixtures" / "online_retail_uci.toml").read_text(encoding="utf-8"))

pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"real data not present at {DATA}")


@pytest.fixture(scope="module")
def raw():
    return pd.read_csv(DATA, dtype=str, keep_default_na=False)


@pytest.fixture
def imported(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["uci"], "platform": ["own"], "name": ["UK online retailer"],
        "currency": ["GBP"], "time_zone": ["Europe/London"],
    }))
    first = import_file(DATA, profile=PROFILE, con=warehouse, store_id="uci", tz="Europe/London", strict=True)
    return warehouse, first


def scalar(con, sql):
    return con.raw_sql(sql).fetchone()[0]


def test_counts_equal_the_published_facts(imported, raw):
    con, first = imported
    assert first.loaded and first.rows_read == 541_909 and first.rows_rejected == 0
    lines = scalar(con, "select count(*) from order_lines") + scalar(con, "select count(*) from refunds")
    assert lines == 541_909
    invoices = scalar(con, "select count(*) from orders") + scalar(
        con, "select count(distinct split_part(refund_id, '-', 1)) from refunds"
    )
    assert invoices == 25_900
    assert scalar(con, "select count(*) from customers where customer_id not like 'guest:%'") == 4_372
    cancellations = raw[raw.InvoiceNo.str.startswith("C")]
    assert scalar(con, "select count(*) from refunds") == len(cancellations)
    assert scalar(con, "select min(created_at) from orders").strftime("%Y-%m-%d %H:%M") == "2010-12-01 08:26"
    assert scalar(con, "select max(created_at) from orders").strftime("%Y-%m-%d %H:%M") == "2011-12-09 12:50"


def test_amounts_equal_pandas_and_ids_lose_their_float_tail(online_retail_warehouse, raw):
    con = online_retail_warehouse  # the same import, made once per test run (tests/conftest.py)
    sales = raw[~raw.InvoiceNo.str.startswith("C")]
    # pandas: per-line amount from the exact price, rounded half-up to the cent as the mapping says
    price = sales.UnitPrice.map(Decimal).map(lambda d: d.quantize(Decimal("0.01"), rounding="ROUND_HALF_UP"))
    expected = sum(price * sales.Quantity.astype(int), Decimal("0"))
    assert scalar(con, "select sum(paid_amount) from orders") == expected
    assert scalar(con, "select sum(paid_amount) from order_lines") == expected
    assert scalar(con, "select count(*) from customers where customer_id = '17850'") == 1
    guests = sales[sales.CustomerID == ""].InvoiceNo.nunique()
    assert scalar(con, "select count(*) from orders where customer_id like 'guest:%'") == guests


def test_second_import_changes_nothing(online_retail_warehouse):
    con = online_retail_warehouse  # imported once already (the same file, mapping and store)
    again = import_file(DATA, profile=PROFILE, con=con, store_id="uci", tz="Europe/London", strict=True)
    assert again.loaded and (again.inserted, again.updated) == (0, 0)
