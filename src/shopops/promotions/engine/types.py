"""Frozen, typed values of the promotion engine. Money is Decimal at the edges, integer
cents inside the engine (``cents()`` / ``yuan()`` convert)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from functools import lru_cache

CENT = Decimal("0.01")


@lru_cache(maxsize=65536)
def cents(amount: Decimal | int | str) -> int:
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=65536)
def yuan(amount_cents: int) -> Decimal:
    return (Decimal(amount_cents) / 100).quantize(CENT)


class Level(IntEnum):
    """Stacking levels, applied in this order; each applies to the price after the one before."""

    ITEM = 1
    STORE = 2
    PLATFORM = 3
    PAYMENT = 4


class Kind(StrEnum):
    ITEM_DISCOUNT = "item_discount"  # 限时折扣 / 单品宝: rate (0.8 = 8折)
    SPECIAL_PRICE = "special_price"  # 限时特价: price per unit
    MEMBER_PRICE = "member_price"  # 会员价: price per unit, members only
    FLASH_SALE = "flash_sale"  # 秒杀价: price per unit for at most ``max_units`` units
    BUNDLE = "bundle"  # 搭配套餐: one of each of ``bundle_skus`` for ``price``
    PRESALE = "presale"  # 预售定金膨胀: a paid ``deposit`` counts as ``deposit_value`` per unit
    TIERED_REDUCTION = "tiered_reduction"  # 满减: tiers ((300, 40), (200, 20))
    EVERY_REDUCTION = "every_reduction"  # 每满减: every ``threshold`` take ``amount`` (optional ``cap``)
    QUANTITY_DISCOUNT = "quantity_discount"  # 满件折: qty tiers ((2, 0.9), (3, 0.8))
    STORE_COUPON = "store_coupon"  # 店铺券
    PRODUCT_COUPON = "product_coupon"  # 商品券
    FIRST_ORDER = "first_order"  # 新客首单: amount off (or rate), new buyers
    GIFT = "gift"  # 满赠: gift worth ``gift_value`` over ``threshold``; 0 to the price, recorded
    CROSS_STORE_REDUCTION = "cross_store_reduction"  # 跨店满减: every ``threshold`` take ``amount``
    PLATFORM_COUPON = "platform_coupon"  # 平台券
    POINTS = "points"  # 积分抵现: ``points_per_yuan`` points = ¥1, at most ``max_share`` of the order


LEVEL_OF: dict[Kind, Level] = {
    Kind.ITEM_DISCOUNT: Level.ITEM, Kind.SPECIAL_PRICE: Level.ITEM, Kind.MEMBER_PRICE: Level.ITEM,
    Kind.FLASH_SALE: Level.ITEM, Kind.BUNDLE: Level.ITEM, Kind.PRESALE: Level.ITEM,
    Kind.TIERED_REDUCTION: Level.STORE, Kind.EVERY_REDUCTION: Level.STORE, Kind.QUANTITY_DISCOUNT: Level.STORE,
    Kind.STORE_COUPON: Level.STORE, Kind.PRODUCT_COUPON: Level.STORE, Kind.FIRST_ORDER: Level.STORE,
    Kind.GIFT: Level.STORE,
    Kind.CROSS_STORE_REDUCTION: Level.PLATFORM, Kind.PLATFORM_COUPON: Level.PLATFORM,
    Kind.POINTS: Level.PAYMENT,
}
COUPON_KINDS = frozenset({Kind.STORE_COUPON, Kind.PRODUCT_COUPON, Kind.PLATFORM_COUPON})
# Order inside one level when several stackable offers apply: price cuts, then order offers, then coupons.
KIND_ORDER: dict[Kind, int] = {k: i for i, k in enumerate(Kind)}


class Audience(StrEnum):
    ALL = "all"
    NEW_BUYERS = "new_buyers"
    MEMBERS = "members"
    SEGMENTS = "segments"


class Bearer(StrEnum):
    STORE = "store"
    PLATFORM = "platform"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which lines an offer covers: everything, or categories / products / SKUs, minus exclusions."""

    categories: frozenset[str] = frozenset()
    products: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    exclude_skus: frozenset[str] = frozenset()
    exclude_products: frozenset[str] = frozenset()

    @property
    def is_all(self) -> bool:
        return not (self.categories or self.products or self.skus)

    def covers(self, line: Line) -> bool:
        if line.sku in self.exclude_skus or line.product in self.exclude_products:
            return False
        if self.is_all:
            return True
        return line.sku in self.skus or line.product in self.products or line.category in self.categories


@dataclass(frozen=True, slots=True)
class Promotion:
    id: str
    kind: Kind
    name: str = ""
    scope: Scope = Scope()
    audience: Audience = Audience.ALL
    segment_ids: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()  # empty: every channel
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    priority: int = 0
    exclusive_group: str = ""
    stackable: bool = False
    bearer: Bearer = Bearer.STORE
    store_share: Decimal = Decimal("0")  # platform-borne offers: the store's share of the cost (跨店满减: e.g. 0.5)
    # parameters (which ones matter depends on ``kind``)
    rate: Decimal | None = None  # price multiplier: 0.8 = 8折 (20% off)
    price: Decimal | None = None  # special / member / flash / bundle price
    amount: Decimal | None = None  # amount off (coupons, 每满减, first order)
    threshold: Decimal = Decimal("0")  # spend needed (coupons, 每满减, gift)
    cap: Decimal | None = None  # most a % coupon / 每满减 may take off
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()  # 满减 (threshold, amount)
    quantity_tiers: tuple[tuple[int, Decimal], ...] = ()  # 满件折 (min units, rate)
    max_units: int | None = None  # flash sale units per buyer at the flash price
    bundle_skus: tuple[str, ...] = ()
    deposit: Decimal | None = None
    deposit_value: Decimal | None = None
    points_per_yuan: int = 100
    max_share: Decimal = Decimal("1")  # points: at most this share of the order
    gift_value: Decimal = Decimal("0")
    gift_sku: str = ""

    @property
    def level(self) -> Level:
        return LEVEL_OF[self.kind]

    @property
    def is_coupon(self) -> bool:
        return self.kind in COUPON_KINDS

    @property
    def sort_key(self) -> tuple:
        return (KIND_ORDER[self.kind], -self.priority, self.id)

    def conflicts_with(self, other: Promotion) -> bool:
        """Two offers that may not both apply (to the same line, for item offers)."""
        if self.exclusive_group and self.exclusive_group == other.exclusive_group:
            return True
        if self.is_coupon and self.kind == other.kind:
            return True  # one coupon of each kind per order
        return not (self.stackable and other.stackable)


@dataclass(frozen=True, slots=True)
class Line:
    sku: str
    unit_price: Decimal
    quantity: int
    product: str = ""
    category: str = ""
    deposit_units: int = 0  # presale: units whose deposit is paid

    @property
    def amount_cents(self) -> int:
        return cents(self.unit_price) * self.quantity


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str = ""
    is_new_buyer: bool = False
    is_member: bool = False
    segment_ids: frozenset[str] = frozenset()
    points: int = 0


@dataclass(frozen=True, slots=True)
class Cart:
    lines: tuple[Line, ...]
    at: dt.datetime
    customer: Customer = Customer()
    channel: str = ""
    held_coupons: frozenset[str] = frozenset()  # promotion ids of coupons the customer holds

    def __post_init__(self) -> None:
        if self.at.tzinfo is None:
            raise ValueError("Cart.at must be timezone-aware")
        for line in self.lines:
            if line.quantity < 1 or line.unit_price < 0:
                raise ValueError(f"line {line.sku}: quantity must be >= 1 and price >= 0")


@dataclass(frozen=True, slots=True)
class LineDiscount:
    line: int  # index into Cart.lines
    promotion: str  # promotion id
    amount: Decimal
    reason: str
    store_amount: Decimal = Decimal("0")
    platform_amount: Decimal = Decimal("0")


@dataclass(frozen=True, slots=True)
class PricedLine:
    line: Line
    list_amount: Decimal
    discounts: tuple[LineDiscount, ...]
    final_amount: Decimal

    @property
    def final_unit_price(self) -> Decimal:
        return (self.final_amount / self.line.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class Gift:
    promotion: str
    sku: str
    value: Decimal
    reason: str


@dataclass(frozen=True, slots=True)
class PricedCart:
    lines: tuple[PricedLine, ...]
    applied: tuple[str, ...]  # promotion ids, in the order applied
    gifts: tuple[Gift, ...] = ()
    exact: bool = True  # False only when the search hit its state cap
    combinations_tried: int = 0
    points_used: int = 0
    discounts: tuple[LineDiscount, ...] = field(default=())

    @property
    def list_total(self) -> Decimal:
        return sum((p.list_amount for p in self.lines), Decimal("0.00"))

    @property
    def final_total(self) -> Decimal:
        return sum((p.final_amount for p in self.lines), Decimal("0.00"))

    @property
    def discount_total(self) -> Decimal:
        return self.list_total - self.final_total

    @property
    def store_borne(self) -> Decimal:
        return sum((d.store_amount for p in self.lines for d in p.discounts), Decimal("0.00"))

    @property
    def platform_borne(self) -> Decimal:
        return sum((d.platform_amount for p in self.lines for d in p.discounts), Decimal("0.00"))

    def by_promotion(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for p in self.lines:
            for d in p.discounts:
                out[d.promotion] = out.get(d.promotion, Decimal("0.00")) + d.amount
        return out
