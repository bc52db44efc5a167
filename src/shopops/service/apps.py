"""Service and reputation: tickets with SLAs, reply templates, chat-service KPIs, CSAT/NPS, review sentiment and aspects (docs/service.md)."""
from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "shopops.service"
    label = "service"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # chat-service exports name agents by their chat-tool accounts: every import path
        # rejects a name no agent has (ingest calls back; arrows stay one way)
        from django.utils.translation import gettext_noop

        from shopops.ingest.known_values import register_known_values
        from shopops.service.selectors import agent_chat_names

        register_known_values("service_chat_daily", "agent_name", agent_chat_names,
                              what=gettext_noop("agent: add the name to an agent's chat names (admin › service › agents)"))
