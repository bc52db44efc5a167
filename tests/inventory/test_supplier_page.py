"""One supplier's page: the scorecard against a hand count (lead times, on-time / in-full / OTIF, refund and
defect rates with reasons, late open lines, price history), and the items and price-history tables 100 rows
at a time with every row in their XLSX exports (a supplier of hundreds of merchant codes)."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import openpyxl
import pyarrow as pa
import pytest
from django.utils import timezone

from shopops.core.roles import Role
from shopops.inventory import selectors, services
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse import loader
from tests.inventory import app_shop

pytestmark = pytest.mark.django_db
TODAY = app_shop.LAST_SNAPSHOT  # the stock pages' as-of day


@pytest.fixture
def buyer(db):
    role_groups_sync()
    return user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT)


def _po(buyer, supplier, ordered_on, lines):
    po = services.purchase_order_create(
        user=buyer, supplier=supplier, ordered_on=ordered_on, now=timezone.now(),
        lines=[services.LineIn("s1", app_shop.sku_id("s1", code), code, qty, expected_on=expected)
               for code, qty, expected in lines])
    services.purchase_order_send(user=buyer, po=po, now=timezone.now())
    return po


def _receive(buyer, po, reference, day, quantities):
    services.purchase_order_receive(user=buyer, po=po, reference=reference, received_on=day, quantities=quantities,
                                    now=timezone.now())


def test_scorecard_matches_a_hand_count(warehouse, buyer):
    sales = app_shop.build(warehouse)["sales"]
    s = services.supplier_create(user=buyer, code="SUP-S", name="评分供应商", promised_lead_days=14)
    for code in ("M-1", "M-2", "M-5"):
        services.supplier_item_set(user=buyer, supplier=s, merchant_code=code, unit_price="10.00",
                                   valid_from=TODAY - dt.timedelta(days=60))
    services.supplier_item_set(user=buyer, supplier=s, merchant_code="M-5", unit_price="9.50",
                               valid_from=TODAY - dt.timedelta(days=10))  # a new list price
    d = TODAY - dt.timedelta(days=40)
    # line 1: all 100 two days early (lead 12); line 2: 30 then the last 20 after the due day (lead 20, late)
    po1 = _po(buyer, s, d, [("M-1", 100, d + dt.timedelta(days=14)), ("M-2", 50, d + dt.timedelta(days=14))])
    _receive(buyer, po1, "DN-1", d + dt.timedelta(days=12), {1: 100})
    _receive(buyer, po1, "DN-2", d + dt.timedelta(days=20), {2: 30})
    _receive(buyer, po1, "DN-3", d + dt.timedelta(days=22), {2: 20})
    # 25 of 40 came (lead 15), the rest cancelled: due, not in full, not on time
    d2 = TODAY - dt.timedelta(days=30)
    po2 = _po(buyer, s, d2, [("M-5", 40, d2 + dt.timedelta(days=14))])
    _receive(buyer, po2, "DN-4", d2 + dt.timedelta(days=15), {1: 25})
    services.purchase_order_cancel(user=buyer, po=po2, now=timezone.now())
    # due six days ago, nothing came: due, late and open
    d3 = TODAY - dt.timedelta(days=20)
    po3 = _po(buyer, s, d3, [("M-5", 60, d3 + dt.timedelta(days=14))])
    # not due yet: not counted
    _po(buyer, s, TODAY - dt.timedelta(days=2), [("M-1", 10, TODAY + dt.timedelta(days=12))])

    # refunds on the supplier's goods (and one on M-3, which it does not supply; one rejected)
    lines = sales[sales["paid_date"] <= TODAY]
    mine = lines[lines["sku_id"].isin([app_shop.sku_id(st, c) for st in app_shop.STORES for c in ("M-1", "M-2", "M-5")])]
    picked = mine.sort_values(["store_id", "order_id"]).head(4).to_dict("records")
    other = lines[lines["sku_id"] == "s1-M-3"].iloc[0]
    refunds = [(picked[0], 1, "质量问题", "success"), (picked[1], None, "尺码不合适", "success"),
               (picked[2], 1, "破损", "success"), (picked[3], 1, "质量问题", "rejected"),
               (other, 1, "质量问题", "success")]
    day = TODAY - dt.timedelta(days=1)
    at = dt.datetime.combine(day, dt.time(4), tzinfo=dt.timezone.utc)
    loader.load(warehouse, "refunds", pa.Table.from_pylist([
        {"store_id": r["store_id"], "refund_id": f"R{i}", "order_id": r["order_id"], "line_no": line_no,
         "requested_at": at, "refunded_at": at, "refund_date": day, "amount": Decimal("1.00"),
         "quantity": int(r["quantity"]), "status": status, "reason": reason}
        for i, (r, line_no, reason, status) in enumerate(refunds)]))

    card = selectors.supplier_scorecard(supplier=s, today=TODAY, con=warehouse)
    assert card["promised_lead_days"] == 14
    assert card["deliveries"] == 3 and card["max_lead_days"] == 20
    assert card["actual_lead_days"] == pytest.approx((12 + 20 + 15) / 3)
    assert card["lines_due"] == 4  # M-1 and M-2 of PO 1, PO 2's M-5, PO 3's M-5
    assert card["on_time_rate"] == pytest.approx(1 / 4)
    assert card["in_full_rate"] == pytest.approx(2 / 4)
    assert card["otif_rate"] == pytest.approx(1 / 4)
    assert [(x["number"], x["merchant_code"], x["open_quantity"]) for x in card["late_open_lines"]] == \
        [(po3.number, "M-5", 60)]
    sold = int(mine["quantity"].sum())
    q = [int(r["quantity"]) for r in picked]
    assert card["sold_units"] == sold
    assert card["refunded_units"] == q[0] + q[1] + q[2]
    assert card["defect_units"] == q[0] + q[2]  # 质量问题 and 破损; 尺码不合适 is the buyer's
    assert card["refund_rate"] == pytest.approx((q[0] + q[1] + q[2]) / sold)
    assert card["defect_rate"] == pytest.approx((q[0] + q[2]) / sold)
    assert dict(card["refund_reasons"]) == {"质量问题": q[0], "尺码不合适": q[1], "破损": q[2]}
    history = card["price_history"]["M-5"]
    assert history["list"] == [(TODAY - dt.timedelta(days=60), Decimal("10.0000")),
                               (TODAY - dt.timedelta(days=10), Decimal("9.5000"))]
    # both POs of M-5 were placed after the new price: they paid it
    assert history["paid"] == [(TODAY - dt.timedelta(days=30), Decimal("9.5000")), (TODAY - dt.timedelta(days=20), Decimal("9.5000"))]


ITEMS = 230


def test_items_and_prices_a_hundred_at_a_time_and_every_row_in_the_exports(client, warehouse, buyer):
    app_shop.build(warehouse)
    s = services.supplier_create(user=buyer, code="SUP-BIG", name="大供应商")
    codes = [f"X-{k:04d}" for k in range(1, ITEMS + 1)]
    for k, code in enumerate(codes):
        services.supplier_item_set(user=buyer, supplier=s, merchant_code=code, unit_price=f"{10 + k % 7}.25",
                                   moq=k % 5 + 1, price_breaks=[(100, "9.00")] if k % 2 else (),
                                   valid_from=TODAY - dt.timedelta(days=30))
    client.force_login(buyer)
    url = f"/inventory/suppliers/{s.pk}/"

    def item_codes(html: str) -> list[str]:
        body = html.split('data-table="items"', 1)[1].split("</table>", 1)[0]
        return re.findall(r'data-col="merchant_code" data-value="([^"]+)"', body)

    html = client.get(url).content.decode()
    assert item_codes(html) == codes[:100]
    assert re.search(r'data-pager="items">[^<]*\b1–100\D+230\b', html)
    html3 = client.get(url + "?items=3").content.decode()
    assert item_codes(html3) == codes[200:]
    assert client.get(url + "?items=99").status_code == 200  # beyond the last page: the last page
    assert item_codes(client.get(url + "?items=abc").content.decode()) == codes[:100]

    r = client.get(url + "?export=items&format=xlsx")
    assert r.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + ITEMS and [row[0] for row in rows[1:]] == codes
    assert rows[2][1] == pytest.approx(11.25) and rows[2][2] == 2 and "≥100: 9.00" in rows[2][5]

    r = client.get(url + "?export=prices&format=xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(r.content)).active.iter_rows(values_only=True))
    assert len(rows) == 1 + ITEMS  # one list price each, nothing ordered yet
    assert {row[0] for row in rows[1:]} == set(codes)
