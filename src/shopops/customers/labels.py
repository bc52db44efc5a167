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


#: why a store has no CLV (``ClvFitError.reason``), in words a user can act on
CLV_UNAVAILABLE_REASONS = {
    "too_few": _("too few customers with repeat purchases to fit the model (at least 10 customers and 2 repeat "
                 "buyers are needed)"),
    "no_purchase_fit": _("the purchase model did not converge on this store's customers, even with a penalty"),
    "no_spend_fit": _("the spend model could not be fitted (at least 10 repeat buyers with a positive spend are "
                      "needed, and the fit must converge)"),
    "not_fitted": _("the model has not been fitted"),
}


def clv_unavailable(store_id: str, reason: str):
    """"No CLV for store X: why" — for the CLV page and for segment rules on CLV."""
    from django.utils.translation import gettext

    why = CLV_UNAVAILABLE_REASONS.get(reason, CLV_UNAVAILABLE_REASONS["no_purchase_fit"])
    return gettext("CLV is not available for store %(store)s: %(why)s. Rules on CLV cannot run for this store; "
                   "choose other stores or another field.") % {"store": store_id, "why": why}
