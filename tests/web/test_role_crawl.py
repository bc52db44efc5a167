"""Issue 19 item 16, the whole way round: each role follows the links its pages show, from the
cockpit outwards (breadth first, each path once, up to 20 pages), and none of them answers 403
(shown but refused) or a server error. The navigation-only check is test_security_tabs.py."""

from __future__ import annotations

import html as html_lib
import re
from collections import deque
from urllib.parse import urlsplit

import pytest

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.web.test_analysis_views import load_shop

PASSWORD = "a-long-test-password"
MAX_PAGES = 20
SKIP = re.compile(r"^/(static|media|i18n|logout|login|admin)/|^/api/")


def links(page: str) -> list[str]:
    found = []
    for href in re.findall(r'<a\b[^>]*\bhref="(/[^"#]*)"', page):
        href = html_lib.unescape(href)
        if not SKIP.match(href):
            found.append(href)
    return found


@pytest.mark.slow
@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OPS_DIRECTOR])  # the director opens all
def test_no_link_a_role_is_shown_is_refused(client, warehouse, role):
    load_shop(warehouse)
    role_groups_sync()
    client.force_login(user_create(username=role.value, password=PASSWORD, role=role))
    queue, seen_paths, opened, refused, broken = deque(["/"]), {"/"}, 0, [], []
    while queue and opened < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        opened += 1
        if response.status_code == 403:
            refused.append(url)
            continue
        if response.status_code >= 500:
            broken.append((url, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", "") or response.streaming:
            continue  # a file (a stored HTML report is served as one), not a page with links
        for link in links(response.content.decode()):
            path = urlsplit(link).path
            if path not in seen_paths:
                seen_paths.add(path)
                queue.append(link)
    assert opened >= 5, f"{role}: only {opened} pages reachable"  # the crawl really went somewhere
    assert refused == [], f"{role}: shown but refused: {refused}"
    assert broken == [], f"{role}: server errors: {broken}"
