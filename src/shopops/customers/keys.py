"""Customer keys: the opaque token in a customer's page URL (``/customers/<key>/``).

A buyer id is personal data: pages show it masked, and the URL must not carry it either
(it ends up in browser history, proxy logs and the Referer header). The key seals the store
and buyer id with the installation's secret (:mod:`shopops.core.opaque`); only this server
can open it, and a key from another installation or a tampered one is a 404.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from shopops.core.opaque import OpaqueKeyError, opaque_open, opaque_seal

PURPOSE = "customers.customer"


class CustomerKeyError(ValueError):
    pass


def customer_key(store_id: str, customer_id: str) -> str:
    return opaque_seal((str(store_id), str(customer_id)), secret=settings.SECRET_KEY, purpose=PURPOSE)


def customer_from_key(key: str) -> tuple[str, str]:
    """(store_id, customer_id) of a key, or :class:`CustomerKeyError`."""
    try:
        values = opaque_open(key, secret=settings.SECRET_KEY, purpose=PURPOSE)
    except OpaqueKeyError as exc:
        raise CustomerKeyError(f"not a customer key: {key[:80]!r}") from exc
    if len(values) != 2:
        raise CustomerKeyError(f"not a customer key: {key[:80]!r}")
    return values[0], values[1]


def customer_url(store_id: str, customer_id: str) -> str:
    return reverse("customers:customer", args=(customer_key(store_id, customer_id),))
