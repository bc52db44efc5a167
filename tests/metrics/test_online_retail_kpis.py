"""KPIs on real data: the UCI Online Retail file imported through its saved mapping (the run's shared
import, ``online_retail_warehouse``); the expected values are a pandas reading of the raw file, by the
glossary's definitions."""

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from support.online_retail import ONLINE_RETAIL as DATA

from shopops.metrics import query

pytestmark = pytest.mark.skipif(not DATA.exists(), reason=f"real data not present at {DATA}")


def test_monthly_kpis_equal_pandas_over_the_raw_file(online_retail_warehouse):
    warehouse = online_retail_warehouse

    raw = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    sales = raw[~raw.InvoiceNo.str.startswith("C")].copy()
    sales["cents"] = sales.UnitPrice.map(lambda v: Decimal(v).quantize(Decimal("0.01"), ROUND_HALF_UP)) * sales.Quantity.astype(int)
    # invoice times are London local times, so their date is the business date (summer time included)
    sales["month"] = sales.InvoiceDate.str[:7]
    sales["buyer"] = sales.CustomerID.where(sales.CustomerID != "", "guest:" + sales.InvoiceNo)
    for month in ("2010-12", "2011-06", "2011-11"):
        got = query(["gmv", "paid_orders", "paying_buyers", "units_sold"], month, con=warehouse).iloc[0]
        m = sales[sales.month == month]
        assert got.gmv == sum(m.cents, Decimal("0")), month
        assert got.paid_orders == m.InvoiceNo.nunique(), month
        assert got.paying_buyers == m.buyer.nunique(), month
        assert got.units_sold == m.Quantity.astype(int).sum(), month
