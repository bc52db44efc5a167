"""What people set and create about customers (app DB). Facts about customers live in the warehouse.

``CustomerSettings`` holds each store's rules for lifecycle stages and VIP (an empty
``store_id`` is the default for every store without its own row). Check-in and the points
ledger (customer loyalty) live here too; segments and outreach are ``shopops.audience``.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
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


# ------------------------------------------------------------------------------ engagement
class CheckIn(models.Model):
    """A daily check-in (每日签到): at most one per customer per store-local day."""

    store_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    day = models.DateField()
    streak = models.PositiveIntegerField()
    points = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-day"]
        constraints = [models.UniqueConstraint(fields=["store_id", "customer_id", "day"], name="checkin_once_per_day")]


class PointsWallet(models.Model):
    """The running balance of one customer's ledger, kept in the same transaction as each entry.

    The ledger is the truth (balance = sum of entries); this row is what concurrent
    redemptions take with one conditional UPDATE, and its constraint keeps it >= 0.
    """

    store_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    balance = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store_id", "customer_id"], name="points_wallet_once"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="points_wallet_nonnegative"),
        ]


class PointsEntry(models.Model):
    """One append-only ledger line: points earned (+) or taken (-)."""

    class Kind(models.TextChoices):
        CHECKIN = "checkin", _("Check-in")
        SPEND = "spend", _("Spend")
        REDEEM = "redeem", _("Redeemed")
        EXPIRE = "expire", _("Expired")
        ADJUST = "adjust", _("Adjustment")

    store_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    points = models.BigIntegerField()
    reference = models.CharField(max_length=128, blank=True, help_text="order id, check-in day, request id…")
    detail = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["store_id", "customer_id", "kind", "reference"], condition=~Q(reference=""),
                                    name="points_entry_once_per_reference"),
            models.CheckConstraint(condition=~Q(points=0), name="points_entry_nonzero"),
        ]
        indexes = [models.Index(fields=["store_id", "customer_id", "created_at"], name="points_entry_customer")]


class PointsReward(models.Model):
    """A coupon customers may take for points (the coupon comes from the registered issuer)."""

    name = models.CharField(_("name"), max_length=200)
    coupon_ref = models.CharField(_("coupon"), max_length=64)
    points_cost = models.PositiveIntegerField(_("points"))
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["points_cost", "id"]
        constraints = [models.CheckConstraint(condition=Q(points_cost__gte=1), name="points_reward_cost_positive")]

    def __str__(self) -> str:
        return self.name
