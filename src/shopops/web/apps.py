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
        # … and the 复盘 links insights' findings of its stores and days (campaigns.retro_findings)
        from shopops.campaigns import retro_findings
        from shopops.web.retro_findings import retro_finding, retro_findings as findings_between

        retro_findings.set_source(retro_findings.Source(findings=findings_between, finding=retro_finding))
