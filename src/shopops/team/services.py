"""Writes of the team app: role groups and users."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from shopops.core.roles import ROLE_ACTIONS, ROLE_MODULES, Role
from shopops.team.selectors import login_pair as _login_pair


def role_groups_sync() -> None:
    """Create one group per role and give it exactly its modules' and actions' permissions."""
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="team")}
    with transaction.atomic():
        for role, modules in ROLE_MODULES.items():
            group, _ = Group.objects.get_or_create(name=role.value)
            codenames = [f"use_{m.value}" for m in modules] + [a.value for a in ROLE_ACTIONS.get(role, ())]
            group.permissions.set([perms[c] for c in codenames if c in perms])


def user_create(
    *,
    username: str,
    password: str,
    role: Role | str,
    email: str = "",
    display_name: str = "",
    is_superuser: bool = False,
):
    """Create (or update the password and role of) a user with one role."""
    role = Role(role)
    User = get_user_model()
    with transaction.atomic():
        user, _created = User.objects.get_or_create(username=username, defaults={"email": email})
        user.email = email or user.email
        user.first_name = display_name or user.first_name
        user.is_staff = is_superuser
        user.is_superuser = is_superuser
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get(name=role.value)])
    return user


DEMO_PASSWORD = "shopops-demo"


def demo_users_create() -> list[str]:
    """One demo user per role, all with the demo password; the director is also admin."""
    names = []
    for role in Role:
        username = "director" if role is Role.OPS_DIRECTOR else role.value
        user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            is_superuser=role is Role.OPS_DIRECTOR,
        )
        names.append(username)
    return names


# ------------------------------------------------------------------ login throttling
def login_failure_record(*, username: str, address: str, now: dt.datetime) -> None:
    from shopops.team.models import LoginFailure

    name, addr = _login_pair(username, address)
    keep = dt.timedelta(seconds=max(settings.SHOPOPS_LOGIN_WINDOW_SECONDS, settings.SHOPOPS_LOGIN_LOCKOUT_SECONDS))
    with transaction.atomic():
        LoginFailure.objects.create(username=name, address=addr, at=now)
        LoginFailure.objects.filter(at__lt=now - keep).delete()


def login_success_record(*, username: str, address: str) -> None:
    from shopops.team.models import LoginFailure

    name, addr = _login_pair(username, address)
    LoginFailure.objects.filter(username=name, address=addr).delete()
