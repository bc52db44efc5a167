"""What every page needs: the sidebar for this user, who they are, and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language

from shopops.team.selectors import user_role_label
from shopops.web.navigation import nav_for_user


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    context = {
        "shopops_demo_hint": bool(getattr(settings, "SHOPOPS_DEMO_HINT", False)),
        "shopops_nav": [],
        "shopops_role_label": "",
    }
    if user is None or not user.is_authenticated:
        return context
    path = request.path
    entries = []
    for entry in nav_for_user(user):
        url = entry.url
        active = path == url if url == "/" else path.startswith(url)
        entries.append({"entry": entry, "url": url, "active": active})
    context["shopops_nav"] = entries
    context["shopops_role_label"] = user_role_label(user, get_language() or settings.LANGUAGE_CODE)
    return context
