"""Two languages, the whole way round: the director follows every link the Chinese pages show (breadth first, at
most two pages per view) and no page shows an English phrase of the interface — a message, a label, a sentence
that was never marked for translation or never translated. What is English on purpose is marked ``lang="en"``
(the KPI catalog's second name, an English message template), as screen readers need it; commands and ids sit
in ``<code>`` (docs/architecture.md, "Time, money, languages")."""

from __future__ import annotations

import html as html_lib
import re
from collections import Counter, deque
from urllib.parse import urlsplit

import pytest
from django.urls import Resolver404, resolve

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from tests.web.test_analysis_views import load_shop
from tests.web.test_role_crawl import links

PER_VIEW = 2
# words that are the same in both languages: units, platform and KPI abbreviations, file formats, ids
SAME_IN_BOTH = re.compile(
    r"^(GMV|ROI|ROAS|UV|PV|SKU|SPU|CSV|XLSX|PDF|ICS|KPI|AOV|CVR|CTR|CPC|CPM|API|DSR|NPS|CSAT|SLA|ID|OK|CNY|HKD|USD|"
    r"Excel|UTF-8|GBK|MASE|RFM|CLV|BG/NBD|shopops|Asia/Shanghai|[A-Z0-9_\-]+|[a-z0-9_]+)$")
ENGLISH_RUN = re.compile(r"[A-Za-z][A-Za-z'’]+(?:[ ,.:;!?()-]+[A-Za-z][A-Za-z'’]+){2,}")  # three words or more


def _visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|code|pre|svg|textarea|option)\b[^>]*>.*?</\1>", " ", page)
    page = re.sub(r"(?s)<(\w+)\b[^>]*\blang=\"en[^\"]*\"[^>]*>.*?</\1>", " ", page)  # English on purpose, marked
    # (an English report shown in the page is an <article lang="en">)
    page = re.sub(r"(?s)<!--.*?-->", " ", page)
    return html_lib.unescape(re.sub(r"<[^>]+>", "\n", page))


def english_phrases(page: str) -> list[str]:
    found = []
    for line in _visible_text(page).splitlines():
        for run in ENGLISH_RUN.findall(" ".join(line.split())):
            if not all(SAME_IN_BOTH.match(w.strip(",.:;!?()")) for w in run.split()):
                found.append(run)
    return found


def test_the_scanner_finds_an_untranslated_phrase_and_passes_marked_english():
    page = ('<p>支付金额 Paid amount in the period</p><p><span lang="en">Value per visitor of the store</span> '
            '<code>shopops import --profile ID</code> GMV ROI SKU</p>')
    assert english_phrases(page) == ["Paid amount in the period"]


@pytest.mark.slow
@pytest.mark.django_db
def test_no_english_interface_text_on_the_chinese_pages(client, warehouse):
    load_shop(warehouse)
    role_groups_sync()
    client.force_login(user_create(username="boss", password="a-long-test-password", role=Role.OPS_DIRECTOR))
    client.cookies["django_language"] = "zh-hans"
    queue, seen, per_view, leaks, opened = deque(["/"]), {"/"}, Counter(), {}, 0
    while queue:
        url = queue.popleft()
        try:
            view = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if per_view[view] >= PER_VIEW:
            continue
        per_view[view] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", "") or response.streaming:
            continue  # a file (a stored HTML report is served as one): not a page of the interface
        opened += 1
        page = response.content.decode()
        for phrase in english_phrases(page):
            leaks.setdefault(phrase, url)
        for link in links(page):
            if urlsplit(link).path not in seen:
                seen.add(urlsplit(link).path)
                queue.append(link)
    assert opened >= 50, f"only {opened} pages reached"  # the crawl really went round the product
    assert leaks == {}, f"English interface text on Chinese pages (phrase: first page): {leaks}"
