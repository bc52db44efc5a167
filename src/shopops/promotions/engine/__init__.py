"""The promotion engine: pure Python, no Django. Cart + promotions in, PricedCart out.

- ``types``          the frozen dataclasses (Cart, Promotion, PricedCart, LineDiscount …)
- ``kinds``          one spec per promotion kind (level, typed parameters, validation, take,
                     upper bound, labels) and the registry every layer reads
- ``kinds_builtin``  the built-in kinds' specs (限时折扣 … 积分抵现)
- ``benefits``       what one promotion takes off which lines, given the current prices
- ``pricing``        the exact best-combination search over the stacking levels
- ``proration``      largest-remainder allocation to the cent
- ``floor``          the floor-price (破价) guard
"""

from shopops.promotions.engine.kinds import (
    ItemKind, KindSpec, Label, OrderKind, ParamError, ParamType, all_kinds, kind_spec, make_promotion, param,
    register, unregister, validate_parameters,
)
from shopops.promotions.engine.kinds_builtin import register_builtin
from shopops.promotions.engine.pricing import price_cart, price_cart_greedy
from shopops.promotions.engine.types import (
    Audience, Bearer, Cart, Customer, Kind, Level, Line, LineDiscount, PricedCart, PricedLine, Promotion, Scope,
)

register_builtin()

__all__ = [
    "Audience", "Bearer", "Cart", "Customer", "ItemKind", "Kind", "KindSpec", "Label", "Level", "Line", "LineDiscount",
    "OrderKind", "ParamError", "ParamType", "PricedCart", "PricedLine", "Promotion", "Scope", "all_kinds", "kind_spec",
    "make_promotion", "param", "price_cart", "price_cart_greedy", "register", "unregister", "validate_parameters",
]
