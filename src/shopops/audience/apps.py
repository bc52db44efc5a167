from django.apps import AppConfig


class AudienceConfig(AppConfig):
    name = "shopops.audience"
    label = "audience"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "audience"

    def ready(self) -> None:
        # The customer page shows the segments a customer is in and the outreach they received:
        # customers may not import audience, so audience hands its block in (see customers.sections).
        from shopops.audience.selectors import customer_audience_section
        from shopops.customers.sections import register_customer_section

        register_customer_section(customer_audience_section)
