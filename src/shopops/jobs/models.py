"""The job log: one row per run of a job, whoever started it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Run now")
        CLI = "cli", _("Command line")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    name = models.CharField(max_length=100)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    # The occurrence a scheduled run is for (UTC); empty for manual and CLI runs.
    scheduled_for = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    argv = models.JSONField(default=list, blank=True)  # a CLI run's arguments
    requested_by = models.CharField(max_length=150, blank=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    exit_code = models.IntegerField(null=True, blank=True)
    output = models.TextField(blank=True)  # the job's summary (a CLI run: what it printed)
    error = models.TextField(blank=True)
    worker = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-enqueued_at", "-pk"]
        constraints = [
            # Two schedulers (or two worker processes) never fire the same occurrence twice.
            models.UniqueConstraint(fields=["name", "scheduled_for"], name="jobs_one_run_per_occurrence"),
        ]
        indexes = [models.Index(fields=["name", "-enqueued_at"], name="jobs_run_name_recent")]

    def __str__(self) -> str:
        return f"{self.name} #{self.pk} {self.status}"

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)
