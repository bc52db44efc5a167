from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "shopops.campaigns"
    label = "campaigns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # years chinesecalendar does not ship yet: core.festivals.public_days answers from the
        # schedules entered here (the calendar, SLA business hours and everything else that asks)
        from shopops.campaigns import selectors
        from shopops.core import festivals

        festivals.set_entered_source(selectors.entered_public_days)
