"""A new store's own small data, hand-built: no supplier set up yet, a hero SKU sold out, a second store with
no stock data. The stocking plan must not call an empty hero SKU covered, and the replenishment must say why
it suggests nothing (no supplier, no stock data) instead of "nothing to order" (walkthrough A #12, #13, #17).

Store ``shop_one`` (店铺一), one snapshot a week ending on DAY, every SKU ¥100:

* ``H`` — hero, sells exactly 5 a day for 150 days; on hand 100 in every snapshot but DAY's, which is 0.
  Its forecast is 5 a day. For the window 12-20…12-26 (7 days; 19 days from 12-01 to 12-19 before it) with
  a typed uplift of 1: needed at the start 5 × 7 = 35, available 0 − 5 × 19 = −95, order 35 + 95 = **130**.
  No supplier: the stock page's default lead time of 14 days → order by 12-20 − 14 = **2026-12-06**.
* ``Z`` — hero, sold 5 a day from 150 to 101 days back, then nothing; on hand 0 in every snapshot since 100
  days back: no stock, no sale in 90 days, so no forecast — out of stock all of the last **30** days.
* ``C`` — not a hero, sells 5 a day, 100,000 on hand: covered, no line.

Store ``shop_two`` (店铺二): SKUs and sales, no stock snapshot at all."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from html import unescape

import pyarrow as pa
import pytest

from shopops.campaigns.models import CampaignPlan
from shopops.core.roles import Role
from shopops.inventory import services
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse import loader

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 30)
RATE = 5
PRICE = Decimal("100")


def _on_hand(code: str, back: int) -> int:
    if code == "C":
        return 100000
    if code == "H":
        return 0 if back == 0 else 100
    return 0 if back <= 100 else 100  # Z


def _sells(code: str, back: int) -> bool:
    return code != "Z" or back > 100


@pytest.fixture
def new_shop(warehouse):
    loader.load(warehouse, "stores", pa.Table.from_pylist([
        {"store_id": s, "platform": "own", "name": n, "currency": "CNY", "time_zone": "Asia/Shanghai"}
        for s, n in (("shop_two", "店铺二"), ("shop_one", "店铺一"))]))  # the store without stock data first
    codes = "HZC"
    loader.load(warehouse, "products", pa.Table.from_pylist([
        {"store_id": s, "product_id": f"P-{c}", "title": f"商品{c}", "category": "床品"}
        for s in ("shop_one", "shop_two") for c in codes]))
    loader.load(warehouse, "skus", pa.Table.from_pylist([
        {"store_id": s, "sku_id": c, "product_id": f"P-{c}", "spec": "", "merchant_code": c, "price": PRICE,
         "cost": Decimal("40")} for s in ("shop_one", "shop_two") for c in codes]))
    loader.load(warehouse, "inventory_snapshots", pa.Table.from_pylist([
        {"store_id": "shop_one", "date": DAY - dt.timedelta(days=7 * k), "sku_id": c,
         "on_hand": _on_hand(c, 7 * k), "in_transit": 0} for k in range(22) for c in codes]))
    orders, lines = [], []
    for store in ("shop_one", "shop_two"):
        for back in range(150):
            day = DAY - dt.timedelta(days=back)
            for c in codes:
                if not _sells(c, back):
                    continue
                oid = f"{store}-{back}-{c}"
                paid_at = dt.datetime.combine(day, dt.time(4, 0), tzinfo=dt.timezone.utc)
                orders.append({"store_id": store, "order_id": oid, "customer_id": f"c{back % 17}", "status": "paid",
                               "created_at": paid_at, "paid_at": paid_at, "paid_date": day,
                               "paid_amount": PRICE * RATE})
                lines.append({"store_id": store, "order_id": oid, "line_no": 1, "product_id": f"P-{c}",
                              "sku_id": c, "quantity": RATE, "paid_amount": PRICE * RATE, "paid_date": day})
    loader.load(warehouse, "orders", pa.Table.from_pylist(orders))
    loader.load(warehouse, "order_lines", pa.Table.from_pylist(lines))
    role_groups_sync()
    return user_create(username="director", password="a-long-test-password", role=Role.OPS_DIRECTOR)


def _get(client, url, **params) -> str:
    r = client.get(url, params, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 200, r.content.decode()[:2000]
    return unescape(r.content.decode())


def _plan_rows(html: str) -> dict[str, str]:
    """SKU → the text of its plan row."""
    body = html[html.find('data-table="plan"'):]
    body = body[body.find("<tbody>"):body.find("</tbody>")]
    return {m.group(1): row for row in body.split("<tr")[1:]
            if (m := re.search(r'data-col="sku_id" data-value="([^"]+)"', row))}


def test_a_hero_sku_with_no_stock_and_no_supplier_is_short_not_covered(client, new_shop):
    client.force_login(new_shop)
    plan = CampaignPlan.objects.create(name="双12返场", store_ids=["shop_one", "shop_two"],
                                       starts_on=dt.date(2026, 12, 20), ends_on=dt.date(2026, 12, 26),
                                       status=CampaignPlan.Status.APPROVED, hero_skus=["H", "Z"])
    html = _get(client, "/inventory/stocking-plan/", plan=plan.pk, uplift="1")
    rows = _plan_rows(html)
    assert "库存足够本次活动" not in html
    assert set(rows) == {"H", "Z"}  # C is covered and no hero
    h = rows["H"]
    assert re.search(r'data-col="quantity" data-value="(\d+)"', h) and abs(
        int(re.search(r'data-col="quantity" data-value="(\d+)"', h).group(1)) - 130) <= 1
    assert 'data-value="2026-12-06"' in h and "data-no-supplier-line" in h
    z = rows["Z"]
    assert "data-no-forecast-line" in z and "无需求预测：近30天断货 30 天" in z
    assert "库存够" not in z
    # both need attention; the one without a supplier is said, with the way to set suppliers up
    assert "2 个 SKU 需要为活动备货" in html
    assert 'data-no-supplier="2"' in html and "其中 2 个 SKU 还没有设置供应商" in html  # H and Z
    assert 'href="/inventory/suppliers/"' in html
    assert 'data-no-forecast="1"' in html
    # the store without stock data is said, not silently planned as "enough"
    assert "店铺二 尚未导入库存数据：未做备货计划。" in html


def test_the_plan_picker_and_explanation_name_the_stores(client, new_shop):
    client.force_login(new_shop)
    plan = CampaignPlan.objects.create(name="双12返场", store_ids=["shop_one"], starts_on=dt.date(2026, 12, 20),
                                       ends_on=dt.date(2026, 12, 26), status=CampaignPlan.Status.APPROVED,
                                       hero_skus=["H"])
    html = _get(client, "/inventory/stocking-plan/", plan=plan.pk, uplift="1")
    assert "双12返场 (2026-12-20–2026-12-26, 店铺一)" in html
    assert "店铺 店铺一，" in html
    assert "shop_one" not in html.split('data-table="plan"')[0].replace('value="shop_one"', "")
    # one SKU needs attention (H; Z is no hero here and sold nothing in 90 days): said in the singular in English
    client.cookies["django_language"] = "en"
    r = client.get("/inventory/stocking-plan/", {"plan": plan.pk, "uplift": "1"})
    en = unescape(r.content.decode())
    assert "As of 2026-11-30: 1 SKU needs stock for the campaign" in en and "Ordering it costs ¥0.00" in en
    assert "stores 店铺一," in en and "(2026-12-20–2026-12-26, 店铺一)" in en


def test_replenishment_says_no_supplier_not_nothing_to_order(client, new_shop):
    client.force_login(new_shop)
    # no store asked: it opens on the store with stock data, not on the first store (店铺二 has none)
    html = _get(client, "/inventory/replenishment/")
    assert re.search(r'<option value="shop_one" selected>', html)
    assert "无需补货" not in html
    # H is out of stock; C and Z have no supplier either (Z: stock-out with no forecast is not "at risk")
    m = re.search(r'data-unsupplied="(\d+)"', html)
    assert m and int(m.group(1)) == 3
    assert "本店有 3 个 SKU 还没有设置供应商，无法给出补货建议。" in html
    assert re.search(r"其中 \d+ 个已断货或有断货风险：H", html)
    assert 'href="/inventory/suppliers/"' in html
    assert "无法给出补货建议：本店还没有任何 SKU 设置了供应商。" in html


def test_replenishment_of_a_store_without_stock_data_says_so(client, new_shop):
    client.force_login(new_shop)
    html = _get(client, "/inventory/replenishment/", store="shop_two")
    assert re.search(r'<option value="shop_two" selected>', html)
    assert "店铺二 尚未导入库存数据：这个店铺无从计算补货。" in html
    assert "无需补货" not in html and "data-unsupplied" not in html


def test_with_a_supplier_for_every_sku_the_page_is_as_before(client, new_shop):
    buyer = user_create(username="buyer", password="a-long-test-password", role=Role.PROCUREMENT)
    s = services.supplier_create(user=buyer, code="SUP", name="供应商", promised_lead_days=14)
    for c in "HZC":
        services.supplier_item_set(user=buyer, supplier=s, merchant_code=c, unit_price="40", moq=1, case_pack=1,
                                   valid_from=DAY - dt.timedelta(days=200))
    client.force_login(new_shop)
    html = _get(client, "/inventory/replenishment/", store="shop_one")
    assert "data-unsupplied" not in html and "data-no-stock" not in html
    assert re.search(r'data-suggestion="shop_one\|H"', html)  # H is out of stock and now has a supplier
