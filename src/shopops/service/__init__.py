"""Service and reputation: tickets with SLAs, reply templates, chat-service KPIs, CSAT/NPS, review sentiment and aspects (docs/service.md)."""
