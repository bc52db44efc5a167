"""The filters every page shares: the period and store pickers, and which table to export how.

Everything lives in the URL, so a filtered page (and its drill-downs) can be shared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django import forms
from django.core.exceptions import BadRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shopops.core.periods import Period, PeriodPreset

# A trend longer than this is unreadable as a daily chart and slow to compute on a page.
MAX_PERIOD_DAYS = 366
# The largest whole number a form takes: every integer column stores it (PostgreSQL's `integer`); a larger one is
# a form error, not a database error (SQLite refuses > 2⁶³, PostgreSQL > 2³¹ − 1).
MAX_WHOLE = 2_147_483_647
_MAX_PK = 2**63 - 1  # BigAutoField

PERIOD_CHOICES = (
    (PeriodPreset.YESTERDAY.value, _("Yesterday")),
    (PeriodPreset.LAST_7.value, _("Last 7 days")),
    (PeriodPreset.LAST_30.value, _("Last 30 days")),
    (PeriodPreset.MONTH_TO_DATE.value, _("Month to date")),
    (PeriodPreset.CUSTOM.value, _("Custom range")),
)
EXPORT_FORMATS = ("xlsx", "csv")
FORMAT_CHOICES = (("", "html"), ("xlsx", "xlsx"), ("csv", "csv"))

_DATE_ERRORS = {"invalid": _("Enter a date as YYYY-MM-DD, e.g. 2025-11-01.")}


def pk_param(value: object) -> int | None:
    """A row id posted from a picker (``"12"``), or None for anything else — blank, text, NUL, a number no id can
    be — so the caller answers "choose one from the list" instead of the database refusing the lookup."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    n = int(text)
    return n if 0 < n <= _MAX_PK else None


def period_param(text: str | None) -> Period | None:
    """A page's ``?period=`` written as :meth:`Period.parse` reads it (``2025-11``, ``2025-W45``,
    ``2025-11-11``, ``2025-11-01..2025-11-30``); None when empty. Anything else is a ``BadRequest``
    whose message, in the user's language, names the value and the forms expected."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return Period.parse(text)
    except ValueError as exc:
        raise BadRequest(gettext("Period: %(value)s is not a period; write YYYY-MM-DD, YYYY-MM, YYYY-Www or "
                                 "START..END (e.g. 2025-11-01..2025-11-30).") % {"value": text[:40]}) from exc


def error_text(exc: Exception) -> str:
    """An expected error's message in the reader's language: its msgid translated when a module without
    Django raised it with ``core.errors.translatable``; otherwise its text as raised (services translate their
    own messages)."""
    msgid = getattr(exc, "msgid", None)
    return gettext(msgid) % (exc.params or {}) if msgid else str(exc)


class ExportFieldsMixin(forms.Form):
    """``format`` (``xlsx`` or ``csv`` exports a table instead of the page) and ``table`` (which one)."""

    format = forms.ChoiceField(
        required=False,
        choices=FORMAT_CHOICES,
        error_messages={"invalid_choice": _("Unknown format %(value)s: use xlsx, or leave it out for the page.")},
    )
    table = forms.CharField(required=False, max_length=40)

    def __init__(self, data=None, *, tables: Sequence[str] = (), **kwargs) -> None:
        super().__init__(data, **kwargs)
        self._tables = tuple(tables)

    def clean_table(self) -> str:
        value = self.cleaned_data.get("table") or ""
        if value and value not in self._tables:
            raise forms.ValidationError(
                _("Unknown table %(value)s: this page has %(tables)s."),
                params={"value": value, "tables": ", ".join(self._tables) or "—"},
            )
        return value


class PeriodStoreFilterForm(forms.Form):
    """``period`` (a preset or custom), ``start``/``end`` for custom, ``store`` (repeatable; none = all)."""

    period = forms.ChoiceField(
        label=_("Period"),
        choices=PERIOD_CHOICES,
        required=False,
        error_messages={"invalid_choice": _("Unknown period %(value)s: choose one of the listed periods.")},
    )
    start = forms.DateField(label=_("From"), required=False, input_formats=["%Y-%m-%d"], error_messages=_DATE_ERRORS)
    end = forms.DateField(label=_("To"), required=False, input_formats=["%Y-%m-%d"], error_messages=_DATE_ERRORS)
    store = forms.MultipleChoiceField(
        label=_("Stores"),
        required=False,
        error_messages={"invalid_choice": _("Unknown store %(value)s.")},
    )

    def __init__(self, data=None, *, stores: Sequence = (), **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.fields["store"].choices = [(s.store_id, s.name) for s in stores]

    def clean(self) -> dict:
        cleaned = super().clean()
        period = cleaned.get("period") or ""
        start: dt.date | None = cleaned.get("start")
        end: dt.date | None = cleaned.get("end")
        if self.errors:
            return cleaned
        if not period:
            period = PeriodPreset.CUSTOM.value if (start and end) else PeriodPreset.LAST_7.value
        if period == PeriodPreset.CUSTOM:
            if not (start and end):
                raise forms.ValidationError(_("A custom range needs both a start date and an end date."))
            if end < start:
                raise forms.ValidationError(
                    _("The end date %(end)s is before the start date %(start)s."),
                    params={"start": start.isoformat(), "end": end.isoformat()},
                )
            if (end - start).days + 1 > MAX_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("A custom range can be at most %(days)s days long."), params={"days": MAX_PERIOD_DAYS}
                )
        else:
            start = end = None
        cleaned.update(period=period, start=start, end=end, store=tuple(cleaned.get("store") or ()))
        return cleaned


class PageFilterForm(ExportFieldsMixin, PeriodStoreFilterForm):
    """The default form of :func:`shopops.ui.pages.ui_page`: period, stores, ``format`` and ``table``."""

    def __init__(self, data=None, *, stores: Sequence = (), tables: Sequence[str] = (), **kwargs) -> None:
        super().__init__(data, stores=stores, tables=tables, **kwargs)


class StoreFilterForm(ExportFieldsMixin, forms.Form):
    """Pages without a period (an as-of day or none): stores, ``format`` and ``table``."""

    store = forms.MultipleChoiceField(required=False, error_messages={
        "invalid_choice": _("Unknown store %(value)s: pick one of the stores in the list.")})

    def __init__(self, data=None, *, stores: Sequence = (), tables: Sequence[str] = (), **kwargs) -> None:
        super().__init__(data, tables=tables, **kwargs)
        self.fields["store"].choices = [(s.store_id, s.name) for s in stores]
