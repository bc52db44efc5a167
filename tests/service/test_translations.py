"""The Chinese a page shows is the app's own translation.

Django merges every catalog into one: LOCALE_PATHS first, then the apps in INSTALLED_APPS
order. A msgid another catalog translates differently wins over the app's, so a ticket's order
read "建议采购" (the inventory app's "Order": the quantity to order), a search box "自然搜索"
(organic search, a traffic source) and a sent PO "发送时间". Strings whose meaning differs
between apps carry a context (``pgettext`` / ``{% translate … context … %}``).
"""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.utils import translation

import shopops

APPS = ("inventory", "service")


def _catalog(app: str) -> dict:
    mo = Path(shopops.__file__).parent / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.mo"
    return gettext.GNUTranslations(mo.open("rb"))._catalog


@pytest.mark.parametrize("app", APPS)
def test_no_string_of_the_app_is_shadowed_by_another_catalog(app):
    catalog = _catalog(app)
    assert len(catalog) > 50
    shadowed = []
    with translation.override("zh-hans"):
        for key, want in catalog.items():
            if not key or isinstance(key, tuple):  # header, plural forms
                continue
            if "\x04" in key:
                context, msgid = key.split("\x04", 1)
                got = translation.pgettext(context, msgid)
            else:
                msgid, got = key, translation.gettext(key)
            if got != want:
                shadowed.append((msgid, want, got))
    assert shadowed == []


@pytest.mark.parametrize("context, msgid, expected", [
    ("service", "Order", "订单"),  # not inventory's 建议采购
    ("service", "Search", "搜索"),  # not the traffic source 自然搜索
    ("service", "Title", "标题"),  # a template's title, not 商品标题
    ("service", "Description", "描述"),  # not inventory's 品名
    ("pagination", "Previous", "上一页"),  # not 上期 (previous period)
    ("purchase order status", "Sent", "已下单"),  # not customers' 发送时间
    ("inventory", "Search", "搜索"),
])
def test_the_strings_that_were_shadowed(context, msgid, expected):
    with translation.override("zh-hans"):
        assert translation.pgettext(context, msgid) == expected
