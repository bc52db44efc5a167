from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "shopops.reports"
    label = "reports"
    verbose_name = "Reports"
