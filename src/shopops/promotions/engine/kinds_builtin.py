"""The built-in promotion kinds, one spec each (see ``kinds.py``), registered in this order —
which is also the order inside a level when several stackable offers apply: price cuts,
then order offers, then coupons."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from shopops.promotions.engine.kinds import ItemKind, Label, OrderKind, ParamType, Said, param, register
from shopops.promotions.engine.proration import allocate
from shopops.promotions.engine.types import Gift as GiftLine
from shopops.promotions.engine.types import Kind, Level, cents, yuan

# ---------------------------------------------------------------------------- shared parameter fields
_RATE = Label("Rate", "折扣率")
_RATE_HELP = Label("Price multiplier: 0.8 = 8折 (20% off).", "价格乘数：0.8 = 8折（减 20%）。")
_PRICE = Label("Price", "价格")
_PRICE_HELP = Label("Price per unit (per bundle for a bundle).", "每件价格（套餐为每套价格）。")
_AMOUNT = Label("Amount off", "减免金额")
_THRESHOLD = Label("Threshold", "门槛")
_THRESHOLD_HELP = Label("Spend needed, after item discounts.", "需要达到的金额，按单品优惠后的价格计。")
_CAP = Label("Cap", "封顶")
_CAP_HELP = Label("Most it may take off.", "最多减免的金额。")


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _ratio(rate: Decimal | None) -> tuple[int, int] | None:
    """``rate`` as an exact fraction (numerator, denominator) for integer-only takes: ``x * rate``
    rounded half up is ``(2 * x * n + d) // (2 * d)`` and truncated ``x * n // d`` for x >= 0. None
    (the Decimal path is used) for a rate that is missing, not finite or negative."""
    if rate is None or not rate.is_finite() or rate < 0:
        return None
    return rate.as_integer_ratio()


def _clipped(take: int, running: int) -> int:
    return 0 if take <= 0 else (take if take < running else running)


def _zhe(rate: Decimal | None) -> str:
    return f"{(rate * 10).normalize()}折" if rate is not None else ""


# ---------------------------------------------------------------------------- item level
@dataclass(frozen=True, slots=True)
class RateOff:
    rate: Decimal = param(ParamType.RATE, _RATE, _RATE_HELP)


class ItemDiscount(ItemKind):
    key = Kind.ITEM_DISCOUNT.value
    label = Label("Item discount (限时折扣)", "限时折扣")
    params = RateOff
    required = (("rate",),)

    def line_take(self, promo, line, amount):
        rate = promo.params.rate
        return amount - _round(Decimal(amount) * rate), lambda: Said(f"{_zhe(rate)} item discount", f"单品{_zhe(rate)}")


@dataclass(frozen=True, slots=True)
class UnitPrice:
    price: Decimal = param(ParamType.MONEY, _PRICE, _PRICE_HELP)


class SpecialPrice(ItemKind):
    key = Kind.SPECIAL_PRICE.value
    label = Label("Special price", "限时特价")
    params = UnitPrice
    required = (("price",),)
    word = "special"
    word_zh = "特价"

    def line_take(self, promo, line, amount):
        price = promo.params.price
        return amount - cents(price) * line.quantity, lambda: Said(f"{self.word} price ¥{price}",
                                                                   f"{self.word_zh} ¥{price}")


class MemberPrice(SpecialPrice):
    key = Kind.MEMBER_PRICE.value
    label = Label("Member price", "会员价")
    customer_fact = "member"
    word = "member"
    word_zh = "会员价"

    def eligible(self, promo, cart):
        return cart.customer.is_member


@dataclass(frozen=True, slots=True)
class FlashPrice:
    price: Decimal = param(ParamType.MONEY, _PRICE, _PRICE_HELP)
    max_units: int | None = param(ParamType.COUNT, Label("Units per buyer at this price", "每人按此价可买件数"),
                                  default=None)


class FlashSale(ItemKind):
    key = Kind.FLASH_SALE.value
    label = Label("Flash-sale price", "秒杀价")
    params = FlashPrice
    required = (("price",),)

    def line_take(self, promo, line, amount):
        p = promo.params
        units = min(line.quantity, p.max_units or line.quantity)
        return (amount * units // line.quantity - cents(p.price) * units,
                lambda: Said(f"flash-sale price ¥{p.price} for {units} unit(s)", f"秒杀价 ¥{p.price},{units} 件"))


@dataclass(frozen=True, slots=True)
class BundlePrice:
    price: Decimal = param(ParamType.MONEY, _PRICE, _PRICE_HELP)
    bundle_skus: tuple[str, ...] = param(ParamType.SKUS, Label("Bundle SKUs", "套餐 SKU"),
                                         Label("Comma-separated SKUs, one of each.", "逗号分隔的 SKU，各一件。"),
                                         default=())


class Bundle(ItemKind):
    key = Kind.BUNDLE.value
    label = Label("Bundle price", "搭配套餐")
    params = BundlePrice
    required = (("price",), ("bundle_skus",))

    def eligible(self, promo, cart):
        skus = {line.sku for line in cart.lines}
        wanted = promo.params.bundle_skus
        return bool(wanted) and all(s in skus for s in wanted)

    def covered(self, promo, cart):
        first: dict[str, int] = {}
        for i, line in enumerate(cart.lines):
            first.setdefault(line.sku, i)
        return tuple(sorted(first[s] for s in set(promo.params.bundle_skus)))

    def index_skus(self, promo):
        return promo.params.bundle_skus

    def apply(self, promo, cart, amounts, lines):
        from shopops.promotions.engine.benefits import Applied

        k = min(cart.lines[i].quantity for i in lines)
        shares = [amounts[i] * k // cart.lines[i].quantity for i in lines]
        bundle_cents = cents(promo.params.price) * k
        take = max(0, sum(shares) - bundle_cents)
        take = min(take, sum(shares))
        if take == 0:
            return None
        parts = [(i, c) for i, c in zip(lines, allocate(take, shares)) if c]  # a line given nothing is not listed
        skus = promo.params.bundle_skus
        return Applied(promo, tuple(parts), lambda: Said(f"bundle {'+'.join(skus)} x{k} for ¥{yuan(bundle_cents)}",
                                                           f"套餐 {'+'.join(skus)} ×{k},共 ¥{yuan(bundle_cents)}"))


@dataclass(frozen=True, slots=True)
class Deposit:
    deposit: Decimal = param(ParamType.MONEY, Label("Deposit", "定金"))
    deposit_value: Decimal = param(
        ParamType.MONEY, Label("Deposit counts as", "定金抵扣"),
        Label("定金膨胀: what the paid deposit is worth at final payment.", "定金膨胀：付尾款时已付定金可抵的金额。"))


class Presale(ItemKind):
    key = Kind.PRESALE.value
    label = Label("Presale deposit", "预售定金膨胀")
    params = Deposit
    required = (("deposit",), ("deposit_value",))

    def eligible(self, promo, cart):
        return any(line.deposit_units for line in cart.lines if promo.scope.covers(line))

    def line_take(self, promo, line, amount):
        p = promo.params
        units = min(line.deposit_units, line.quantity)
        return ((cents(p.deposit_value) - cents(p.deposit)) * units,
                lambda: Said(f"presale deposit ¥{p.deposit} counts as ¥{p.deposit_value} x{units}",
                             f"预售定金 ¥{p.deposit} 抵 ¥{p.deposit_value} ×{units}"))


# ---------------------------------------------------------------------------- store level
@dataclass(frozen=True, slots=True)
class SpendTiers:
    tiers: tuple[tuple[Decimal, Decimal], ...] = param(
        ParamType.MONEY_TIERS, Label("Tiers", "满减档位"),
        Label("Spend:amount off, e.g. 300:30, 600:70.", "门槛:减免，例如 300:30, 600:70。"), default=())


class TieredReduction(OrderKind):
    key = Kind.TIERED_REDUCTION.value
    level = Level.STORE
    label = Label("Spend and save (满减)", "满减")
    params = SpendTiers
    required = (("tiers",),)

    def take(self, promo, cart, base_sum, running, units):
        met = [(cents(t), cents(a)) for t, a in promo.params.tiers if cents(t) <= base_sum]
        if not met:
            return None
        t, take = max(met)
        return take, lambda: Said(f"满{yuan(t)}减{yuan(take)} (threshold on ¥{yuan(base_sum)})",
                                  f"满{yuan(t)}减{yuan(take)}(按 ¥{yuan(base_sum)} 计门槛)"), 0

    def upper_bound(self, promo, cart, total, units):
        return max((cents(a) for t, a in promo.params.tiers if cents(t) <= total), default=0)

    def int_take(self, promo, cart):
        tiers = sorted(((cents(t), cents(a)) for t, a in promo.params.tiers), reverse=True)  # max(met) first

        def take(base_sum, running, units):
            if running <= 0:
                return 0
            for t, a in tiers:
                if t <= base_sum:
                    return _clipped(a, running)
            return 0

        return take

    def int_bound(self, promo, cart):
        tiers = [(cents(t), cents(a)) for t, a in promo.params.tiers]

        def bound(total, units):
            best = max((a for t, a in tiers if t <= total), default=0)
            return 0 if best <= 0 else min(best, total)

        return bound

    def spend_targets(self, promo, after_item, max_steps):
        return [t for t, _ in promo.params.tiers]


@dataclass(frozen=True, slots=True)
class EverySpend:
    threshold: Decimal = param(ParamType.MONEY, _THRESHOLD, _THRESHOLD_HELP)
    amount: Decimal = param(ParamType.MONEY, _AMOUNT)
    cap: Decimal | None = param(ParamType.MONEY, _CAP, _CAP_HELP, default=None)


class EveryReduction(OrderKind):
    key = Kind.EVERY_REDUCTION.value
    level = Level.STORE
    label = Label("Save per full amount (每满减)", "每满减")
    params = EverySpend
    required = (("threshold",), ("amount",))
    word = ""

    def take(self, promo, cart, base_sum, running, units):
        p = promo.params
        threshold = cents(p.threshold)
        if threshold <= 0 or base_sum < threshold:
            return None
        steps = base_sum // threshold
        take = steps * cents(p.amount)
        if p.cap is not None:
            take = min(take, cents(p.cap))
        label = self.word
        return take, lambda: Said(
            f"{label}每满{yuan(threshold)}减{yuan(cents(p.amount))} x{steps} (on ¥{yuan(base_sum)})",
            f"{label}每满{yuan(threshold)}减{yuan(cents(p.amount))} ×{steps}(按 ¥{yuan(base_sum)} 计)"), 0

    def upper_bound(self, promo, cart, total, units):
        p = promo.params
        threshold = cents(p.threshold)
        best = (total // threshold) * cents(p.amount) if threshold > 0 else 0
        if p.cap is not None:
            best = min(best, cents(p.cap))
        return best

    def int_take(self, promo, cart):
        p = promo.params
        threshold, amount = cents(p.threshold), cents(p.amount)
        cap = None if p.cap is None else cents(p.cap)

        def take(base_sum, running, units):
            if running <= 0 or threshold <= 0 or base_sum < threshold:
                return 0
            got = base_sum // threshold * amount
            if cap is not None and cap < got:
                got = cap
            return _clipped(got, running)

        return take

    def int_bound(self, promo, cart):
        p = promo.params
        threshold, amount = cents(p.threshold), cents(p.amount)
        cap = None if p.cap is None else cents(p.cap)

        def bound(total, units):
            best = total // threshold * amount if threshold > 0 else 0
            if cap is not None and cap < best:
                best = cap
            return 0 if best <= 0 else min(best, total)

        return bound

    def spend_targets(self, promo, after_item, max_steps):
        p = promo.params
        if not p.threshold > 0:
            return ()
        steps_now = int(after_item // p.threshold)
        last = steps_now + max_steps
        if p.cap is not None and p.amount:
            last = min(last, int((p.cap / p.amount).to_integral_value(rounding=ROUND_CEILING)))
        return [p.threshold * k for k in range(steps_now + 1, last + 1)]


@dataclass(frozen=True, slots=True)
class QuantityTiers:
    quantity_tiers: tuple[tuple[int, Decimal], ...] = param(
        ParamType.QUANTITY_TIERS, Label("Quantity tiers", "满件档位"),
        Label("Units:rate, e.g. 2:0.9, 3:0.8.", "件数:折扣率，例如 2:0.9, 3:0.8。"), default=())


class QuantityDiscount(OrderKind):
    key = Kind.QUANTITY_DISCOUNT.value
    level = Level.STORE
    label = Label("Buy N, % off (满件折)", "满件折")
    params = QuantityTiers
    required = (("quantity_tiers",),)

    def take(self, promo, cart, base_sum, running, units):
        met = [(n, r) for n, r in promo.params.quantity_tiers if n <= units]
        if not met:
            return None
        n, rate = max(met)
        return running - _round(Decimal(running) * rate), lambda: Said(f"满{n}件{_zhe(rate)} ({units} units)",
                                                                            f"满{n}件{_zhe(rate)}({units} 件)"), 0

    def upper_bound(self, promo, cart, total, units):
        rates = [r for n, r in promo.params.quantity_tiers if n <= units]
        return total - int(Decimal(total) * min(rates)) if rates else 0

    def int_take(self, promo, cart):
        tiers = [(n, _ratio(r)) for n, r in sorted(promo.params.quantity_tiers, reverse=True)]  # max(met) first
        if any(q is None for _n, q in tiers):
            return None

        def take(base_sum, running, units):
            if running <= 0:
                return 0
            for n, (num, den) in tiers:
                if n <= units:
                    return _clipped(running - (2 * running * num + den) // (2 * den), running)
            return 0

        return take

    def int_bound(self, promo, cart):
        tiers = [(n, r, _ratio(r)) for n, r in promo.params.quantity_tiers]
        if any(q is None for _n, _r, q in tiers):
            return None

        def bound(total, units):
            met = [(r, q) for n, r, q in tiers if n <= units]
            if not met:
                return 0
            num, den = min(met)[1]
            return max(0, min(total - total * num // den, total))

        return bound


@dataclass(frozen=True, slots=True)
class CouponTerms:
    """Amount off, or a rate (with an optional cap), over an optional threshold."""

    amount: Decimal | None = param(ParamType.MONEY, _AMOUNT, default=None)
    rate: Decimal | None = param(ParamType.RATE, _RATE, _RATE_HELP, default=None)
    threshold: Decimal = param(ParamType.MONEY, _THRESHOLD, _THRESHOLD_HELP, default=Decimal("0"))
    cap: Decimal | None = param(ParamType.MONEY, _CAP, _CAP_HELP, default=None)


class StoreCoupon(OrderKind):
    key = Kind.STORE_COUPON.value
    level = Level.STORE
    label = Label("Store coupon", "店铺券")
    params = CouponTerms
    required = (("amount", "rate"),)
    is_coupon = True
    word = "store coupon"
    word_zh = "店铺券"

    def take(self, promo, cart, base_sum, running, units):
        p = promo.params
        threshold = cents(p.threshold)
        if base_sum < threshold:
            return None
        if p.rate is not None:
            take = running - _round(Decimal(running) * p.rate)
            what = what_zh = _zhe(p.rate)
        else:
            take = cents(p.amount)
            what, what_zh = f"¥{p.amount} off", f"减 ¥{p.amount}"
        if p.cap is not None:
            take = min(take, cents(p.cap))
        label, label_zh = self.word, self.word_zh
        return take, lambda: Said(f"{label} {what}" + (f" over ¥{yuan(threshold)}" if threshold else "")
                                  + f" (on ¥{yuan(running)})",
                                  f"{label_zh} " + (f"满 ¥{yuan(threshold)} " if threshold else "") + what_zh
                                  + f"(按 ¥{yuan(running)} 计)"), 0

    def upper_bound(self, promo, cart, total, units):
        p = promo.params
        if p.rate is not None:
            best = total - int(Decimal(total) * p.rate)
            if p.cap is not None:
                best = min(best, cents(p.cap))
            return best
        return cents(p.amount) if cents(p.threshold) <= total else 0

    def int_take(self, promo, cart):
        p = promo.params
        threshold = cents(p.threshold)
        cap = None if p.cap is None else cents(p.cap)
        if p.rate is not None:
            q = _ratio(p.rate)
            if q is None:
                return None
            num, den = q

            def take(base_sum, running, units):
                if running <= 0 or base_sum < threshold:
                    return 0
                got = running - (2 * running * num + den) // (2 * den)
                if cap is not None and cap < got:
                    got = cap
                return _clipped(got, running)

            return take
        if p.amount is None:
            return None
        amount = cents(p.amount) if cap is None else min(cents(p.amount), cap)

        def take_amount(base_sum, running, units):
            if running <= 0 or base_sum < threshold:
                return 0
            return _clipped(amount, running)

        return take_amount

    def int_bound(self, promo, cart):
        p = promo.params
        cap = None if p.cap is None else cents(p.cap)
        if p.rate is not None:
            q = _ratio(p.rate)
            if q is None:
                return None
            num, den = q

            def bound(total, units):
                best = total - total * num // den
                if cap is not None and cap < best:
                    best = cap
                return 0 if best <= 0 else min(best, total)

            return bound
        if p.amount is None:
            return None
        amount, threshold = cents(p.amount), cents(p.threshold)

        def bound_amount(total, units):
            best = amount if threshold <= total else 0
            return 0 if best <= 0 else min(best, total)

        return bound_amount


class ProductCoupon(StoreCoupon):
    key = Kind.PRODUCT_COUPON.value
    label = Label("Product coupon", "商品券")
    word = "product coupon"
    word_zh = "商品券"


class FirstOrder(StoreCoupon):
    key = Kind.FIRST_ORDER.value
    label = Label("First-order offer", "新客首单")
    is_coupon = False
    customer_fact = "new"
    word = "first-order offer"
    word_zh = "首单优惠"

    def eligible(self, promo, cart):
        return cart.customer.is_new_buyer


@dataclass(frozen=True, slots=True)
class GiftTerms:
    threshold: Decimal = param(ParamType.MONEY, _THRESHOLD, _THRESHOLD_HELP)
    gift_value: Decimal = param(ParamType.MONEY, Label("Gift value", "赠品价值"))
    gift_sku: str = param(ParamType.TEXT, Label("Gift SKU", "赠品 SKU"), default="")


class Gift(OrderKind):
    """满赠: a gift over a threshold; nothing off the price, recorded on the result."""

    key = Kind.GIFT.value
    level = Level.STORE
    label = Label("Gift with purchase", "满赠")
    params = GiftTerms
    required = (("threshold",), ("gift_value",))
    priced = False

    def take(self, promo, cart, base_sum, running, units):
        return None  # never priced (``priced = False``): see ``gift``

    def gift(self, promo, covered_cents):
        p = promo.params
        if covered_cents < cents(p.threshold):
            return None
        bearer_zh = "平台" if "platform" in str(promo.bearer) else "店铺"
        return GiftLine(promo.id, p.gift_sku, p.gift_value,
                        Said(f"gift worth ¥{p.gift_value} over ¥{p.threshold} (borne by {promo.bearer})",
                             f"满 ¥{p.threshold} 赠价值 ¥{p.gift_value} 的赠品({bearer_zh}承担)"))

    def upper_bound(self, promo, cart, total, units):
        return 0


# ---------------------------------------------------------------------------- platform level
class CrossStoreReduction(EveryReduction):
    key = Kind.CROSS_STORE_REDUCTION.value
    level = Level.PLATFORM
    label = Label("Cross-store spend and save (跨店满减)", "跨店满减")
    word = "跨店"


class PlatformCoupon(StoreCoupon):
    key = Kind.PLATFORM_COUPON.value
    level = Level.PLATFORM
    label = Label("Platform coupon", "平台券")
    word = "platform coupon"
    word_zh = "平台券"


# ---------------------------------------------------------------------------- payment level
@dataclass(frozen=True, slots=True)
class PointsTerms:
    points_per_yuan: int = param(ParamType.COUNT, Label("Points per ¥1", "多少积分抵 ¥1"), default=100)
    max_share: Decimal = param(ParamType.RATE, Label("Most share of the order", "最多抵扣订单比例"),
                               Label("0.1 = points pay at most 10% of the order.", "0.1 = 积分最多抵扣订单的 10%。"),
                               default=Decimal("1"))


class Points(OrderKind):
    key = Kind.POINTS.value
    level = Level.PAYMENT
    label = Label("Points deduction", "积分抵现")
    params = PointsTerms
    required = (("points_per_yuan",), ("max_share",))
    customer_fact = "points"

    def eligible(self, promo, cart):
        return cart.customer.points >= promo.params.points_per_yuan

    def take(self, promo, cart, base_sum, running, units):
        p = promo.params
        most_by_points = cart.customer.points * 100 // p.points_per_yuan
        most_by_share = int((Decimal(running) * p.max_share).to_integral_value(rounding=ROUND_FLOOR))
        take = min(most_by_points, most_by_share)
        points_used = -(-take * p.points_per_yuan // 100)
        return take, lambda: Said(f"{points_used} points ({p.points_per_yuan} = ¥1, at most {p.max_share:.0%} "
                                  f"of ¥{yuan(running)})",
                                  f"{points_used} 积分({p.points_per_yuan} 积分抵 ¥1,最多抵 ¥{yuan(running)} 的 "
                                  f"{p.max_share:.0%})"), points_used

    def upper_bound(self, promo, cart, total, units):
        p = promo.params
        return min(cart.customer.points * 100 // p.points_per_yuan, int(Decimal(total) * p.max_share))

    def int_take(self, promo, cart):
        p = promo.params
        q = _ratio(p.max_share)
        if q is None:
            return None
        num, den = q
        most_by_points = cart.customer.points * 100 // p.points_per_yuan

        def take(base_sum, running, units):
            if running <= 0:
                return 0
            by_share = running * num // den
            return _clipped(most_by_points if most_by_points < by_share else by_share, running)

        return take

    def int_bound(self, promo, cart):
        take = Points.int_take(self, promo, cart)  # the bound is the take on the same total
        if take is None:
            return None
        return lambda total, units: take(total, total, units)

    def spend_targets(self, promo, after_item, max_steps):
        return ()


BUILTIN: tuple[type, ...] = (
    ItemDiscount, SpecialPrice, MemberPrice, FlashSale, Bundle, Presale,
    TieredReduction, EveryReduction, QuantityDiscount, StoreCoupon, ProductCoupon, FirstOrder, Gift,
    CrossStoreReduction, PlatformCoupon, Points,
)


def register_builtin() -> None:
    for spec_type in BUILTIN:
        register(spec_type())


__all__ = ["BUILTIN", "register_builtin"]
