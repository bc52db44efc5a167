from django.apps import AppConfig


class WebConfig(AppConfig):
    """Pages: the base layout, navigation, the cockpit and the shared page components."""

    name = "shopops.web"
    label = "web"
    verbose_name = "Web"
