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
