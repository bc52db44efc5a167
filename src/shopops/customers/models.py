"""What people set and create about customers (app DB). Facts about customers live in the warehouse.

``CustomerSettings`` holds each store's rules for lifecycle stages and VIP (an empty
``store_id`` is the default for every store without its own row).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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


# ------------------------------------------------------------------------------ segments
class Segment(models.Model):
    """A saved audience: a rule tree over customer facts (see ``customers.segments``)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    store_ids = models.JSONField(_("stores"), default=list, blank=True, help_text=_("Empty: every store."))
    rules = models.JSONField(_("rules"), default=dict)
    window_days = models.PositiveIntegerField(_("RFM window (days)"), null=True, blank=True,
                                              help_text=_("Empty: each store's own setting."))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    refreshed_as_of = models.DateField(null=True, blank=True)
    member_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("segment")

    def __str__(self) -> str:
        return self.name


class SegmentMember(models.Model):
    """The segment's members as of its last refresh (replaced by each refresh)."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    store_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    joined_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "store_id", "customer_id"], name="segment_member_once")]
        indexes = [models.Index(fields=["store_id", "customer_id"], name="segment_member_customer")]


class SegmentRefresh(models.Model):
    """One refresh: how many members, how many joined and left since the refresh before."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="refreshes")
    as_of = models.DateField()
    refreshed_at = models.DateTimeField()
    members = models.PositiveIntegerField()
    joined = models.PositiveIntegerField()
    left = models.PositiveIntegerField()

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [models.UniqueConstraint(fields=["segment", "as_of"], name="segment_refresh_once_per_day")]


# ------------------------------------------------------------------------------ outreach
class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WECHAT_TEMPLATE = "wechat_template", _("WeChat template message")
    WECOM = "wecom", _("WeCom")
    APP_PUSH = "app_push", _("App push")
    EMAIL = "email", _("Email")


class OptOut(models.Model):
    """A customer who said no (PIPL): never sent to on this channel (empty channel: on any)."""

    store_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    channel = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store_id", "customer_id", "channel"], name="opt_out_once")]


class MessageTemplate(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    body_zh = models.TextField(_("text (Chinese)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    subject = models.CharField(_("subject (email)"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Outreach(models.Model):
    """One send of a template to a segment, with a random holdout that is not sent to."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("outreach status", "Sent")

    name = models.CharField(_("name"), max_length=200)
    segment = models.ForeignKey(Segment, on_delete=models.PROTECT, related_name="outreaches")
    template = models.ForeignKey(MessageTemplate, on_delete=models.PROTECT, related_name="outreaches")
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices, default=Channel.SMS)
    language = models.CharField(_("language"), max_length=8, default="zh-hans")
    holdout_percent = models.DecimalField(_("holdout %"), max_digits=5, decimal_places=2, default=Decimal("10"))
    seed = models.BigIntegerField(_("random seed"), default=0)
    coupon_ref = models.CharField(_("coupon"), max_length=64, blank=True)
    frequency_cap = models.PositiveIntegerField(_("at most messages per customer per 7 days"), default=2)
    window_days = models.PositiveIntegerField(_("results window (days)"), default=14)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    eligible = models.PositiveIntegerField(default=0)
    opted_out = models.PositiveIntegerField(default=0)
    capped = models.PositiveIntegerField(default=0)
    treatment = models.PositiveIntegerField(default=0)
    holdout = models.PositiveIntegerField(default=0)
    delivered = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(holdout_percent__gte=0) & Q(holdout_percent__lt=100), name="outreach_holdout_0_100"),
            models.CheckConstraint(condition=Q(window_days__gte=1), name="outreach_window_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class OutreachRecipient(models.Model):
    """A segment member of a send: treatment (sent to) or holdout, or excluded and why."""

    class Group(models.TextChoices):
        TREATMENT = "treatment", _("Treatment")
        HOLDOUT = "holdout", _("Holdout")
        EXCLUDED = "excluded", _("Excluded")

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("outreach status", "Sent")
        FAILED = "failed", _("Failed")
        HELD_OUT = "held_out", _("Held out")
        OPTED_OUT = "opted_out", _("Opted out")
        CAPPED = "capped", _("Frequency cap")

    outreach = models.ForeignKey(Outreach, on_delete=models.CASCADE, related_name="recipients")
    store_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    group = models.CharField(max_length=16, choices=Group.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    sent_at = models.DateTimeField(null=True, blank=True)
    coupon_code = models.CharField(max_length=64, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outreach", "store_id", "customer_id"], name="outreach_recipient_once")]
        indexes = [models.Index(fields=["store_id", "customer_id", "sent_at"], name="outreach_recipient_sent")]


class OutboxMessage(models.Model):
    """What the development outbox adapter would have sent (nothing leaves the machine)."""

    channel = models.CharField(max_length=32)
    recipient = models.CharField(max_length=200, help_text="masked")
    store_id = models.CharField(max_length=64)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    created_at = models.DateTimeField()
    outreach = models.ForeignKey(Outreach, null=True, blank=True, on_delete=models.SET_NULL, related_name="outbox")

    class Meta:
        ordering = ["-created_at", "-id"]


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
