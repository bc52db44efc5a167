"""Whole numbers and row ids a form or a picker takes: refused as form errors, never by the database."""

from __future__ import annotations

import importlib
import inspect

import pytest
from django import forms

from shopops.ui.forms import MAX_WHOLE, pk_param

APPS = ("audience", "campaigns", "customers", "ingest", "insights", "inventory", "promotions", "reports", "service",
        "team", "ui", "analysis", "kpis")


def _form_classes():
    for app in APPS:
        try:
            module = importlib.import_module(f"shopops.{app}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_whole_number_field_has_a_ceiling_every_database_stores():
    # PostgreSQL's integer holds 2³¹ − 1, SQLite 2⁶³ − 1: "9" × 30 posted into any of them was a 500 (found by
    # posting every form of the demo with bad values, 2026-12-07: the plan's goals)
    fields = [(cls.__name__, name, f) for cls in _form_classes() for name, f in cls.base_fields.items()
              if isinstance(f, forms.IntegerField) and not isinstance(f, forms.DecimalField | forms.FloatField)]
    assert len(fields) >= 10
    for cls, name, f in fields:
        assert f.max_value is not None and f.max_value <= MAX_WHOLE == 2**31 - 1, (cls, name)
        assert f.min_value is not None and f.min_value >= -MAX_WHOLE, (cls, name)
        for huge in ("9" * 30, "-" + "9" * 30):
            with pytest.raises(forms.ValidationError):
                f.clean(huge)


@pytest.mark.parametrize(("posted", "expected"), [
    ("12", 12), (" 7 ", 7), (12, 12), ("", None), (None, None), ("abc", None), ("\x00", None), ("-1", None), ("0", None),
    ("1.5", None), ("١٢", None), ("9" * 30, None), (str(2**63 - 1), 2**63 - 1), (str(2**63), None),
])
def test_a_posted_row_id_is_a_positive_whole_number_an_id_can_be(posted, expected):
    assert pk_param(posted) == expected


def test_an_error_of_a_module_without_django_reaches_the_page_in_the_readers_language():
    from django.utils import translation

    from shopops.audience.segments import rules_validate
    from shopops.core.errors import ShopopsError, ValidationError
    from shopops.ui.forms import error_text

    tree = {"op": "and", "rules": [{"field": "recency_days", "operator": "between", "value": [180, 60]}]}
    with pytest.raises(ValidationError) as err:
        rules_validate(tree)
    # the text as raised is English whatever the language (logs, CLI, API) ...
    with translation.override("zh-hans"):
        assert str(err.value) == "rules.0.value (recency_days between): the low value 180 is above the high value 60."
        # ... and the page's text is the reader's language, the values kept
        assert error_text(err.value) == "rules.0.value (recency_days between)：下限 180 大于上限 60。"
    with translation.override("en"):
        assert error_text(err.value) == str(err.value)
    assert error_text(ShopopsError("已翻译的消息")) == "已翻译的消息"  # a service's own message: as raised
