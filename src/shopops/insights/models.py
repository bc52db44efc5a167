"""What insights keeps in the app DB: findings people act on, their tasks, and what was sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}


class Finding(models.Model):
    """One store's abnormal day: its signals, the diagnosis, and what the team did about it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        ASSIGNED = "assigned", _("Assigned")
        MUTED = "muted", _("Muted")

    store_id = models.CharField(max_length=64)
    day = models.DateField()
    severity = models.CharField(max_length=16, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=0)
    kpi = models.CharField(max_length=64)  # the headline signal
    product_id = models.CharField(max_length=64, blank=True, default="")
    actual = models.FloatField()
    expected = models.FloatField()
    low = models.FloatField()
    high = models.FloatField()
    relative = models.FloatField()
    window = models.PositiveSmallIntegerField(default=1)
    money_at_stake = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    cause = models.CharField(max_length=32, blank=True, default="")  # the kind of the top evidence
    signals = models.JSONField(default=list)
    diagnosis = models.JSONField(default=dict)  # decomposition, evidence, chart
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="insight_findings")
    muted_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "-severity_rank", "-money_at_stake", "store_id"]
        constraints = [
            models.UniqueConstraint(fields=["store_id", "day"], name="insights_one_finding_per_store_day"),
            models.CheckConstraint(condition=models.Q(severity__in=list(SEVERITY_RANK)), name="insights_severity_known"),
            models.CheckConstraint(condition=~models.Q(status="muted") | models.Q(muted_until__isnull=False),
                                   name="insights_muted_has_until"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.day} {self.kpi}"


class ModuleAlert(models.Model):
    """An alert another module raised (``shopops.core.alerts.Alert``): one row per condition
    ``(source, kind, key)``, open while its source keeps raising it."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RESOLVED = "resolved", _("Resolved")

    source = models.CharField(max_length=32)  # the module ("inventory")
    origin = models.CharField(max_length=200, default="")  # the source function that raised it (its dotted path)
    kind = models.CharField(max_length=48)
    key = models.CharField(max_length=200)
    store_id = models.CharField(max_length=64, blank=True, default="")
    product_id = models.CharField(max_length=64, blank=True, default="")
    day = models.DateField()  # the last business day the source raised it
    first_day = models.DateField()  # the first day it was raised (in this open spell)
    severity = models.CharField(max_length=16, choices=Severity.choices)
    severity_rank = models.PositiveSmallIntegerField(default=0)
    text_zh = models.CharField(max_length=500)
    text_en = models.CharField(max_length=500)
    money_at_stake = models.DecimalField(max_digits=18, decimal_places=2, default=0)
    link = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day", "-severity_rank", "-money_at_stake", "source", "key"]
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "key"], name="insights_one_alert_per_condition"),
            models.CheckConstraint(condition=models.Q(severity__in=list(SEVERITY_RANK)),
                                   name="insights_alert_severity_known"),
        ]

    def text(self, language: str) -> str:
        return self.text_zh if (language or "").lower().startswith("zh") else self.text_en

    def __str__(self) -> str:
        return f"{self.source}/{self.kind}/{self.key}"


class Task(models.Model):
    """Follow-up work for a person, created when a finding is assigned."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="insight_tasks")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    # the same work on the team's task board (campaigns): where the assignee sees, moves and closes it
    board_task = models.ForeignKey("campaigns.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]


class Mute(models.Model):
    """Do not alert this KPI of this store (and product) until a day."""

    store_id = models.CharField(max_length=64)
    kpi = models.CharField(max_length=64)
    product_id = models.CharField(max_length=64, blank=True, default="")
    until = models.DateField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store_id", "kpi", "product_id"], name="insights_one_mute_per_key")]


class Delivery(models.Model):
    """A message built for a channel: sent, or (development) kept in the outbox."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        WECOM = "wecom", _("WeCom robot")
        DINGTALK = "dingtalk", _("DingTalk robot")
        FEISHU = "feishu", _("Feishu robot")

    class Status(models.TextChoices):
        OUTBOX = "outbox", _("In the outbox (not sent)")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(max_length=16, choices=Channel.choices)
    kind = models.CharField(max_length=16, default="brief")  # brief | finding
    day = models.DateField()
    language = models.CharField(max_length=8, default="zh-hans")
    target = models.CharField(max_length=300, blank=True, default="")  # address or webhook (shown masked)
    subject = models.CharField(max_length=300, blank=True, default="")
    payload = models.JSONField(default=dict)  # exactly what would be posted / the email parts
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OUTBOX)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["channel", "kind", "day", "language", "target"],
                                               name="insights_one_delivery_per_message")]

    @property
    def payload_json(self) -> str:
        import json

        return json.dumps(self.payload, ensure_ascii=False, indent=1)
