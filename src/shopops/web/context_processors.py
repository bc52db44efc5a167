"""What every page needs: the sidebar for this user, who they are, and the language switch."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.utils.translation import get_language

from shopops.team.selectors import user_role_label
from shopops.web.navigation import nav_for_user


def demo_hint_shown() -> bool:
    """The demo login is shown only when the demo was set up here (var/demo_ready) AND the
    server runs in demo mode (SHOPOPS_DEMO_MODE, set by `make run`) or with DEBUG."""
    if not (getattr(settings, "SHOPOPS_DEMO_MODE", False) or settings.DEBUG):
        return False
    return (Path(settings.VAR_DIR) / "demo_ready").exists()


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    context = {
        "shopops_demo_hint": demo_hint_shown() if not (user and user.is_authenticated) else False,
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
    # one entry is active: the longest matching URL (/campaigns/scorecards/ is 团队, not 大促与活动)
    longest = max((len(e["url"]) for e in entries if e["active"]), default=0)
    for e in entries:
        e["active"] = e["active"] and len(e["url"]) == longest
    context["shopops_nav"] = entries
    context["shopops_role_label"] = user_role_label(user, get_language() or settings.LANGUAGE_CODE)
    return context
