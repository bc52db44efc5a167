from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "shopops.inventory"
    label = "inventory"
    default_auto_field = "django.db.models.BigAutoField"
