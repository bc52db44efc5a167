from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One file imported (or refused): who, when, what, and what happened to its rows.

    A web upload is created ``queued`` and run by the background worker
    (``ingest/tasks.py``); while it runs, ``rows_read`` and ``progress`` are updated
    about twice a second so the jobs page can show a live bar.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        LOADED = "loaded", _("Loaded")
        REJECTED = "rejected", _("Rejected (strict mode: nothing loaded)")
        FAILED = "failed", _("Failed")

    class Source(models.TextChoices):
        CLI = "cli", _("Command line")
        WEB = "web", _("Web upload")
        API = "api", _("API")
        DEMO = "demo", _("Demo generator")

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    archive_path = models.CharField(max_length=500, blank=True)
    # the file as given, read when the job runs: a web upload waiting under VAR_DIR/uploads
    # (deleted once archived) or the path given to the command line
    input_path = models.CharField(max_length=500, blank=True)
    profile = models.CharField(max_length=100)
    table = models.CharField(max_length=50)
    store_id = models.CharField(max_length=64, blank=True)
    strict = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    bytes_total = models.PositiveBigIntegerField(default=0)  # size of the file as given
    rows_estimate = models.PositiveBigIntegerField(null=True, blank=True)  # data rows, estimated up front
    progress = models.PositiveSmallIntegerField(default=0)  # percent, 0-100
    rows_read = models.PositiveBigIntegerField(default=0)
    rows_inserted = models.PositiveBigIntegerField(default=0)
    rows_updated = models.PositiveBigIntegerField(default=0)
    rows_rejected = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    # what the import noticed without rejecting (rows dated after the import, columns ignored), in
    # English like the reject reasons; the pages translate them (``reasons.warning_display``)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sha256"]), models.Index(fields=["status"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="ingest_importjob_progress_lte_100"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.profile}, {self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def duration_seconds(self) -> float | None:
        """Wall time from start to finish (or until now while running); None before it starts."""
        if self.started_at is None:
            return None
        if self.finished_at is None:
            return (timezone.now() - self.started_at).total_seconds()
        return (self.finished_at - self.started_at).total_seconds()


class ImportReject(models.Model):
    """One rejected value: file row, column, value and why (first 10,000 per job)."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="rejects")
    row = models.PositiveBigIntegerField()
    column = models.CharField(max_length=200)
    value = models.TextField(blank=True)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["row", "id"]


class SavedProfile(models.Model):
    """A generic mapping saved from the mapping page: usable wherever file profiles are.

    ``toml`` is a complete profile in the format of ``ingest/profiles/*.toml`` (so a
    saved mapping can be downloaded and committed as a file profile as it is).
    """

    slug = models.SlugField(max_length=100, unique=True)  # the profile id
    name = models.CharField(max_length=200)
    table = models.CharField(max_length=50)  # canonical table or the virtual ``sales_lines``
    toml = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "slug"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(slug=""), name="ingest_savedprofile_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"


class ApiKey(models.Model):
    """A key for one store's own site: a publishable collector key, or a secret server key."""

    class Kind(models.TextChoices):
        COLLECT = "collect", _("Event collector (publishable, in the page)")
        SERVER = "server", _("Server (secret: orders and refunds)")

    name = models.CharField(max_length=100)
    store_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    rate_per_minute = models.PositiveIntegerField(default=600)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.kind}, {self.store_id}, {self.prefix}…)"


class ApiRateWindow(models.Model):
    """Requests one API key made in one minute: the rate limit every worker process shares.

    One row per key and minute (``minute`` counts minutes since 1970-01-01 UTC), counted up
    with an atomic UPDATE; rows older than the previous minute are deleted as new ones start.
    """

    prefix = models.CharField(max_length=12)
    minute = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["prefix", "minute"], name="ingest_apiratewindow_prefix_minute"),
        ]
