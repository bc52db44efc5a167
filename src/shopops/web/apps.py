from django.apps import AppConfig


class WebConfig(AppConfig):
    """Pages: the base layout, navigation, the cockpit and the shared page components."""

    name = "shopops.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        # the live campaign page shows insights' alerts; campaigns is below insights, so web wires them
        from shopops.campaigns import live_alerts
        from shopops.web.campaign_alerts import campaign_alerts

        live_alerts.set_source(campaign_alerts)
