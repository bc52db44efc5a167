"""Adding a promotion kind is adding one spec: two toy kinds, defined and registered here
only, are priced by the engine (also in the exact search with other offers), shown and
saved by the editor form, validated by the services and quoted from the app DB — without
any other module knowing them. Expected amounts are counted by hand in the comments."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation
from promotions.factories import AT, D, cart, line, promo

from shopops.core.errors import ValidationError
from shopops.promotions import engine, selectors, services
from shopops.promotions.engine import ItemKind, Kind, Label, Level, OrderKind, ParamType, param, price_cart
from shopops.promotions.engine.types import cents, yuan
from shopops.promotions.models import Promotion


# ---------------------------------------------------------------------------- the toy kinds
@dataclass(frozen=True, slots=True)
class CategoryEvery:
    category: str = param(ParamType.TEXT, Label("Category", "类目"))
    per: Decimal = param(ParamType.MONEY, Label("Per full amount", "每满"))
    off: Decimal = param(ParamType.MONEY, Label("Take off", "减"))


class CategoryEveryReduction(OrderKind):
    """满N元减M元 per category: every ``per`` yuan spent in ``category`` takes ``off`` off."""

    key = "toy_category_every"
    level = Level.STORE
    label = Label("Per-category spend and save (toy)", "类目每满减（示例）")
    params = CategoryEvery
    required = (("category",), ("per",), ("off",))

    def covered(self, promo, cart):
        return tuple(i for i, ln in enumerate(cart.lines) if ln.category == promo.params.category)

    def check(self, params):
        return "off must be below per" if params.off >= params.per else ""

    def take(self, promo, cart, base_sum, running, units):
        p = promo.params
        steps = base_sum // cents(p.per)
        if not steps:
            return None
        return steps * cents(p.off), lambda: f"{p.category} 每满{p.per}减{p.off} x{steps}", 0

    def upper_bound(self, promo, cart, total, units):
        return total // cents(promo.params.per) * cents(promo.params.off)


@dataclass(frozen=True, slots=True)
class UnitOff:
    unit_off: Decimal = param(ParamType.MONEY, Label("Off each unit", "每件立减"),
                              Label("Yuan off every unit.", "每件减多少元。"))


class FixedUnitOff(ItemKind):
    """立减X元 per unit, an item-level price cut."""

    key = "toy_unit_off"
    label = Label("Fixed off each unit (toy)", "每件立减（示例）")
    params = UnitOff
    required = (("unit_off",),)

    def line_take(self, promo, line, amount):
        off = cents(promo.params.unit_off) * line.quantity
        return off, lambda: f"立减 ¥{promo.params.unit_off} x{line.quantity}"


@pytest.fixture
def toy_kinds():
    specs = [engine.register(CategoryEveryReduction()), engine.register(FixedUnitOff())]
    yield specs
    for spec in specs:
        engine.unregister(spec.key)


# ---------------------------------------------------------------------------- engine
def test_the_engine_prices_the_toy_kinds(toy_kinds):
    shoes = line("S1", 120, 2, category="shoes")  # 240
    tee = line("T1", 80, 1, category="tops")  # 80, not in the category
    every = promo("e", "toy_category_every", category="shoes", per=100, off=15, stackable=True)
    r = price_cart(cart(shoes, tee), [every])
    # shoes 240 -> 2 x 100 reached -> 30 off, all on the shoes line
    assert r.final_total == D("290.00") and r.applied == ("e",)
    assert [(d.line, d.amount) for d in r.discounts] == [(0, D("30.00"))]
    assert r.discounts[0].reason == "shoes 每满100减15 x2"

    unit = promo("u", "toy_unit_off", unit_off=10)
    r = price_cart(cart(shoes, tee), [unit, every])
    # item level first: shoes 2 x (120-10) = 220, tee 70; then shoes 220 -> 2 steps -> 30 off
    assert r.final_total == D("260.00") and r.applied == ("u", "e")
    assert [d.amount for d in r.lines[0].discounts] == [D("20.00"), D("30.00")]
    assert r.lines[1].final_amount == D("70.00")


def test_the_exact_search_weighs_a_toy_kind_against_a_built_in_one(toy_kinds):
    shoes = line("S1", 100, 2, category="shoes")  # 200
    every = promo("e", "toy_category_every", category="shoes", per=100, off=15)  # 30 off
    coupon = promo("c", Kind.STORE_COUPON, amount=40, threshold=150)  # 40 off, same level, not stackable
    eight = promo("d8", Kind.ITEM_DISCOUNT, rate="0.8")  # 160 after the item level
    r = price_cart(cart(shoes, coupons={"c"}), [every, coupon])
    assert r.final_total == D("160.00") and r.applied == ("c",)  # 40 beats 30: one of the two
    r = price_cart(cart(shoes, coupons={"c"}), [every, coupon, eight])
    # after 8折: 160 -> toy: 1 step = 15 off (145); coupon: 160 >= 150 -> 40 off (120)
    assert r.final_total == D("120.00") and set(r.applied) == {"d8", "c"}
    greedy = engine.price_cart_greedy(cart(shoes, coupons={"c"}), [every, coupon, eight])
    assert greedy.final_total >= r.final_total


def test_a_spec_must_be_consistent_with_the_others(toy_kinds):
    with pytest.raises(ValueError, match="already registered"):
        engine.register(FixedUnitOff())

    @dataclass(frozen=True, slots=True)
    class Clash:
        rate: int = param(ParamType.COUNT, Label("Rate", "比例"))

    class ClashKind(ItemKind):
        key = "toy_clash"
        label = Label("Clash", "冲突")
        params = Clash
        required = (("rate",),)

    with pytest.raises(ValueError, match="'rate' is a count here but a rate elsewhere"):
        engine.register(ClashKind())
    assert "toy_clash" not in {s.key for s in engine.all_kinds()}

    @dataclass(frozen=True, slots=True)
    class Loose:
        amount: Decimal = param(ParamType.MONEY, Label("Amount off", "减免金额"))

    class LooseKind(ItemKind):
        key = "toy_loose"
        label = Label("Loose", "松散")
        params = Loose  # ``amount`` has no default but is not required

    with pytest.raises(ValueError, match="'amount' has no default, so it must be required on its own"):
        engine.register(LooseKind())


# ---------------------------------------------------------------------------- services
@pytest.mark.django_db
def test_services_validate_and_store_a_toy_kind(toy_kinds):
    with pytest.raises(ValidationError, match="toy_category_every needs parameters.off"):
        services.promotion_create(name="x", kind="toy_category_every", parameters={"category": "shoes", "per": "100"})
    with pytest.raises(ValidationError, match=r"parameters.per: must be >= 0, got '-1'"):
        services.promotion_create(name="x", kind="toy_category_every",
                                  parameters={"category": "shoes", "per": "-1", "off": "5"})
    with pytest.raises(ValidationError, match="toy_category_every: off must be below per"):
        services.promotion_create(name="x", kind="toy_category_every",
                                  parameters={"category": "shoes", "per": "10", "off": "10"})
    with pytest.raises(ValidationError, match="parameters.unit_of: not a parameter of any promotion kind"):
        services.promotion_create(name="x", kind="toy_unit_off", parameters={"unit_of": "5"})
    assert Promotion.objects.count() == 0

    p = services.promotion_create(name="鞋类每满100减15", kind="toy_category_every",
                                  parameters={"category": "shoes", "per": 100, "off": "15.0"}, stackable=True)
    p.refresh_from_db()
    assert p.parameters == {"category": "shoes", "per": "100", "off": "15.0"}  # the JSON shape of every kind
    with translation.override("zh-hans"):
        assert p.get_kind_display() == "类目每满减（示例）"
    with translation.override("en"):
        assert p.get_kind_display() == "Per-category spend and save (toy)"

    at_cart = engine.Cart(lines=(engine.Line(sku="S1", unit_price=D(120), quantity=2, category="shoes"),), at=AT)
    priced = selectors.pricing_quote(cart=at_cart)
    assert priced.final_total == D("210.00")  # 240 -> two steps of 100 -> 30 off


# ---------------------------------------------------------------------------- the editor form
@pytest.fixture
def ops(client, django_user_model):
    user = django_user_model.objects.create_user("ops", password="x" * 12)
    user.user_permissions.add(Permission.objects.get(codename="use_promotions"))
    client.force_login(user)
    return client


BASE = {"audience": "all", "bearer": "store", "priority": "0", "store_share": "0", "is_active": "on"}


@pytest.mark.django_db
def test_the_editor_renders_and_saves_a_toy_kind(ops, toy_kinds):
    ops.cookies["django_language"] = "zh-hans"
    page = ops.get("/promotions/promotions/new/?kind=toy_unit_off").content.decode()
    assert '<option value="toy_unit_off" selected>每件立减（示例）</option>' in page
    assert 'data-param="unit_off"' in page and 'name="unit_off"' in page and "每件减多少元。" in page
    start = page.index('id="promotion-kind-fields"')
    fields = json.loads(page[page.index(">", start) + 1:page.index("</script>", start)])
    assert fields["toy_unit_off"] == ["unit_off"] and fields["toy_category_every"] == ["category", "per", "off"]
    assert fields["item_discount"] == ["rate"]

    missing = ops.post("/promotions/promotions/new/", {**BASE, "name": "x", "kind": "toy_unit_off"})
    assert missing.status_code == 400 and "每件立减（示例）需要填写每件立减" in missing.content.decode()

    ops.cookies["django_language"] = "en"
    page = ops.get("/promotions/promotions/new/?kind=toy_unit_off").content.decode()
    assert '<option value="toy_unit_off" selected>Fixed off each unit (toy)</option>' in page
    r = ops.post("/promotions/promotions/new/", {**BASE, "name": "立减5元", "kind": "toy_unit_off", "unit_off": "5",
                                                  "rate": "0.5"})  # a hidden field of another kind: ignored
    assert r.status_code == 302
    p = Promotion.objects.get(name="立减5元")
    assert p.kind == "toy_unit_off" and p.parameters == {"unit_off": "5"}
    listing = ops.get("/promotions/promotions/").content.decode()
    assert "Fixed off each unit (toy)" in listing
    edit = ops.get(f"/promotions/promotions/{p.pk}/edit/").content.decode()
    assert 'name="unit_off" value="5"' in edit
    engine_p = selectors.engine_promotion(p)
    assert engine_p.params == UnitOff(unit_off=D(5)) and engine_p.level == Level.ITEM
    assert yuan(cents(engine_p.params.unit_off)) == D("5.00")
