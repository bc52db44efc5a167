"""The promotion engine: pure Python, no Django. Cart + promotions in, PricedCart out.

- ``types``     the frozen dataclasses (Cart, Promotion, PricedCart, LineDiscount …)
- ``benefits``  what one promotion takes off which lines, given the current prices
- ``pricing``   the exact best-combination search over the stacking levels
- ``proration`` largest-remainder allocation to the cent
- ``floor``     the floor-price (破价) guard
"""

from shopops.promotions.engine.pricing import price_cart, price_cart_greedy
from shopops.promotions.engine.types import (
    Audience, Bearer, Cart, Customer, Kind, Level, Line, LineDiscount, PricedCart, PricedLine, Promotion, Scope,
)

__all__ = [
    "Audience", "Bearer", "Cart", "Customer", "Kind", "Level", "Line", "LineDiscount", "PricedCart", "PricedLine",
    "Promotion", "Scope", "price_cart", "price_cart_greedy",
]
