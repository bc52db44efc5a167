"""Reads of the team app."""

from __future__ import annotations

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
