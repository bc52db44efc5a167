"""Fixtures of the web page tests."""

from __future__ import annotations

import pytest

from shopops.core.roles import Module


@pytest.fixture
def team_not_built(monkeypatch):
    """Every module is built now; the page for one that is not yet stays for the next ones."""
    from django.utils.translation import gettext_lazy as _

    from shopops.web import views
    from shopops.web.navigation import NavEntry, nav_entry

    planned = NavEntry(Module.TEAM, _("Team"),
                       _("Will manage users and roles, and track the team's KPIs against their targets."))
    monkeypatch.setattr(views, "nav_entry", lambda module: planned if module == "team" else nav_entry(module))
