"""Campaign season: what people plan and do around a 大促 (docs/campaigns.md).

- :class:`CampaignPlan` — the 活动策划: theme, stores, goals, status flow, hero SKUs, the
  promotions container it owns (``promotions.Campaign``: one "活动" for the user), retro notes;
- :class:`CampaignPhase` — its dated phases (预热, 预售定金, 尾款, 开门红, 正式, 返场 …);
- :class:`BudgetLine` — money by channel, in the plan's (= the stores') currency;
- :class:`TaskTemplate` / :class:`TaskTemplateStep` — the seeds' workflow, each step with its
  owner role and lead time (T−30 选品 … T+3 复盘);
- :class:`Task` (+ comments, attachments, dependencies) — the team's work, due in store time;
- :class:`ContentPost` — the content calendar (小红书, 抖音, 微信, 微博) with imported results;
- :class:`StoreDay` — the store's own days (会员日, 店庆) on the marketing calendar;
- :class:`StoreResponsibility` — who answers for which store's targets (team scorecards).
- :class:`RetroFinding` — an insights finding linked to a plan's 复盘 (went well / badly / lesson).
- :class:`PublicHolidaySchedule` / :class:`PublicHolidayDay` — a year's State Council holiday
  notice entered by hand while `chinesecalendar` does not ship it (2027 today).

Rules that must hold whatever writes them are database constraints; the precise messages for
people come from ``services`` before the database is touched.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopops.core.roles import ROLE_LABELS

MONEY = {"max_digits": 18, "decimal_places": 2}
ROLE_CHOICES = [(r.value, en) for r, (_zh, en) in ROLE_LABELS.items()]


class CampaignPlan(models.Model):
    """A 活动策划: one campaign over one or more stores of one currency."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        RUNNING = "running", _("Running")
        FINISHED = "finished", pgettext_lazy("campaign status", "Finished")  # not the jobs' "finished at"
        REVIEWED = "reviewed", _("Reviewed")

    name = models.CharField(max_length=200)
    theme = models.TextField(blank=True, help_text="the story of the campaign (主题)")
    festival = models.CharField(max_length=64, blank=True, help_text="key of a platform festival (core.festivals), if any")
    store_ids = models.JSONField(default=list, help_text="warehouse store ids (stores.store_id)")
    currency = models.CharField(max_length=3, default="CNY", help_text="the stores' currency: every amount of the plan")
    time_zone = models.CharField(max_length=64, default="Asia/Shanghai", help_text="the stores' time zone: due dates")
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="campaign_plans")
    # goals (目标); empty = not set
    goal_gmv = models.DecimalField(**MONEY, null=True, blank=True)
    goal_paying_buyers = models.PositiveIntegerField(null=True, blank=True)
    goal_new_buyers = models.PositiveIntegerField(null=True, blank=True)
    goal_roi = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True,
                                   help_text="(GMV − cost) / cost as a ratio: 2.00 = 200 %")
    goal_margin_floor = models.DecimalField(max_digits=5, decimal_places=4, null=True, blank=True,
                                            help_text="lowest acceptable gross margin rate, 0.25 = 25 %")
    hero_skus = models.JSONField(default=list, blank=True, help_text="主推 SKUs")
    promo_campaign = models.OneToOneField("promotions.Campaign", null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="plan", help_text="the promotions this plan runs")
    # 复盘 notes
    went_well = models.TextField(blank=True)
    went_badly = models.TextField(blank=True)
    next_time = models.TextField(blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="campaign_plan_dates_ordered"),
            models.CheckConstraint(condition=Q(goal_gmv__isnull=True) | Q(goal_gmv__gte=0), name="campaign_plan_goal_gmv_nonnegative"),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignPhase(models.Model):
    class Kind(models.TextChoices):
        WARMUP = "warmup", _("Warm-up (预热/蓄水)")
        PRESALE_DEPOSIT = "presale_deposit", _("Presale deposit (预售定金)")
        BALANCE = "balance", _("Balance payment (尾款)")
        KICKOFF = "kickoff", _("Kick-off (开门红)")
        MAIN = "main", _("Main event (正式)")
        ENCORE = "encore", _("Encore (返场)")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(CampaignPlan, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    name = models.CharField(max_length=100, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="campaign_phase_window_ordered")]

    def __str__(self) -> str:
        return self.name or self.get_kind_display()


class BudgetLine(models.Model):
    class Channel(models.TextChoices):
        AD_TOOLS = "ad_tools", _("Ad tools")
        CONTENT = "content", _("Content")
        COUPONS = "coupons", _("Coupons (expected cost)")
        SAMPLES = "samples", _("Samples")
        OTHER = "other", _("Other")

    plan = models.ForeignKey(CampaignPlan, on_delete=models.CASCADE, related_name="budget_lines")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    label = models.CharField(max_length=100, blank=True, help_text="e.g. 直通车, 巨量千川, 小红书达人")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3)

    class Meta:
        ordering = ["channel", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_nonnegative")]


class TaskTemplate(models.Model):
    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.name


class TaskKind(models.TextChoices):
    """What a task is for: the readiness checklist reads the kinds it knows."""

    RESEARCH = "research", _("Market research")
    SELECTION = "selection", _("Product selection")
    LISTING = "listing", _("Listings and detail pages")
    CREATIVE = "creative", _("Creatives")
    COPY = "copy", _("Copy")
    PROMOTIONS = "promotions", _("Promotions set up")
    ADS = "ads", _("Ad plans")
    SERVICE = "service", _("Service scripts (话术)")
    STOCK = "stock", _("Stock")
    RETRO = "retro", _("Data analysis and review")
    OTHER = "other", _("Other")


class TaskTemplateStep(models.Model):
    template = models.ForeignKey(TaskTemplate, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=TaskKind.choices, default=TaskKind.OTHER)
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    offset_days = models.IntegerField(help_text="due day: −30 = 30 days before the campaign's first day (T−30), 3 = 3 days after its last day (T+3)")
    duration_days = models.PositiveIntegerField(default=3, help_text="working window before the due day (timeline)")
    depends_on_previous = models.BooleanField(default=True)

    class Meta:
        ordering = ["template", "position"]
        constraints = [models.UniqueConstraint(fields=["template", "position"], name="task_template_step_position_unique")]


class Task(models.Model):
    class Status(models.TextChoices):
        TODO = "todo", _("To do")
        DOING = "doing", _("In progress")
        BLOCKED = "blocked", _("Blocked")
        DONE = "done", _("Done")

    plan = models.ForeignKey(CampaignPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="tasks")
    step = models.ForeignKey(TaskTemplateStep, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=TaskKind.choices, default=TaskKind.OTHER)
    role = models.CharField(max_length=32, choices=ROLE_CHOICES, blank=True, help_text="owner role")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="campaign_tasks")
    starts_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(help_text="due day in the store's time zone (end of that day)")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.TODO)
    done_on = models.DateField(null=True, blank=True, help_text="store-time day it was marked done")
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="blocks")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="campaign_task_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(starts_on__isnull=True) | Q(starts_on__lte=F("due_on")),
                                   name="campaign_task_starts_before_due"),
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False), name="campaign_task_done_has_day"),
        ]

    def __str__(self) -> str:
        return self.title


class TaskComment(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


class TaskAttachment(models.Model):
    """A file on a task, stored under ``SHOPOPS_VAR_DIR/campaigns/attachments/`` by a random name."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=80, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]


class ContentPost(models.Model):
    class Channel(models.TextChoices):
        XIAOHONGSHU = "xiaohongshu", _("Xiaohongshu (小红书)")
        DOUYIN = "douyin", _("Douyin (抖音)")
        WECHAT_ARTICLE = "wechat_article", _("WeChat official account (微信公众号)")
        WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels (视频号)")
        WEIBO = "weibo", _("Weibo (微博)")

    class Format(models.TextChoices):
        POST = "post", _("Post")
        VIDEO = "video", _("Video")
        LIVESTREAM = "livestream", _("Livestream")

    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        DRAFTING = "drafting", _("Drafting")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.CharField(max_length=64, unique=True, help_text="the post's key: results import matches on it")
    plan = models.ForeignKey(CampaignPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts")
    store_id = models.CharField(max_length=64, blank=True)
    channel = models.CharField(max_length=24, choices=Channel.choices)
    format = models.CharField(max_length=16, choices=Format.choices, default=Format.POST)
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="content_posts")
    publish_at = models.DateTimeField()
    product_links = models.JSONField(default=list, blank=True, help_text="product or SKU ids")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDEA)
    cost = models.DecimalField(**MONEY, null=True, blank=True)
    # results, imported (ContentPost results CSV)
    reach = models.PositiveIntegerField(null=True, blank=True)
    engagements = models.PositiveIntegerField(null=True, blank=True)
    attributed_orders = models.PositiveIntegerField(null=True, blank=True)
    attributed_gmv = models.DecimalField(**MONEY, null=True, blank=True)
    results_imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["publish_at", "id"]
        constraints = [models.CheckConstraint(condition=Q(cost__isnull=True) | Q(cost__gte=0), name="content_post_cost_nonnegative")]

    def __str__(self) -> str:
        return self.title


class RetroFinding(models.Model):
    """An insights finding (an abnormal KPI day) a planner linked to the plan's 复盘, with a verdict and a note.

    Campaigns is below insights in the layers, so there is no foreign key: ``finding_id`` names the
    ``insights.Finding`` and the row keeps what the finding said when it was linked (day, store, product,
    KPI, actual, expected, the named cause — the texts in zh-Hans and English), so the 复盘 and its PDF/XLSX
    read it without insights and do not change when insights re-detects the day.
    """

    class Verdict(models.TextChoices):
        WENT_WELL = "went_well", pgettext_lazy("retro finding", "Went well")
        WENT_BADLY = "went_badly", pgettext_lazy("retro finding", "Went badly")
        LESSON = "lesson", pgettext_lazy("retro finding", "Lesson")

    plan = models.ForeignKey(CampaignPlan, on_delete=models.CASCADE, related_name="retro_findings")
    finding_id = models.PositiveIntegerField(help_text="insights.Finding id (no foreign key: insights is above campaigns)")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    note = models.CharField(max_length=200, blank=True)
    # what the finding said when it was linked
    day = models.DateField()
    store_id = models.CharField(max_length=64)
    product_id = models.CharField(max_length=64, blank=True, default="")
    kpi = models.CharField(max_length=64)
    actual = models.FloatField()
    expected = models.FloatField()
    severity = models.CharField(max_length=16, blank=True, default="")
    link = models.CharField(max_length=300, blank=True, default="")
    texts = models.JSONField(default=dict, blank=True, help_text="{zh|en: {store, product, kpi, actual, expected, cause, severity}}")
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    linked_at = models.DateTimeField()
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "store_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "finding_id"], name="campaign_retro_finding_once"),
            models.CheckConstraint(condition=Q(verdict__in=["went_well", "went_badly", "lesson"]),
                                   name="campaign_retro_finding_verdict_known"),
        ]

    def __str__(self) -> str:
        return f"{self.plan_id}: finding {self.finding_id} ({self.verdict})"


class StoreDay(models.Model):
    """A store's own day: 会员日 (every month on ``day``) or 店庆/新品首发 (yearly on ``month``-``day``)."""

    store_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    month = models.PositiveSmallIntegerField(null=True, blank=True, help_text="empty: every month")
    day = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["store_id", "month", "day"]
        constraints = [
            models.CheckConstraint(condition=Q(day__gte=1) & Q(day__lte=31), name="store_day_day_1_31"),
            models.CheckConstraint(condition=Q(month__isnull=True) | (Q(month__gte=1) & Q(month__lte=12)), name="store_day_month_1_12"),
        ]


class StoreResponsibility(models.Model):
    """A person answers for a store's targets (their scorecard's target achievement and ROI)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_responsibilities")
    store_id = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "store_id"], name="store_responsibility_unique")]


class PublicHolidaySchedule(models.Model):
    """The State Council holiday notice of a year the installed ``chinesecalendar`` does not ship
    yet, entered by an admin; ``core.festivals.public_days`` answers from it until the package has
    the year (then the package wins)."""

    year = models.PositiveSmallIntegerField(unique=True)
    notice = models.CharField(max_length=300, blank=True, help_text="the notice, e.g. 国办发明电〔2026〕x号")
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["year"]


class PublicHolidayDay(models.Model):
    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假"
        MAKEUP_WORKDAY = "makeup_workday", "调休上班"

    schedule = models.ForeignKey(PublicHolidaySchedule, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=50, blank=True, help_text="春节, 国庆节 …")

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["schedule", "day"], name="public_holiday_day_unique")]
