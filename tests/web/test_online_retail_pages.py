"""The products and customers pages on real data: the UCI Online Retail file imported
through its saved mapping, every number compared with a pandas reading of the raw file
by the glossary's definitions (new/returning buyer, repurchase rate, cohort retention)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from support.online_retail import ONLINE_RETAIL as DATA
from support.pages import table_rows, tiles, workbook

NOVEMBER = {"period": "custom", "start": "2011-11-01", "end": "2011-11-30"}

pytestmark = [pytest.mark.skipif(not DATA.exists(), reason=f"real data not present at {DATA}"),
              pytest.mark.django_db]


@pytest.fixture
def retail(online_retail_warehouse):
    """The file imported (once per test run, tests/conftest.py), this test's own copy."""
    return online_retail_warehouse


@pytest.fixture(scope="module")
def sales() -> pd.DataFrame:
    """Paid sales rows of the raw file: cancellations (C-invoices) are refunds, not sales."""
    raw = pd.read_csv(DATA, dtype=str, keep_default_na=False)
    s = raw[~raw.InvoiceNo.str.startswith("C")].copy()
    s["qty"] = s.Quantity.astype(int)
    s["amount"] = s.UnitPrice.map(lambda v: Decimal(v).quantize(Decimal("0.01"), ROUND_HALF_UP)) * s.qty
    s["day"] = s.InvoiceDate.str[:10]  # London local time = the store's business date
    s["month"] = s.InvoiceDate.str[:7]
    s["buyer"] = s.CustomerID.where(s.CustomerID != "", "guest:" + s.InvoiceNo)
    return s


@pytest.fixture
def director(client):
    role_groups_sync()
    client.force_login(user_create(username="director", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    return client


def test_products_page_ranks_products_as_pandas_does(retail, sales, director):
    m = sales[sales.month == "2011-11"]
    per_product = m.groupby("StockCode").agg(gmv=("amount", lambda a: sum(a, Decimal(0))), units=("qty", "sum"))
    want = per_product.sort_values("gmv", ascending=False).head(10)

    sheet = workbook(director.get(reverse("web:products"), {**NOVEMBER, "format": "xlsx"}))
    header = [c.value for c in sheet[1]]
    assert header[:5] == ["商品", "商品标题", "店铺", "商品支付金额", "支付件数"]
    body = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(body) >= 10
    got = [(r[0], Decimal(str(r[3])).quantize(Decimal("0.01")), r[4]) for r in body[:10]]
    assert got == [(code, row.gmv, int(row.units)) for code, row in want.iterrows()]


def test_customers_page_new_returning_repurchase_and_cohorts(retail, sales, director):
    m = sales[sales.month == "2011-11"]
    first_month = sales.groupby("buyer").month.min()
    buyers = m.buyer.unique()
    new = sum(first_month[b] == "2011-11" for b in buyers)
    orders_per_buyer = m.groupby("buyer").InvoiceNo.nunique()

    html = director.get(reverse("web:customers"), NOVEMBER).content.decode()
    t = tiles(html)
    assert int(t["paying_buyers"]) == len(buyers)
    assert int(t["new_buyers"]) == new
    assert int(t["returning_buyers"]) == len(buyers) - new
    assert float(t["repurchase_rate"]) == pytest.approx((orders_per_buyer >= 2).sum() / len(buyers))

    # cohort retention: of the buyers whose first order is in month M, the share who paid in M+k
    months_of = sales.groupby("buyer").month.unique().map(set)
    cohorts = {r["cohort"]: r for r in table_rows(html, "cohorts")}
    assert cohorts, "no cohort rows"
    for cohort in ("2010-12", "2011-03", "2011-08"):
        members = first_month[first_month == cohort].index
        assert int(cohorts[cohort]["size"]) == len(members), cohort
        y, mo = map(int, cohort.split("-"))
        for k in (1, 2, 3):
            later = f"{y + (mo - 1 + k) // 12:04d}-{(mo - 1 + k) % 12 + 1:02d}"
            share = sum(later in months_of[b] for b in members) / len(members)
            assert float(cohorts[cohort][f"m{k}"]) == pytest.approx(share, abs=1e-9), (cohort, k)
