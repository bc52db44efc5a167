"""The daily audience job: refresh every saved segment as of yesterday, expire old points.

Run once a day (cron, systemd timer): ``shopops manage audience_daily [--as-of YYYY-MM-DD]``.
Both steps are safe to repeat.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from shopops.audience import services
from shopops.customers import services as customer_services


class Command(BaseCommand):
    help = "Refresh every saved segment (membership history) and expire points past their date."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", default="", help="business date to refresh segments as of (default: yesterday)")

    def handle(self, *args, as_of: str = "", **options) -> None:
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of: expected a date like 2025-11-30, got {as_of!r}") from exc
        for segment_id, outcome in services.segments_refresh_daily(as_of=day).items():
            self.stdout.write(f"segment {segment_id}: {outcome}")
        self.stdout.write(f"points expired: {customer_services.points_expire()}")
