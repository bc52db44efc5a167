"""App-DB models of the metrics app: monthly KPI targets."""

from __future__ import annotations

from django.db import models


class Target(models.Model):
    """A monthly target for one KPI of one store ("" = all stores together)."""

    store_id = models.CharField(max_length=64, blank=True, default="", help_text="Store id, or empty for all stores.")
    kpi = models.CharField(max_length=64, help_text="KPI id from the metrics catalog.")
    month = models.DateField(help_text="First day of the month the target is for.")
    value = models.DecimalField(max_digits=20, decimal_places=4)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["store_id", "kpi", "month"], name="metrics_target_unique_store_kpi_month"),
        ]
        ordering = ["month", "store_id", "kpi"]

    def __str__(self) -> str:
        return f"{self.store_id or '*'} {self.kpi} {self.month:%Y-%m} = {self.value}"
