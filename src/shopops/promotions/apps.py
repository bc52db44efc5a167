from django.apps import AppConfig


class PromotionsConfig(AppConfig):
    name = "shopops.promotions"
    label = "promotions"
    default_auto_field = "django.db.models.BigAutoField"
