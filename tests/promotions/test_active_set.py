"""The quote path reuses an unchanged active promotion set, and sees every change at once."""

import datetime as dt
from decimal import Decimal

import pytest

from shopops.promotions import selectors, services
from promotions.factories import AT as NOW
from promotions.factories import cart, line

pytestmark = pytest.mark.django_db


def test_an_unchanged_set_is_the_same_objects_and_an_edit_is_seen_at_once():
    d8 = services.promotion_create(name="8折", kind="item_discount", parameters={"rate": "0.8"}, stackable=True)
    first = selectors.promotions_active(at=NOW)
    again = selectors.promotions_active(at=NOW)
    assert [id(p) for p in first] == [id(p) for p in again]  # the engine's per-set index is built once

    two_tees = cart(line("TEE", "100.00", 2))
    assert selectors.pricing_quote(cart=two_tees).final_total == Decimal("160.00")
    services.promotion_update(promotion=d8, parameters={"rate": "0.7"})
    assert selectors.pricing_quote(cart=two_tees).final_total == Decimal("140.00")

    services.promotion_create(name="9折", kind="item_discount", parameters={"rate": "0.9"}, priority=1)
    assert len(selectors.promotions_active(at=NOW)) == 2
