from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "shopops.service"
    label = "service"
    default_auto_field = "django.db.models.BigAutoField"
