"""Promotions, campaigns, coupons, flash sales and floor prices: what people set up.

Rules that must hold under concurrency are database constraints, not ``clean()``:
a code exists once, stock never goes below zero, a buyer has one counter per flash sale.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from shopops.promotions.engine.types import Audience, Bearer
from shopops.promotions.kinds import kind_choices

MONEY = {"max_digits": 18, "decimal_places": 2}


class Promotion(models.Model):
    class AudienceChoices(models.TextChoices):
        ALL = Audience.ALL, _("Everyone")
        NEW_BUYERS = Audience.NEW_BUYERS, _("New buyers")
        MEMBERS = Audience.MEMBERS, _("Members")
        SEGMENTS = Audience.SEGMENTS, _("Segments")

    class BearerChoices(models.TextChoices):
        STORE = Bearer.STORE, _("Store")
        PLATFORM = Bearer.PLATFORM, _("Platform")

    name = models.CharField(max_length=200)
    # a registered kind's key; its choices and labels come from the kind specs (engine.kinds)
    kind = models.CharField(max_length=32, choices=kind_choices)
    # Per-kind parameters (rate, price, amount, threshold, cap, tiers …), validated by
    # services.promotion_parameters_validate against the kind's spec.
    parameters = models.JSONField(default=dict, blank=True)
    scope_categories = models.JSONField(default=list, blank=True)
    scope_products = models.JSONField(default=list, blank=True)
    scope_skus = models.JSONField(default=list, blank=True)
    exclude_skus = models.JSONField(default=list, blank=True)
    audience = models.CharField(max_length=16, choices=AudienceChoices.choices, default=Audience.ALL)
    segment_ids = models.JSONField(default=list, blank=True)
    channels = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    priority = models.IntegerField(default=0)
    exclusive_group = models.CharField(max_length=64, blank=True)
    stackable = models.BooleanField(default=False)
    bearer = models.CharField(max_length=16, choices=BearerChoices.choices, default=Bearer.STORE)
    store_share = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)  # the quote path reuses an unchanged active set

    class Meta:
        ordering = ["-priority", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(store_share__gte=0) & Q(store_share__lte=1), name="promotion_store_share_0_1"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="promotion_window_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Campaign(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    name = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    promotions = models.ManyToManyField(Promotion, related_name="campaigns", blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="campaign_window_ordered")]

    def covers(self, moment) -> bool:
        """Whether ``moment`` falls inside the campaign's window [starts_at, ends_at)."""
        return self.starts_at <= moment < self.ends_at

    def __str__(self) -> str:
        return self.name


class Coupon(models.Model):
    """A coupon definition: its pricing rule is ``promotion`` (a coupon-kind promotion)."""

    promotion = models.ForeignKey(Promotion, on_delete=models.PROTECT, related_name="coupons")
    name = models.CharField(max_length=200)
    valid_from = models.DateTimeField()
    valid_until = models.DateTimeField()
    per_customer_limit = models.PositiveIntegerField(default=1)
    total_quantity = models.PositiveIntegerField()
    issued = models.PositiveIntegerField(default=0)
    face_value = models.DecimalField(**MONEY, help_text="outstanding value per code, for the liability report")
    store_id = models.CharField(max_length=64, help_text="the store whose server key may claim and redeem its codes")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(issued__lte=F("total_quantity")), name="coupon_issued_within_quantity"),
            models.CheckConstraint(condition=Q(valid_until__gt=F("valid_from")), name="coupon_window_ordered"),
        ]

    def __str__(self) -> str:
        return self.name


class CouponCode(models.Model):
    """One issued coupon: to a customer, as a code, or claimable (no customer until claimed)."""

    coupon = models.ForeignKey(Coupon, on_delete=models.CASCADE, related_name="codes")
    code = models.CharField(max_length=40)
    customer_id = models.CharField(max_length=64, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    order_id = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["code"], name="coupon_code_unique"),
            # a redeemed code names its order, and an order uses a coupon definition once
            models.CheckConstraint(condition=Q(redeemed_at__isnull=True) | ~Q(order_id=""), name="coupon_redeemed_has_order"),
            models.UniqueConstraint(fields=["coupon", "order_id"], condition=~Q(order_id=""), name="coupon_once_per_order"),
        ]


class FlashSale(models.Model):
    sku = models.CharField(max_length=64)
    name = models.CharField(max_length=200, blank=True)
    price = models.DecimalField(**MONEY)
    quantity = models.PositiveIntegerField()
    remaining = models.IntegerField()
    per_buyer_limit = models.PositiveIntegerField(default=1)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    reservation_minutes = models.PositiveIntegerField(default=15)
    store_id = models.CharField(max_length=64, help_text="the store whose server key may reserve and release its stock")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(remaining__gte=0) & Q(remaining__lte=F("quantity")), name="flash_sale_remaining_in_range"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="flash_sale_window_ordered"),
        ]


class FlashSaleBuyer(models.Model):
    """Units a buyer holds (reserved or paid) in a flash sale: one row per buyer, capped by the limit."""

    flash_sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="buyers")
    buyer_id = models.CharField(max_length=64)
    units = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["flash_sale", "buyer_id"], name="flash_sale_buyer_unique"),
            models.CheckConstraint(condition=Q(units__gte=0), name="flash_sale_buyer_units_nonnegative"),
        ]


class Reservation(models.Model):
    class Status(models.TextChoices):
        RESERVED = "reserved", _("Reserved")
        PAID = "paid", _("Paid")
        EXPIRED = "expired", _("Expired")
        RELEASED = "released", _("Released")

    flash_sale = models.ForeignKey(FlashSale, on_delete=models.CASCADE, related_name="reservations")
    buyer_id = models.CharField(max_length=64)
    quantity = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RESERVED)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True, help_text="when it was released or expired")
    store_id = models.CharField(max_length=64, blank=True, help_text="warehouse store of the sale's orders")

    class Meta:
        indexes = [models.Index(fields=["status", "expires_at"], name="reservation_status_expiry")]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="reservation_quantity_positive")]


class FloorPrice(models.Model):
    """The lowest price a SKU may be sold at: committed price if set, else cost x (1 + min margin)."""

    sku = models.CharField(max_length=64, unique=True)
    product = models.CharField(max_length=64, blank=True)
    category = models.CharField(max_length=64, blank=True)
    list_price = models.DecimalField(**MONEY)
    cost = models.DecimalField(**MONEY)
    min_margin = models.DecimalField(max_digits=5, decimal_places=4, default=Decimal("0.05"))
    committed_price = models.DecimalField(**MONEY, null=True, blank=True, help_text="e.g. the 30-day lowest price")

    class Meta:
        ordering = ["sku"]
        constraints = [models.CheckConstraint(condition=Q(cost__gte=0) & Q(list_price__gte=0), name="floor_price_nonnegative")]

    @property
    def floor(self) -> Decimal:
        if self.committed_price is not None:
            return self.committed_price
        return (self.cost * (1 + self.min_margin)).quantize(Decimal("0.01"))


class AuditLog(models.Model):
    at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=64)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit")
    reason = models.TextField(blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    ACTION_LABELS = {
        "campaign_publish": _("Published"),
        "campaign_publish_override": _("Published over the floor-price guard"),
        "campaign_publish_denied": _("Publishing refused (no permission)"),
        "campaign_publish_override_denied": _("Publishing over the floor-price guard refused (no permission)"),
    }

    @property
    def action_label(self) -> str:
        """What happened, in the reader's language (the stored code when it is not one of the known)."""
        return str(self.ACTION_LABELS.get(self.action, self.action))


class WarehouseOutbox(models.Model):
    """A fact waiting for the warehouse, written in the same transaction as the change it records.

    ``shopops.promotions.facts.facts_flush`` turns pending rows into warehouse facts (built from
    the app DB's current state, upserted by natural key through the loader) and deletes them:
    a crash between the load and the delete only means the next flush loads the same rows
    again, which changes nothing.
    """

    class Fact(models.TextChoices):
        COUPON_REDEMPTION = "coupon_redemptions", _("Coupon redemption")
        RESERVATION = "flash_sale_reservations", _("Flash-sale reservation")

    fact = models.CharField(max_length=32, choices=Fact.choices)
    object_key = models.CharField(max_length=64, help_text="the coupon code, or the reservation id")
    store_id = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
