"""What people set and create about customers (app DB). Facts about customers live in the warehouse.

``CustomerSettings`` holds each store's rules for lifecycle stages and VIP (an empty
``store_id`` is the default for every store without its own row).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerSettings(models.Model):
    store_id = models.CharField(_("store"), max_length=64, blank=True, unique=True, help_text=_("Empty: the default for every store."))
    rfm_window_days = models.PositiveIntegerField(_("RFM window (days)"), default=365)
    active_days = models.PositiveIntegerField(_("active: last order within (days)"), default=90)
    churn_days = models.PositiveIntegerField(_("churned: no order for (days)"), default=180)
    new_days = models.PositiveIntegerField(_("new: first order within (days)"), default=30)
    vip_min_spend = models.DecimalField(_("VIP: 12-month GMV at least"), max_digits=18, decimal_places=2, default=Decimal("2000.00"))
    vip_min_orders = models.PositiveIntegerField(_("VIP: 12-month paid orders at least"), default=1)

    class Meta:
        verbose_name = _("customer settings")
        verbose_name_plural = _("customer settings")

    def __str__(self) -> str:
        return self.store_id or "default"

    @classmethod
    def for_store(cls, store_id: str = "") -> CustomerSettings:
        """The store's own row, else the default row, else an unsaved default."""
        rows = {s.store_id: s for s in cls.objects.filter(store_id__in=[store_id, ""])}
        return rows.get(store_id) or rows.get("") or cls(store_id="")
