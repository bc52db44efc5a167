"""Reads of the team app."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from shopops.core.roles import ROLE_LABELS, Module, Role


def user_role(user) -> Role | None:
    names = set(user.groups.values_list("name", flat=True))
    for role in Role:
        if role.value in names:
            return role
    return None


def user_role_label(user, language: str) -> str:
    role = user_role(user)
    if role is None:
        return ""
    zh, en = ROLE_LABELS[role]
    return en if language.startswith("en") else zh


def user_can_use(user, module: Module) -> bool:
    return user.is_authenticated and user.has_perm(f"team.use_{module.value}")


def login_pair(username: str, address: str) -> tuple[str, str]:
    """How a login attempt is keyed: the username as typed, trimmed and lower-cased, and the address."""
    return (username or "").strip().lower()[:150], (address or "")[:64]


def login_locked_until(*, username: str, address: str, now: dt.datetime) -> dt.datetime | None:
    """When the username+address pair may try again, or None when it is not locked out.

    Locked when ``SHOPOPS_LOGIN_MAX_FAILURES`` failures fall within ``SHOPOPS_LOGIN_WINDOW_SECONDS``;
    the lock lasts ``SHOPOPS_LOGIN_LOCKOUT_SECONDS`` from the last of them.
    """
    from shopops.team.models import LoginFailure

    name, addr = login_pair(username, address)
    window = dt.timedelta(seconds=settings.SHOPOPS_LOGIN_WINDOW_SECONDS)
    lockout = dt.timedelta(seconds=settings.SHOPOPS_LOGIN_LOCKOUT_SECONDS)
    recent = list(LoginFailure.objects.filter(username=name, address=addr, at__gte=now - max(window, lockout))
                  .order_by("-at").values_list("at", flat=True)[: settings.SHOPOPS_LOGIN_MAX_FAILURES])
    if len(recent) < settings.SHOPOPS_LOGIN_MAX_FAILURES:
        return None
    if recent[0] - recent[-1] > window:  # the last N failures are spread wider than the window
        return None
    until = recent[0] + lockout
    return until if until > now else None
