"""What a page shows a role, the role can open (issue 14): no navigation link or tab that
leads to a 403 (an analyst saw a 目标 tab on /traffic/ that only the Team module opens)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.web.test_analysis_views import PERIOD, load_shop

PASSWORD = "a-long-test-password"
PAGES = ["web:cockpit", "web:traffic", "web:products", "web:stores", "web:ads", "web:customers", "web:targets"]


def nav_links(page: str) -> set[str]:
    links = set()
    for nav in re.findall(r"<nav\b.*?</nav>", page, re.S):
        links |= {html_lib.unescape(h) for h in re.findall(r'href="(/[^"]*)"', nav)}
    return links


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OPS_DIRECTOR])  # the director opens all
def test_every_navigation_link_a_role_is_shown_opens_for_it(client, warehouse, role):
    load_shop(warehouse)
    role_groups_sync()
    client.force_login(user_create(username=role.value, password=PASSWORD, role=role))
    shown: set[str] = set()
    for name in PAGES:
        r = client.get(reverse(name), PERIOD)
        if r.status_code == 403:
            continue
        assert r.status_code == 200, name
        shown |= nav_links(r.content.decode())
    assert shown, role
    refused = sorted(link for link in shown if client.get(link).status_code == 403)
    assert refused == [], f"{role}: shown but refused: {refused}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COPYWRITER, Role.OPS_SPECIALIST, Role.ANALYST])
def test_every_link_on_the_segment_pages_opens_for_roles_with_segments(client, warehouse, role):
    """The copywriter and ops build segments but may not export their members: no export link."""
    from shopops.audience import services

    load_shop(warehouse)
    role_groups_sync()
    segment = services.segment_save(name="老客", rules={"op": "and", "rules": [
        {"field": "orders", "operator": "gte", "value": 1}]})
    client.force_login(user_create(username=role.value, password=PASSWORD, role=role))
    links: set[str] = set()
    for url in ("/customers/segments/", f"/customers/segments/{segment.pk}/?as_of=2025-11-11"):
        r = client.get(url)
        assert r.status_code == 200, url
        links |= {html_lib.unescape(h) for h in re.findall(r'href="(/[^"]*)"', r.content.decode())}
    exports = {link for link in links if "/export/" in link}
    assert bool(exports) == (role is Role.ANALYST)
    by_path = {link.split("?")[0]: link for link in sorted(links) if link.startswith("/customers/")}
    by_path.update({link.split("&")[0]: link for link in exports})  # one export link per form
    refused = sorted(link for link in by_path.values() if client.get(link).status_code == 403)
    assert refused == [], f"{role}: shown but refused: {refused}"
