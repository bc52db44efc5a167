"""Language: Chinese by default whatever the browser says; English once the user switches.

Also: every UI string has a Chinese translation, and the compiled catalog (.mo) matches
the source (.po).
"""

from __future__ import annotations

import datetime as dt
import gettext
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from shopops.core.roles import Role
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

LOCALE_MIDDLEWARE = "django.middleware.locale.LocaleMiddleware"
COOKIE_MIDDLEWARE = "shopops.web.middleware.CookieLocaleMiddleware"
PO = Path(django_settings.LOCALE_PATHS[0]) / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


@pytest.fixture
def cookie_locale(settings):
    """The middleware chain the settings are meant to have (see test_settings_…)."""
    settings.MIDDLEWARE = [
        COOKIE_MIDDLEWARE if m == LOCALE_MIDDLEWARE else m for m in settings.MIDDLEWARE
    ]


@pytest.fixture
def director(client, db, warehouse):
    role_groups_sync()
    user = user_create(username="director", password="a-long-test-password", role=Role.OPS_DIRECTOR)
    client.force_login(user)
    return user


def switch(client, language: str, next_url: str = "/") -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == next_url


def test_settings_use_the_cookie_locale_middleware():
    assert COOKIE_MIDDLEWARE in django_settings.MIDDLEWARE, (
        f"settings.MIDDLEWARE must use {COOKIE_MIDDLEWARE} in place of {LOCALE_MIDDLEWARE}"
    )
    assert LOCALE_MIDDLEWARE not in django_settings.MIDDLEWARE
    sessions = django_settings.MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware")
    common = django_settings.MIDDLEWARE.index("django.middleware.common.CommonMiddleware")
    assert sessions < django_settings.MIDDLEWARE.index(COOKIE_MIDDLEWARE) < common


@pytest.mark.django_db
def test_chinese_by_default_even_for_an_english_browser(client, cookie_locale, director):
    response = client.get(reverse("web:cockpit"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "驾驶舱" in html and "退出登录" in html
    assert "Log out" not in html
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default_and_offers_both_languages(client, cookie_locale):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "用户名" in html and "密码" in html
    assert 'value="zh-hans"' in html and 'value="en"' in html
    assert ">中文<" in html and ">English<" in html


@pytest.mark.django_db
def test_switching_to_english_shows_english_labels(client, cookie_locale, director):
    switch(client, "en", "/?period=last7")
    assert client.cookies[django_settings.LANGUAGE_COOKIE_NAME].value == "en"
    html = client.get(reverse("web:cockpit")).content.decode()
    assert '<html lang="en">' in html
    for label in ("Cockpit", "Log out", "Traffic &amp; funnel", "Data import", "Period", "Apply"):
        assert label in html, label
    assert "退出登录" not in html
    # and back
    switch(client, "zh-hans")
    assert "退出登录" in client.get(reverse("web:cockpit")).content.decode()


def _one_order_store(con) -> None:
    load(con, "stores", pa.Table.from_pylist(
        [{"store_id": "own", "platform": "own", "name": "小程序商城", "currency": "CNY", "time_zone": "Asia/Shanghai"}]
    ))
    paid = dt.datetime(2025, 11, 11, 4, tzinfo=dt.UTC)
    load(con, "orders", pa.Table.from_pylist([{
        "store_id": "own", "order_id": "o1", "customer_id": "c1", "status": "paid", "created_at": paid,
        "paid_at": paid, "paid_date": paid.date(), "paid_amount": Decimal("88.00"),
    }]))


def _tile_labels(html: str) -> dict[str, str]:
    return dict(re.findall(r'<h2 class="tile-label" id="label-([a-z_]+)"[^>]*>([^<]*)</h2>', html))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, expected, definition, as_of",
    [
        ("zh-hans", {"gmv": "支付金额", "conversion_rate": "支付转化率", "roas": "投产比"}, "统计期内付款订单的实付金额之和", "数据截至"),
        ("en", {"gmv": "GMV", "conversion_rate": "Conversion rate", "roas": "ROAS"}, "Sum of the amounts actually paid", "Data as of"),
    ],
)
def test_kpi_labels_and_definitions_follow_the_language(client, cookie_locale, director, warehouse, language, expected, definition, as_of):
    _one_order_store(warehouse)
    switch(client, language)
    html = client.get(reverse("web:cockpit"), {"period": "custom", "start": "2025-11-10", "end": "2025-11-11"}).content.decode()
    labels = _tile_labels(html)
    assert {k: labels[k] for k in expected} == expected
    assert definition in html
    assert as_of in html
    assert ("2 days" if language == "en" else "2 天") in html


@pytest.mark.django_db
def test_english_not_built_page_and_errors(client, cookie_locale, director, team_not_built):
    switch(client, "en")
    html = client.get(reverse("web:module", kwargs={"module": "team"})).content.decode()
    assert "This section is not built yet." in html
    response = client.get(reverse("web:cockpit"), {"period": "custom", "start": "2025-11-10", "end": "2025-11-01"})
    assert response.status_code == 400
    assert "The end date 2025-11-01 is before the start date 2025-11-10." in response.content.decode()


@pytest.mark.django_db
def test_an_unknown_language_cookie_falls_back_to_chinese(client, cookie_locale, director):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "退出登录" in client.get(reverse("web:cockpit")).content.decode()


# ---------------------------------------------------------------------------
# the catalog
# ---------------------------------------------------------------------------
_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _unescape(text: str) -> str:
    return re.sub(r'\\(.)', lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def _po_entries(path: Path) -> list[dict]:
    """msgid / msgid_plural / msgstr[...] of each entry, and its flags (a tiny .po reader)."""
    entries, entry, key = [], None, None
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if entry is not None:
                entries.append(entry)
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        else:
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d)\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                text = match.group(3)
            else:
                text = re.match(r'^"(.*)"$', line).group(1)
            text = _unescape(text)
            if key.startswith("msgstr"):
                index = int(key[7]) if "[" in key else 0
                entry["msgstr"][index] = entry["msgstr"].get(index, "") + text
            else:
                entry[key] = entry.get(key, "") + text
    return entries


def test_every_string_has_a_chinese_translation():
    entries = [e for e in _po_entries(PO) if e.get("msgid")]
    assert len(entries) > 50
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values()) or not e["msgstr"]]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []
    header = _po_entries(PO)[0]
    assert "fuzzy" not in header["flags"]
    assert "charset=UTF-8" in header["msgstr"][0]


def test_compiled_catalog_matches_the_po():
    assert MO.exists(), "run `shopops manage compilemessages` (make messages)"
    catalog = gettext.GNUTranslations(MO.open("rb"))
    for entry in _po_entries(PO):
        msgid = entry.get("msgid")
        if not msgid:
            continue
        if "msgctxt" in entry:  # the same words with another meaning (pgettext)
            assert catalog.pgettext(entry["msgctxt"], msgid) == entry["msgstr"][0], f".mo is stale for {msgid!r}"
        elif "msgid_plural" in entry:
            assert catalog.ngettext(msgid, entry["msgid_plural"], 1) == entry["msgstr"][0], msgid
        else:
            assert catalog.gettext(msgid) == entry["msgstr"][0], f".mo is stale for {msgid!r}"


def _web_source_msgids() -> set[str]:
    """msgids of the web app: {% translate "…" %} in templates, _("…") in Python."""
    import ast

    web = Path(django_settings.PACKAGE_DIR) / "web"
    found: set[str] = set()
    for template in web.glob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        found |= {m[1] for m in re.findall(r"""{%\s*translate\s+(["'])(.*?)\1""", text)}
    for module in web.glob("**/*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "gettext", "gettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                found.add(node.args[0].value)
    return found


def test_every_web_string_is_in_the_catalog():
    in_catalog = {e["msgid"] for e in _po_entries(PO) if e.get("msgid")}
    source = _web_source_msgids()
    assert len(source) > 50
    assert sorted(source - in_catalog) == [], "run makemessages -l zh_Hans and translate the new strings"
