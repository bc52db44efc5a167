"""Frozen, typed values of the promotion engine. Money is Decimal at the edges, integer
cents inside the engine (``cents()`` / ``yuan()`` convert)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum, StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopops.promotions.engine.kinds import KindSpec

CENT = Decimal("0.01")


@lru_cache(maxsize=65536)
def cents(amount: Decimal | int | str) -> int:
    value = Decimal(str(amount)) if not isinstance(amount, Decimal) else amount
    return int((value * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


@lru_cache(maxsize=65536)
def yuan(amount_cents: int) -> Decimal:
    return Decimal(amount_cents).scaleb(-2)  # exactly (cents / 100).quantize(CENT), without the division


class Level(IntEnum):
    """Stacking levels, applied in this order; each applies to the price after the one before."""

    ITEM = 1
    STORE = 2
    PLATFORM = 3
    PAYMENT = 4


class Kind(StrEnum):
    """Keys of the built-in kinds (their specs: ``engine/kinds_builtin.py``). A promotion's
    ``kind`` is any registered key, not only these."""

    ITEM_DISCOUNT = "item_discount"  # 限时折扣 / 单品宝
    SPECIAL_PRICE = "special_price"  # 限时特价
    MEMBER_PRICE = "member_price"  # 会员价
    FLASH_SALE = "flash_sale"  # 秒杀价
    BUNDLE = "bundle"  # 搭配套餐
    PRESALE = "presale"  # 预售定金膨胀
    TIERED_REDUCTION = "tiered_reduction"  # 满减
    EVERY_REDUCTION = "every_reduction"  # 每满减
    QUANTITY_DISCOUNT = "quantity_discount"  # 满件折
    STORE_COUPON = "store_coupon"  # 店铺券
    PRODUCT_COUPON = "product_coupon"  # 商品券
    FIRST_ORDER = "first_order"  # 新客首单
    GIFT = "gift"  # 满赠
    CROSS_STORE_REDUCTION = "cross_store_reduction"  # 跨店满减
    PLATFORM_COUPON = "platform_coupon"  # 平台券
    POINTS = "points"  # 积分抵现


# The registry of kind specs by key, filled by ``kinds.register`` (the built-ins when the
# engine package is imported). Kept here so that a Promotion finds its spec without an import cycle.
KINDS: dict[str, KindSpec] = {}


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
    """One offer: who, where and when (the fields here), and what (``params``: the typed
    parameters of its kind's spec). ``kinds.make_promotion`` builds one from flat values."""

    id: str
    kind: str  # a registered kind key (``Kind`` for the built-ins)
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
    params: Any = None  # an instance of the kind's ``spec.params`` dataclass
    spec: KindSpec = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        spec = KINDS.get(self.kind)
        if spec is None:
            raise ValueError(f"unknown promotion kind {self.kind!r}")
        if not isinstance(self.params, spec.params):
            raise TypeError(f"promotion {self.id}: params of a {self.kind} are a {spec.params.__name__}, "
                            f"got {type(self.params).__name__}")
        object.__setattr__(self, "spec", spec)

    @property
    def level(self) -> Level:
        return self.spec.level

    @property
    def is_coupon(self) -> bool:
        return self.spec.is_coupon

    @property
    def sort_key(self) -> tuple:
        return (self.spec.order, -self.priority, self.id)

    def conflicts_with(self, other: Promotion) -> bool:
        """Two offers that may not both apply (to the same line, for item offers)."""
        if self.exclusive_group and self.exclusive_group == other.exclusive_group:
            return True
        if self.spec.is_coupon and self.kind == other.kind:
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


def fast_constructor(cls):
    """A positional constructor of a frozen, slotted dataclass (every field given, no
    ``__post_init__``) that sets the slots directly: the generated ``__init__`` goes through
    ``object.__setattr__`` per field, which is most of what building a quote's ~100
    line discounts costs. Same object, same equality and hash."""
    import dataclasses

    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen and "__slots__" in cls.__dict__
    assert not hasattr(cls, "__post_init__"), cls
    names = [f.name for f in dataclasses.fields(cls)]
    env = {"_new": object.__new__, "_cls": cls, **{f"_set_{n}": cls.__dict__[n].__set__ for n in names}}
    body = "\n".join(f"    _set_{n}(o, {n})" for n in names)
    exec(f"def make({', '.join(names)}):\n    o = _new(_cls)\n{body}\n    return o", env)  # noqa: S102 - fixed text
    make = env["make"]
    make.__doc__ = f"{cls.__name__}({', '.join(names)}), every field positional (see ``fast_constructor``)."
    return make


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


new_line_discount = fast_constructor(LineDiscount)
new_priced_line = fast_constructor(PricedLine)
