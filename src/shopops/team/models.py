from django.db import models

from shopops.core.roles import ACTION_LABELS, Module


class ModuleAccess(models.Model):
    """Holds no rows: it carries one permission per module (``team.use_<module>``) and one per
    action that needs more than its module (``team.<action>``, see ``core.roles.Action``)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(f"use_{m.value}", f"Can use {m.value}") for m in Module] + [
            (a.value, f"Can {en[0].lower()}{en[1:]}") for a, (_zh, en) in ACTION_LABELS.items()
        ]


class LoginFailure(models.Model):
    """One failed login (username as typed, lower-cased, and the client address): the
    throttle counts them per pair within a window (``team.services.login_*``)."""

    username = models.CharField(max_length=150)
    address = models.CharField(max_length=64)
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["username", "address", "at"], name="team_loginfail_pair_at")]
