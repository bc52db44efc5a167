"""Blocks other apps add to the customer 360° page.

Customers sits below the apps that act on customers (audience: the segments a customer is in
and the outreach they received), so it cannot import them; they register a provider at start-up
(``AppConfig.ready``), the way the promotions app registers the coupon issuer
(``customers.coupons``):

    from shopops.customers.sections import register_customer_section
    register_customer_section(my_section)

A provider is ``fn(*, store_id: str, customer_id: str) -> Section | None``; the page includes
``section.template`` with ``section.context`` as ``section``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Section:
    template: str
    context: dict = field(default_factory=dict)


Provider = Callable[..., "Section | None"]
_providers: list[Provider] = []


def register_customer_section(fn: Provider) -> None:
    if fn not in _providers:
        _providers.append(fn)


def customer_sections(*, store_id: str, customer_id: str) -> list[Section]:
    """The blocks of every registered provider for one customer, in registration order."""
    sections = (fn(store_id=store_id, customer_id=customer_id) for fn in list(_providers))
    return [s for s in sections if s is not None]
