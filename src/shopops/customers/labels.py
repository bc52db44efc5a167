"""Names people read for RFM groups and lifecycle stages (zh-Hans / en through gettext)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

GROUP_LABELS = {
    "champions": _("Champions"),
    "loyal": _("Loyal"),
    "potential_loyalists": _("Potential loyalists"),
    "new": _("New"),
    "promising": _("Promising"),
    "need_attention": _("Need attention"),
    "about_to_sleep": _("About to sleep"),
    "at_risk": _("At risk"),
    "cant_lose": _("Can't lose them"),
    "hibernating": _("Hibernating"),
    "lost": _("Lost"),
}

STAGE_LABELS = {
    "none": _("Not yet a customer"),
    "new": _("New"),
    "active": pgettext_lazy("lifecycle stage", "Active"),
    "reactivated": _("Reactivated"),
    "at_risk": _("At risk"),
    "churned": _("Churned"),
}

ORDER_STATUS_LABELS = {
    "pending_payment": _("Awaiting payment"),
    "paid": _("Paid"),
    "shipped": _("Shipped"),
    "completed": _("Completed"),
    "closed": _("Closed"),
    "refunded": _("Refunded"),
}


REFUND_STATUS_LABELS = {
    "requested": pgettext_lazy("refund status", "Requested"),
    "success": pgettext_lazy("refund status", "Refunded"),
    "rejected": pgettext_lazy("refund status", "Rejected"),
    "cancelled": pgettext_lazy("refund status", "Cancelled"),
}


def group_label(value: str | None) -> str:
    return str(GROUP_LABELS.get(value or "", value or "—"))


def stage_label(value: str | None) -> str:
    return str(STAGE_LABELS.get(value or "", value or "—"))


def clv_unavailable(store_id: str, reason: str) -> str:
    """"No CLV for store X: why" in the reader's language — for the CLV page, the customer page
    and segment rules on CLV (the English texts live in ``customers.clv``)."""
    from django.utils.translation import gettext

    from shopops.customers.clv import UNAVAILABLE_MESSAGE, UNAVAILABLE_REASONS

    why = UNAVAILABLE_REASONS.get(reason, UNAVAILABLE_REASONS["no_purchase_fit"])
    return gettext(UNAVAILABLE_MESSAGE) % {"store": store_id, "why": gettext(why)}


def error_message(exc: Exception) -> str:
    """The message of an expected error in the reader's language (errors raised by pure modules
    carry a code and arguments; the others are already text)."""
    from shopops.customers.clv import ClvUnavailableError

    from shopops.ui.forms import error_text

    if isinstance(exc, ClvUnavailableError):
        return clv_unavailable(exc.store_id, exc.reason)
    return error_text(exc)
