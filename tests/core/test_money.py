from decimal import Decimal

import pytest

from shopops.core.money import money_ratio, to_money


def test_to_money_rounds_half_up_to_the_cent():
    assert to_money("1.005") == Decimal("1.01")
    assert to_money(3) == Decimal("3.00")


def test_float_money_is_refused():
    with pytest.raises(TypeError, match="float"):
        to_money(0.1)


def test_money_ratio_is_decimal_and_undefined_on_zero():
    assert money_ratio(Decimal("100.00"), 3) == Decimal("33.33")
    assert money_ratio(Decimal("100.00"), 0) is None
