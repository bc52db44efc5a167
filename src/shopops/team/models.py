from django.db import models

from shopops.core.roles import Module


class ModuleAccess(models.Model):
    """Holds no rows: it carries one permission per module (``team.use_<module>``)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(f"use_{m.value}", f"Can use {m.value}") for m in Module]
