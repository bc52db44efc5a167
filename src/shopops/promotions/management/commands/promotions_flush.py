"""``shopops manage promotions_flush``: expire overdue reservations and flush pending warehouse facts."""

from django.core.management.base import BaseCommand

from shopops.promotions import facts
from shopops.promotions.tasks import flush_once


class Command(BaseCommand):
    help = "Expire overdue flash-sale reservations and write pending redemptions/reservations to the warehouse."

    def handle(self, *args, **options):
        pending = facts.facts_pending()
        results = flush_once()
        for table, r in results.items():
            self.stdout.write(f"{table}: {r.inserted} inserted, {r.updated} updated, {r.unchanged} unchanged")
        self.stdout.write(f"{pending} pending outbox rows flushed")
