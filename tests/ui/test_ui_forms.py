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
