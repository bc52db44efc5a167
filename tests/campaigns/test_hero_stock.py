"""Hero SKUs' stock cover in the plan, its readiness checklist and the live page, read from the
inventory module (``inventory.selectors.stock_health``) on a small warehouse loaded through the real
loader; expected values from the generated snapshots and sales with pandas (not the code under test)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import translation

from shopops.campaigns import selectors
from shopops.campaigns.services import StoreRef
from shopops.core.roles import Role
from tests.campaigns.factories import plan, user
from tests.inventory import app_shop

pytestmark = pytest.mark.django_db
S1, S2 = StoreRef("s1", "CNY", "Asia/Shanghai"), StoreRef("s2", "CNY", "Asia/Shanghai")


def oracle(data, store: str, code: str, ends_on: dt.date) -> dict:
    day = app_shop.LAST_SNAPSHOT  # the stock pages' as-of day: the last snapshot
    snaps = data["snapshots"]
    sku = app_shop.sku_id(store, code)
    last = snaps[(snaps["sku_id"] == sku)].sort_values("date").iloc[-1]
    sales = data["sales"]
    s = sales[(sales["sku_id"] == sku) & (pd.to_datetime(sales["paid_date"]).dt.date >= day - dt.timedelta(days=29))
              & (pd.to_datetime(sales["paid_date"]).dt.date <= day)]
    demand = s["quantity"].sum() / 30
    cover = int(last["on_hand"]) / demand if demand else None
    needed = (ends_on - day).days
    return {"on_hand": int(last["on_hand"]), "cover": cover, "needed": needed,
            "covered": (cover is not None and cover >= needed) if demand else int(last["on_hand"]) > 0}


def test_hero_stock_cover_from_the_inventory_module(warehouse, client):
    data = app_shop.build(warehouse)
    ends_on = app_shop.DAY + dt.timedelta(days=10)
    p = plan(stores=(S1, S2), starts_on=app_shop.DAY + dt.timedelta(days=5), ends_on=ends_on,
             hero_skus=["M-5", "s1-M-3", "NOPE-1"])
    report = selectors.hero_stock(p)
    assert report.day == app_shop.LAST_SNAPSHOT
    got = {(r.sku, r.store_id): r for r in report.rows}
    # M-5 by merchant code in both stores, s1-M-3 by SKU id in s1 only; NOPE-1 nowhere
    assert set(got) == {("M-5", "s1"), ("M-5", "s2"), ("s1-M-3", "s1")}
    assert report.missing == ["NOPE-1"]
    for (sku, store), r in got.items():
        code = sku if sku.startswith("M-") else sku.split("-", 1)[1]
        e = oracle(data, store, code, ends_on)
        assert r.on_hand == e["on_hand"] and r.needed_days == e["needed"]
        assert (r.days_of_cover is None) == (e["cover"] is None)
        if e["cover"] is not None:
            assert r.days_of_cover == pytest.approx(e["cover"])
        assert r.covered == e["covered"]
    short = sorted({sku for (sku, store), r in got.items()
                    if not oracle(data, store, sku if sku.startswith("M-") else sku.split("-", 1)[1], ends_on)["covered"]})
    assert report.short == short
    item = next(i for i in selectors.plan_readiness(p) if i.key == "stock")
    assert item.state == "open" and "NOPE-1" in item.detail
    for sku in short:
        assert sku in item.detail
    # the plan page shows the table, one row per hero SKU and store
    client.force_login(user(Role.OPS_SPECIALIST, "ops"))
    html = client.get(reverse("campaigns:plan", args=[p.pk])).content.decode()
    assert 'data-table="hero-stock"' in html
    assert html.count('data-store="s1"') == 2 and html.count('data-store="s2"') == 1 and "data-missing" in html


def test_every_hero_sku_covered_makes_the_checklist_item_ok(warehouse):
    data = app_shop.build(warehouse)
    ends_on = app_shop.LAST_SNAPSHOT + dt.timedelta(days=1)
    # pick, by the oracle, the SKUs covered for one day
    covered = [c for c in app_shop.CODES if oracle(data, "s1", c, ends_on)["covered"]]
    assert covered
    p = plan(stores=(S1,), starts_on=app_shop.LAST_SNAPSHOT, ends_on=ends_on,
             hero_skus=[app_shop.sku_id("s1", c) for c in covered])
    item = next(i for i in selectors.plan_readiness(p) if i.key == "stock")
    assert item.state == "ok", item.detail


def test_no_stock_data_is_said_not_hidden(warehouse):
    p = plan(hero_skus=["X-1"])
    with translation.override("en"):
        item = next(i for i in selectors.plan_readiness(p) if i.key == "stock")
    assert item.state == "open" and "stock snapshots" in item.detail


def test_the_live_pages_hero_stock_is_kept_until_the_warm_job_refreshes_it(warehouse):
    """A visitor never rebuilds a fresh report; the campaigns_warm job (``refresh=True``) rebuilds one older
    than half of HERO_STOCK_SECONDS; a page rebuilds it only when it is older than HERO_STOCK_MAX_SECONDS.
    The change seen: a PO of 37 units sent for the hero SKU is its in-transit (shopops' open PO replaces
    the snapshot's in-transit of a SKU shopops orders)."""
    import time

    from django.utils import timezone

    from shopops.inventory import services as inventory_services

    app_shop.build(warehouse)
    buyer = user(Role.PROCUREMENT, "buyer")
    p = plan(stores=(S1,), starts_on=app_shop.DAY + dt.timedelta(days=5), ends_on=app_shop.DAY + dt.timedelta(days=10),
             hero_skus=["s1-M-3"])
    t0 = time.time()
    before = selectors.hero_stock(p, now=t0).rows[0]
    supplier = inventory_services.supplier_create(user=buyer, code="SUP-H", name="供应商H")
    inventory_services.supplier_item_set(user=buyer, supplier=supplier, merchant_code="M-3", unit_price="10.00",
                                         moq=1, case_pack=1, valid_from=app_shop.DAY)
    po = inventory_services.purchase_order_create(
        user=buyer, supplier=supplier, ordered_on=app_shop.DAY, now=timezone.now(),
        lines=[inventory_services.LineIn("s1", "s1-M-3", "M-3", 37)], known_skus={("s1", "s1-M-3"): "M-3"})
    inventory_services.purchase_order_send(user=buyer, po=po, now=timezone.now())
    half, most = selectors.HERO_STOCK_SECONDS / 2, selectors.HERO_STOCK_MAX_SECONDS
    assert selectors.hero_stock(p, now=t0 + half + 1).rows[0] == before  # a visitor: the kept report
    assert selectors.hero_stock(p, refresh=True, now=t0 + half - 1).rows[0] == before  # the job: still fresh
    refreshed = selectors.hero_stock(p, refresh=True, now=t0 + half + 1).rows[0]
    assert refreshed.in_transit == 37 and refreshed.on_hand == before.on_hand
    # no job for longer than the most: the next visitor rebuilds it (a PO cancelled meanwhile shows)
    inventory_services.purchase_order_cancel(user=buyer, po=po, now=timezone.now())
    assert selectors.hero_stock(p, now=t0 + half + 2).rows[0].in_transit == 37
    assert selectors.hero_stock(p, now=t0 + half + 1 + most + 1).rows[0].in_transit == 0


def test_the_warm_job_builds_the_hero_stock_of_an_approved_plan_further_ahead(warehouse):
    """pages_warm keeps the hero stock of approved plans beyond the live pages' window too: the first
    visitor reads the report the job built (a PO sent afterwards is not in it until the next refresh)."""
    from django.utils import timezone

    from shopops.campaigns.analytics import pages_warm
    from shopops.campaigns.models import CampaignPlan
    from shopops.inventory import services as inventory_services

    app_shop.build(warehouse)
    buyer = user(Role.PROCUREMENT, "buyer")
    p = plan(stores=(S1,), starts_on=app_shop.DAY + dt.timedelta(days=60), ends_on=app_shop.DAY + dt.timedelta(days=65),
             hero_skus=["s1-M-3"])
    CampaignPlan.objects.filter(pk=p.pk).update(status=CampaignPlan.Status.APPROVED)
    p.refresh_from_db()
    assert pages_warm(as_of=app_shop.DAY)["hero_stock"] == 1
    supplier = inventory_services.supplier_create(user=buyer, code="SUP-W", name="供应商W")
    inventory_services.supplier_item_set(user=buyer, supplier=supplier, merchant_code="M-3", unit_price="10.00",
                                         moq=1, case_pack=1, valid_from=app_shop.DAY)
    po = inventory_services.purchase_order_create(
        user=buyer, supplier=supplier, ordered_on=app_shop.DAY, now=timezone.now(),
        lines=[inventory_services.LineIn("s1", "s1-M-3", "M-3", 37)], known_skus={("s1", "s1-M-3"): "M-3"})
    inventory_services.purchase_order_send(user=buyer, po=po, now=timezone.now())
    assert selectors.hero_stock(p).rows[0].in_transit != 37  # the job's report, built before the PO
