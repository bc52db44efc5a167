from django.apps import AppConfig


class MetricsConfig(AppConfig):
    name = "shopops.metrics"
    label = "metrics"
