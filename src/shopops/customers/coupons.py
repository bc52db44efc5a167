"""Coupons for customers — a points reward (``customers.services.points_redeem``) or an
outreach send (``audience.services.outreach_send``) — come from an issuer another app
registers (customers and audience must not import promotions: the arrow points the other way).

    from shopops.customers.coupons import register_issuer
    register_issuer(my_issue)   # in the issuing app's AppConfig.ready()

An issuer is ``fn(*, coupon_ref: str, customer_ids: list[str], now: datetime) -> dict[str, str]``
returning each customer's code; it raises ``ShopopsError`` with a message when it cannot
(unknown coupon, not enough left). ``coupon_choices`` lists what may be attached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from shopops.core.errors import ShopopsError

Issuer = Callable[..., dict[str, str]]
ChoicesFn = Callable[[], list[tuple[str, str]]]

_issuer: Issuer | None = None
_choices: ChoicesFn | None = None


class NoCouponIssuer(ShopopsError):
    pass


def register_issuer(fn: Issuer, *, choices: ChoicesFn | None = None) -> None:
    global _issuer, _choices
    _issuer, _choices = fn, choices


def unregister_issuer() -> None:
    global _issuer, _choices
    _issuer = _choices = None


def has_issuer() -> bool:
    return _issuer is not None


def coupon_choices() -> list[tuple[str, str]]:
    """(coupon_ref, label) of coupons that may be attached; empty without an issuer."""
    return list(_choices()) if _choices else []


def coupons_issue(*, coupon_ref: str, customer_ids: Sequence[str], now: dt.datetime) -> dict[str, str]:
    if _issuer is None:
        raise NoCouponIssuer("no coupon issuer is registered (the promotions app registers one); "
                             f"cannot attach coupon {coupon_ref!r}")
    if not customer_ids:
        return {}
    codes = _issuer(coupon_ref=coupon_ref, customer_ids=list(customer_ids), now=now)
    missing = [c for c in customer_ids if c not in codes]
    if missing:
        raise ShopopsError(f"coupon {coupon_ref!r}: the issuer returned no code for {len(missing)} customer(s)")
    return codes
