"""What the service desk creates and edits (app DB): tickets, SLA policies, reply templates
(话术), agents, and satisfaction surveys. Facts (refunds, reviews, chat-service exports) live
in the warehouse; tickets point at them by id."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TicketType(models.TextChoices):
    PRESALE = "presale", _("Pre-sale question")
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REFUND = "refund", _("Refund")
    COMPLAINT = "complaint", _("Complaint")
    LOGISTICS = "logistics", _("Logistics issue")
    BAD_REVIEW = "bad_review", _("Negative review follow-up")


class Priority(models.IntegerChoices):
    LOW = 1, _("Low")
    NORMAL = 2, _("Normal")
    HIGH = 3, _("High")
    URGENT = 4, _("Urgent")


class TicketStatus(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket status", "New")
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    WAITING = "waiting", _("Waiting on customer")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


class TicketSource(models.TextChoices):
    MANUAL = "manual", _("By hand")
    REFUND = "refund", _("Refund")
    REVIEW = "review", pgettext_lazy("ticket source", "Review")
    REVIEW_WAVE = "review_wave", _("Negative-review wave")
    API = "api", _("API")


class Agent(models.Model):
    """A service agent: a user of the customer_service role as the desk knows them.

    ``chat_names`` are the names the agent has in the platforms' service tools (千牛 sub-account
    ``旗舰店:小美``, 咚咚 account…), so chat-service exports map to the agent; ``is_lead``
    marks the service lead, who may reassign any ticket.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_agent")
    nickname = models.CharField(_("nickname"), max_length=64)
    chat_names = models.JSONField(_("names in the chat tools"), default=list, blank=True)
    is_lead = models.BooleanField(_("service lead"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["nickname", "id"]
        verbose_name = _("agent")

    def __str__(self) -> str:
        return self.nickname


class BusinessHoursSetting(models.Model):
    """When the desk is open for SLA counting (store time zone; empty store: the default)."""

    store_id = models.CharField(_("store"), max_length=64, blank=True, unique=True)
    opens_minute = models.PositiveIntegerField(_("opens (minutes after midnight)"), default=9 * 60)
    closes_minute = models.PositiveIntegerField(_("closes (minutes after midnight)"), default=24 * 60)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(opens_minute__lt=models.F("closes_minute"))
                                              & Q(closes_minute__lte=1440), name="service_hours_ordered")]


class SlaPolicy(models.Model):
    """Targets in business minutes for a ticket type (empty: every type) and priority."""

    ticket_type = models.CharField(_("type"), max_length=16, choices=TicketType.choices, blank=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response within (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolve within (business minutes)"))
    escalate_on_breach = models.BooleanField(_("raise priority and notify the lead on breach"), default=True)

    class Meta:
        ordering = ["ticket_type", "-priority"]
        verbose_name = _("SLA policy")
        constraints = [
            models.UniqueConstraint(fields=["ticket_type", "priority"], name="sla_policy_once"),
            models.CheckConstraint(condition=Q(first_response_minutes__gte=1) & Q(resolution_minutes__gte=1),
                                   name="sla_policy_positive"),
        ]


class Ticket(models.Model):
    store_id = models.CharField(_("store"), max_length=64)
    ticket_type = models.CharField(_("type"), max_length=16, choices=TicketType.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.NEW)
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=TicketSource.choices, default=TicketSource.MANUAL)
    source_ref = models.CharField(max_length=128, blank=True, help_text="refund id, review id, API request id…")
    order_id = models.CharField(_("order"), max_length=128, blank=True)
    customer_id = models.CharField(_("customer"), max_length=128, blank=True)
    customer_nickname = models.CharField(_("customer nickname"), max_length=128, blank=True)
    product_id = models.CharField(_("product"), max_length=128, blank=True)
    assignee = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # SLA (UTC): the resolution clock starts at creation (again at a reopen) and stops while
    # the ticket waits on the customer; resolution_due = clock start + target + paused
    # business seconds, empty while waiting (services.ticket_transition)
    first_response_due = models.DateTimeField(null=True, blank=True)
    resolution_due = models.DateTimeField(null=True, blank=True)
    clock_started_at = models.DateTimeField(null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.BigIntegerField(default=0)
    # the deadline the queue sorts by (first response while unanswered, else resolution; empty
    # while waiting or closed): kept by the services on every save, indexed
    next_due = models.DateTimeField(null=True, blank=True)
    first_response_breached = models.BooleanField(default=False)
    resolution_breached = models.BooleanField(default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # a ticket the system made from a fact: {"kind": "refund" | "review" | "review_wave", …parameters}; its
    # subject and description are shown built from them in the reader's language (service.ticket_text)
    generated = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["resolution_due", "id"]
        verbose_name = _("ticket")
        constraints = [
            # the same refund / review / API request never makes two tickets
            models.UniqueConstraint(fields=["source", "store_id", "source_ref"], condition=~Q(source_ref=""),
                                    name="ticket_once_per_source_ref"),
        ]
        indexes = [
            models.Index(fields=["status", "resolution_due"], name="ticket_queue"),
            models.Index(fields=["next_due"], name="ticket_next_due"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee"),
            models.Index(fields=["store_id", "order_id"], name="ticket_order"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status not in (TicketStatus.RESOLVED, TicketStatus.CLOSED)

    def computed_next_due(self):
        """First response while nobody replied, else resolution; none while waiting or done."""
        if not self.is_active:
            return None
        if self.first_response_at is None and self.first_response_due is not None:
            return self.first_response_due
        return None if self.status == TicketStatus.WAITING else self.resolution_due

    @property
    def subject_text(self) -> str:
        """The subject in the reader's language (a generated one is rebuilt; a typed one is as typed)."""
        from shopops.service import ticket_text

        return ticket_text.shown(ticket_text.subject, self.generated, self.subject)

    @property
    def description_text(self) -> str:
        from shopops.service import ticket_text

        return ticket_text.shown(ticket_text.description, self.generated, self.description)


class TicketNote(models.Model):
    """A reply sent to the customer or an internal note (never shown to the customer)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField(_("text"))
    internal = models.BooleanField(_("internal note"), default=False)
    template = models.ForeignKey("ReplyTemplate", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    generated = models.JSONField(default=dict, blank=True)  # a note the system wrote: {"kind": …, …parameters}

    class Meta:
        ordering = ["created_at", "id"]

    @property
    def body_text(self) -> str:
        """The text in the reader's language (a note the system wrote is rebuilt from its parameters)."""
        from shopops.service import ticket_text

        return ticket_text.shown(ticket_text.note, self.generated, self.body)


class TicketEvent(models.Model):
    """The ticket's history: status moves, assignments, priority changes, escalations."""

    class Kind(models.TextChoices):
        CREATED = "created", pgettext_lazy("ticket event", "Created")
        STATUS = "status", _("Status")
        ASSIGNED = "assigned", _("Assigned")
        PRIORITY = "priority", _("Priority")
        ESCALATED = "escalated", _("Escalated")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    from_value = models.CharField(max_length=64, blank=True)
    to_value = models.CharField(max_length=64, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class TemplateScenario(models.TextChoices):
    GREETING = "greeting", _("Greeting")
    PRESALE = "presale", _("Pre-sale question")
    RETURN = "return", _("Return")
    EXCHANGE = "exchange", _("Exchange")
    REFUND = "refund", _("Refund")
    COMPLAINT = "complaint", _("Complaint")
    LOGISTICS = "logistics", _("Logistics issue")
    BAD_REVIEW = "bad_review", _("Negative review follow-up")
    REVIEW_REPLY = "review_reply", _("Reply to a review")
    CLOSING = "closing", _("Closing")


class ReplyTemplate(models.Model):
    """A reply template (话术) with ``{variables}`` (see ``service.templating``)."""

    title = models.CharField(_("title"), max_length=200)
    scenario = models.CharField(_("scenario"), max_length=16, choices=TemplateScenario.choices)
    platform = models.CharField(_("platform"), max_length=32, blank=True, help_text=_("Empty: every platform."))
    body = models.TextField(_("text"))
    is_active = models.BooleanField(_("active"), default=True)
    usage_count = models.PositiveIntegerField(_("used"), default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scenario", "-usage_count", "title"]
        verbose_name = _("reply template")
        constraints = [models.UniqueConstraint(fields=["title", "platform"], name="reply_template_title_once")]

    def __str__(self) -> str:
        return self.title


class SurveyKind(models.TextChoices):
    CSAT = "csat", _("Satisfaction (CSAT, 1–5)")
    NPS = "nps", _("Recommendation (NPS, 0–10)")


class SurveySend(models.Model):
    """One survey sent to one customer, answered at most once through its signed token."""

    class Trigger(models.TextChoices):
        TICKET_CLOSED = "ticket_closed", _("Ticket closed")
        DELIVERED = "delivered", _("Order delivered")

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("survey status", "Sent")
        ANSWERED = "answered", _("Answered")
        OPTED_OUT = "opted_out", _("Opted out")
        CAPPED = "capped", _("Frequency cap")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    store_id = models.CharField(max_length=64)
    customer_id = models.CharField(max_length=128)
    order_id = models.CharField(max_length=128, blank=True)
    product_id = models.CharField(max_length=128, blank=True)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys")
    agent = models.ForeignKey(Agent, null=True, blank=True, on_delete=models.SET_NULL, related_name="surveys")
    channel = models.CharField(max_length=32)
    token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=16, choices=Status.choices)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "ticket"], condition=Q(trigger="ticket_closed"),
                                    name="survey_send_once_per_ticket"),
            models.UniqueConstraint(fields=["kind", "store_id", "order_id"], condition=Q(trigger="delivered"),
                                    name="survey_send_once_per_order"),
        ]
        indexes = [models.Index(fields=["store_id", "customer_id", "sent_at"], name="survey_send_customer")]


class SurveyAnswer(models.Model):
    """The answer to one send (one per token): CSAT 1–5 or NPS 0–10."""

    send = models.OneToOneField(SurveySend, on_delete=models.CASCADE, related_name="answer")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    answered_at = models.DateTimeField()
    via = models.CharField(max_length=8, default="link")

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(score__lte=10), name="survey_answer_score_range")]
