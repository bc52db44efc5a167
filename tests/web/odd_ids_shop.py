"""A shop whose product and buyer ids are hostile or odd (issue 14): HTML, a slash, spaces,
emoji, 500 characters, dot segments, URL syntax, formulas. Imports (or an older collector)
can bring such ids into the warehouse; every page, link and export must cope.

On top of the hand-made shop of ``test_analysis_views`` (period 2025-11-10..11): one paid
tmall order per odd id on 2025-11-10, by a buyer of that odd id, with one line of a product
of that odd id (amount 10.00 + its index, so each is distinct), and a product_view event.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa

from shopops.warehouse.loader import load
from tests.web.test_analysis_views import load_shop

XSS = "<img src=x onerror=window.__xss=1>"
ODD_IDS = [
    XSS,
    "a/b",
    "with space",
    "礼盒 🎁",
    "x" * 500,
    "..",
    "q?x=1#frag",
    "100%",
    '=HYPERLINK("http://evil.example","x")',
    "-2+3+cmd",
    "@SUM(1)",
]
FORMULAS = [i for i in ODD_IDS if i[:1] in "=+-@"]
DAY = dt.date(2025, 11, 10)


def amount(index: int) -> Decimal:
    return Decimal("10.00") + index


def load_odd_shop(con, ids: list[str] = ODD_IDS) -> None:
    """``ids`` keep their index in ODD_IDS (their amounts), so a subset is the same shop minus some."""
    load_shop(con)
    at = dt.datetime(2025, 11, 10, 4, tzinfo=dt.UTC)
    load(con, "orders", pa.Table.from_pylist([
        {"store_id": "tmall", "order_id": f"odd{i}", "customer_id": odd, "status": "paid", "created_at": at,
         "paid_at": at, "paid_date": DAY, "paid_amount": amount(i), "traffic_source": "search"}
        for i, odd in enumerate(ODD_IDS) if odd in ids
    ]))
    load(con, "order_lines", pa.Table.from_pylist([
        {"store_id": "tmall", "order_id": f"odd{i}", "line_no": 1, "product_id": odd, "sku_id": f"SKU{i}",
         "quantity": 1, "paid_amount": amount(i), "paid_date": DAY}
        for i, odd in enumerate(ODD_IDS) if odd in ids
    ]))
    load(con, "products", pa.Table.from_pylist([
        {"store_id": "tmall", "product_id": odd, "title": f"{odd} 标题"} for odd in ODD_IDS if odd in ids
    ]))
    load(con, "events", pa.Table.from_pylist([
        {"store_id": "tmall", "event_id": f"odd-e{i}", "visitor_id": f"odd-v{i}", "session_id": f"odd-s{i}",
         "event_type": "product_view", "page": "product", "product_id": odd, "traffic_source": "search",
         "occurred_at": at, "event_date": DAY}
        for i, odd in enumerate(ODD_IDS) if odd in ids
    ]))
