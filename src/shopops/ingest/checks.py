"""System checks of the ingest app (``manage.py check --deploy``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def pii_key_check(app_configs, **kwargs) -> list[Warning]:
    """The phone-hash key must come from the environment in production, not from var/."""
    if getattr(settings, "SHOPOPS_PII_KEY_FROM_ENV", True):
        return []
    return [Warning(
        "SHOPOPS_PII_KEY is not set: phones are hashed with the key file var/pii_salt, which sits beside "
        "the data it protects.",
        hint="Set SHOPOPS_PII_KEY (e.g. to the content of var/pii_salt, to keep existing customer links) "
             "from a secret store; see docs/security.md.",
        id="shopops.W001",
    )]
