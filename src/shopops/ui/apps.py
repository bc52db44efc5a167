from django.apps import AppConfig


class UiConfig(AppConfig):
    """The shared page parts (templates ``ui/…``, template tags ``ui``); no models."""

    name = "shopops.ui"
    label = "ui"
    verbose_name = "UI"
