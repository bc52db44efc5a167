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
        # the inventory module's stocking plan starts from a campaign plan (inventory cannot import campaigns)
        from shopops.campaigns import stocking
        from shopops.inventory import campaign_plans

        campaign_plans.set_source(stocking.stocking_plans, stocking.stocking_plan)
