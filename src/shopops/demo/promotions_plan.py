"""The demo store's 双11 plan: a realistic campaign on the own mini-program, with one planted mistake.

Built over the demo catalogue as loaded in the warehouse (store ``own``): every SKU gets a
floor price (cost x 1.05), and the draft campaign "双11 主会场" holds what an ops
specialist sets up for 11.11 (all windows: 11 Nov, store time):

- 全场9折 — item discount on apparel, shoes and accessories; SKUs whose cost is more than
  half their price are left out (the usual low-margin exclusion list);
- 满300减30 / 满600减70 — tiered 满减, whole store;
- ¥20 store coupon over ¥199 — 500 claimable codes;
- 跨店满减 每满300减50 — the platform's offer (store share 50 %);
- 秒杀 — one SKU at about 1.3 x cost, 200 units, one per buyer, left out of the store
  coupon and the 满减 (秒杀 items usually are);
- 满399赠 — a tote bag gift;
- 预售 定金膨胀 — ¥50 deposit counts as ¥100 on 羽绒服 and 风衣外套;
- 限时特价 on one T-shirt (the lowest-margin 女装 T恤) at about 1.15 x cost — *the planted
  mistake*: nobody excluded it from the coupon, the 满减 and the 跨店满减, and together
  they take it below its floor. The floor guard must find exactly this SKU and name that
  combination; publishing needs an override reason, which lands in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

from shopops.promotions import services
from shopops.promotions.models import Campaign, Coupon, FlashSale, FloorPrice, Promotion
from shopops.warehouse.connection import connect

STORE_ID = "own"
CAMPAIGN_NAME = "双11 主会场"
MIN_MARGIN = Decimal("0.05")
LOW_MARGIN_COST_SHARE = Decimal("0.5")  # cost / price above this: no 9折
TZ = ZoneInfo("Asia/Shanghai")
PRESALE_SUBCATEGORIES = ("羽绒服", "风衣外套")


@dataclass(frozen=True, slots=True)
class PlanResult:
    campaign: Campaign
    planted_sku: str
    planted_promotions: tuple[str, ...]  # names of the offers that together break its floor
    flash_sku: str
    skus: int


def _catalogue(con) -> list[dict]:
    skus = con.table("skus").filter(lambda t: t.store_id == STORE_ID)
    products = con.table("products").filter(lambda t: t.store_id == STORE_ID)
    joined = skus.join(products, "product_id").select(
        "sku_id", "product_id", "price", "cost", "category", "subcategory").order_by("sku_id")
    rows = joined.to_pyarrow().to_pylist()  # one store's catalogue: ~1,300 rows
    return [r for r in rows if r["price"] and r["cost"] is not None and r["price"] > 0]


def _up(x: Decimal) -> Decimal:
    return x.quantize(Decimal("1"), rounding=ROUND_CEILING)


def _remove_previous() -> None:
    """Running the plan again replaces it (the same input twice changes nothing)."""
    for old in Campaign.objects.filter(name=CAMPAIGN_NAME):
        promos = list(old.promotions.all())
        Coupon.objects.filter(promotion__in=promos).delete()
        old.delete()
        Promotion.objects.filter(pk__in=[p.pk for p in promos]).delete()
    FlashSale.objects.filter(name__startswith="双11 秒杀").delete()


def promotions_plan_create(*, year: int | None = None, con=None) -> PlanResult:
    """Create (or re-create) the demo 双11 campaign and floor prices; returns what was planted."""
    con = con or connect()
    cat = _catalogue(con)
    if not cat:
        raise RuntimeError(f"the warehouse has no SKUs of store {STORE_ID!r}: build the demo store first")
    year = year or dt.datetime.now(TZ).year
    starts = dt.datetime(year, 11, 11, tzinfo=TZ)
    ends = starts + dt.timedelta(days=1)
    window = {"starts_at": starts, "ends_at": ends}

    def share(r) -> Decimal:
        return r["cost"] / r["price"]

    tees = [r for r in cat if r["category"] == "女装" and r["subcategory"] == "T恤"] or cat
    planted = max(tees, key=lambda r: (share(r), r["sku_id"]))
    candidates = [r for r in cat if r["category"] != "家纺" and r["sku_id"] != planted["sku_id"]]
    flash = max(candidates, key=lambda r: (r["price"] if share(r) < Decimal("0.45") else 0, r["sku_id"]))
    low_margin = sorted(r["sku_id"] for r in cat if share(r) > LOW_MARGIN_COST_SHARE)
    special_price = _up(planted["cost"] * Decimal("1.15"))
    flash_price = _up(flash["cost"] * Decimal("1.3"))

    with transaction.atomic():
        _remove_previous()
        for r in cat:
            services.floor_price_set(sku=r["sku_id"], list_price=r["price"], cost=r["cost"], min_margin=MIN_MARGIN,
                                     product=r["product_id"], category=r["category"] or "")
        FloorPrice.objects.exclude(sku__in=[r["sku_id"] for r in cat]).delete()
        promos = [
            services.promotion_create(
                name="全场9折", kind="item_discount", parameters={"rate": "0.9"}, stackable=True,
                scope_categories=["女装", "男装", "鞋靴", "配饰"], exclude_skus=low_margin, **window),
            services.promotion_create(
                name="满300减30 / 满600减70", kind="tiered_reduction",
                parameters={"tiers": [["300", "30"], ["600", "70"]]}, stackable=True,
                exclude_skus=[flash["sku_id"]], **window),
            services.promotion_create(
                name="¥20 店铺券 (满199)", kind="store_coupon", parameters={"amount": "20", "threshold": "199"},
                stackable=True, exclude_skus=[flash["sku_id"]], **window),
            services.promotion_create(
                name="跨店满减 每满300减50", kind="cross_store_reduction", parameters={"threshold": "300", "amount": "50"},
                stackable=True, bearer="platform", store_share=Decimal("0.5"), **window),
            services.promotion_create(
                name=f"秒杀 {flash['sku_id']}", kind="flash_sale", parameters={"price": str(flash_price), "max_units": 1},
                scope_skus=[flash["sku_id"]], exclusive_group="秒杀", **window),
            services.promotion_create(
                name="满399赠 帆布袋", kind="gift", parameters={"threshold": "399", "gift_value": "39", "gift_sku": "GIFT-TOTE"},
                **window),
            services.promotion_create(
                name="预售 定金50抵100 (羽绒服/风衣外套)", kind="presale", parameters={"deposit": "50", "deposit_value": "100"},
                scope_skus=[r["sku_id"] for r in cat if r["subcategory"] in PRESALE_SUBCATEGORIES] or [planted["sku_id"] + "-none"],
                stackable=True, **window),
            services.promotion_create(
                name=f"限时特价 {planted['sku_id']}", kind="special_price", parameters={"price": str(special_price)},
                scope_skus=[planted["sku_id"]], **window),
        ]
        coupon_promo = promos[2]
        coupon = services.coupon_create(promotion=coupon_promo, name="双11 ¥20 店铺券", valid_from=starts - dt.timedelta(days=10),
                                        valid_until=ends, total_quantity=500, per_customer_limit=1)
        services.coupon_issue(coupon=coupon, now=starts - dt.timedelta(days=10), claimable=500)
        services.flash_sale_create(sku=flash["sku_id"], name=f"双11 秒杀 {flash['sku_id']}", price=flash_price, quantity=200,
                                   per_buyer_limit=1, starts_at=starts + dt.timedelta(hours=20),
                                   ends_at=starts + dt.timedelta(hours=21))
        campaign = services.campaign_create(name=CAMPAIGN_NAME, promotions=promos, **window)
    return PlanResult(campaign=campaign, planted_sku=planted["sku_id"],
                      planted_promotions=(promos[7].name, promos[1].name, promos[2].name, promos[3].name),
                      flash_sku=flash["sku_id"], skus=len(cat))


def promotions_plan_ensure(*, echo=print) -> None:
    """Demo setup: create the plan once, when the demo store has a catalogue and no such campaign exists."""
    if Campaign.objects.filter(name=CAMPAIGN_NAME).exists():
        return
    try:
        plan = promotions_plan_create()
    except RuntimeError as exc:  # no catalogue of the own store (e.g. the warehouse holds other data)
        echo(f"双11 promotions plan skipped: {exc}")
        return
    echo(f"双11 promotions plan: campaign {plan.campaign.name!r} ({plan.skus} SKUs with floor prices; "
         f"planted floor violation on SKU {plan.planted_sku})")


OUTREACH_COUPON_NAME = "老客回购券 满99减15"


def outreach_coupon_ensure(*, last_day: dt.date) -> str:
    """The coupon the demo's past outreach send attaches (its ``coupon_ref``): a ¥15 store
    coupon over ¥99, valid from a month before ``last_day`` to a month after it (and at least
    a month from today, so it stays attachable on a demo built for past dates). Enough codes for
    every customer of the store (at least 100,000): a large demo's send reaches ~150,000."""
    from django.utils import timezone

    existing = Coupon.objects.filter(name=OUTREACH_COUPON_NAME).first()
    if existing is not None:
        return str(existing.pk)
    promotion = services.promotion_create(name=OUTREACH_COUPON_NAME, kind="store_coupon",
                                          parameters={"amount": "15", "threshold": "99"}, stackable=True)
    start = dt.datetime.combine(last_day - dt.timedelta(days=30), dt.time(0), TZ)
    coupon = services.coupon_create(promotion=promotion, name=OUTREACH_COUPON_NAME, valid_from=start,
                                    valid_until=max(start + dt.timedelta(days=60), timezone.now() + dt.timedelta(days=30)),
                                    total_quantity=max(100_000, -(-_customer_count() // 100_000) * 100_000))
    return str(coupon.pk)


def _customer_count() -> int:
    con = connect()
    return int(con.table("customers").count().execute()) if "customers" in con.list_tables() else 0
