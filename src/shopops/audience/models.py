"""What people create about audiences (app DB): saved segments with their members and refresh
history, message templates, outreach sends with their recipients and outbox, opt-outs.

Moved from ``customers`` (migration ``audience.0001_from_customers``: the rows stayed, the
tables were renamed ``customers_*`` -> ``audience_*``).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


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
