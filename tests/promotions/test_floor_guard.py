"""The floor-price guard finds a planted 破价 in a demo 双11 plan."""

from __future__ import annotations

from promotions.factories import AT, D, promo

from shopops.promotions.engine import Kind
from shopops.promotions.engine.floor import SkuFloor, floor_check


def double11_plan():
    return [
        promo("d8", Kind.ITEM_DISCOUNT, rate="0.8", stackable=True),
        promo("m300", Kind.EVERY_REDUCTION, threshold=300, amount=50, stackable=True),
        promo("c30", Kind.STORE_COUPON, amount=30, threshold=0, stackable=True),
    ]


def test_planted_violation_is_found_with_its_combination():
    # cost is 60% of price; floor = cost x 1.05 = 63% of price
    skus = [SkuFloor("TEE", D(100), D("63.00")), SkuFloor("BAG", D(250), D("157.50")),
            SkuFloor("COAT", D(1000), D("630.00"))]
    report = floor_check(skus=skus, promotions=double11_plan(), at=AT)
    by_sku = {r.sku: r for r in report.reaches}
    # TEE, 1 unit: 100 -> 80 (8折) -> ¥30 coupon -> 50 < 63
    tee = by_sku["TEE"]
    assert tee.violates and tee.lowest_unit_price == D("50.00") and tee.units == 1
    assert set(tee.applied) == {"d8", "c30"} and tee.shortfall == D("13.00")
    # BAG alone: 250 -> 200 -> 170 (300 not reached). With a ¥100 filler: 300 -> -50 -> -30 = 220,
    # the bag's share 200 x 220 / 300 = 146.67 < 157.50: found only through the filler.
    bag = by_sku["BAG"]
    assert bag.violates and bag.lowest_unit_price == D("146.67")
    assert bag.filler_amount == D("100.00") and "filler" in bag.scenario
    assert set(bag.applied) == {"d8", "m300", "c30"}
    # COAT + ¥100 filler: 900 -> -150 -> -30 = 720, share 800 x 720 / 900 = 640 >= 630: no violation
    coat = by_sku["COAT"]
    assert coat.lowest_unit_price == D("640.00") and not coat.violates
    assert [v.sku for v in report.violations] == ["TEE", "BAG"]


def test_no_violation_when_the_floor_is_low():
    report = floor_check(skus=[SkuFloor("TEE", D(100), D("40"))], promotions=double11_plan(), at=AT)
    assert report.violations == ()


def test_cache_shares_work_between_skus_with_the_same_price_and_offers():
    skus = [SkuFloor(f"S{i}", D(100), D("63")) for i in range(50)]
    report = floor_check(skus=skus, promotions=double11_plan(), at=AT)
    assert report.cache_hits == 49 and len(report.violations) == 50
