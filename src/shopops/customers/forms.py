"""Filters of the customer pages. Everything lives in the URL, so a filtered page can be shared."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shopops.customers.lifecycle import STAGES
from shopops.customers.rfm import GROUPS
from shopops.customers.selectors import SORTABLE
from shopops.ui.forms import MAX_WHOLE, StoreFilterForm

DATE_ERROR = _("Enter a date as YYYY-MM-DD, e.g. 2025-11-30.")


class CustomerFilterForm(StoreFilterForm):
    """Stores (none = all), the as-of day (default: the last day with a paid order), ``format`` + ``table`` (ui.forms)."""

    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_ERROR})


class RfmForm(CustomerFilterForm):
    window = forms.IntegerField(required=False, min_value=7, max_value=3650, error_messages={
        "min_value": _("The RFM window must be at least 7 days."),
        "max_value": _("The RFM window can be at most 3650 days."),
        "invalid": _("The RFM window is a whole number of days, e.g. 365.")})


class LifecycleForm(CustomerFilterForm):
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d", "%Y-%m"], error_messages={"invalid": DATE_ERROR})

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("as_of") and data["start"] > data["as_of"]:
            raise forms.ValidationError(_("The first month (%(start)s) is after the as-of day (%(as_of)s)."),
                                        params={"start": data["start"], "as_of": data["as_of"]})
        return data


class ClvForm(CustomerFilterForm):
    calibration_end = forms.DateField(required=False, input_formats=["%Y-%m-%d"], error_messages={"invalid": DATE_ERROR})
    holdout_days = forms.IntegerField(required=False, min_value=14, max_value=730, error_messages={
        "min_value": _("The holdout must be at least 14 days."),
        "max_value": _("The holdout can be at most 730 days."),
        "invalid": _("The holdout is a whole number of days, e.g. 90.")})
    fit_all = forms.BooleanField(required=False)  # fit every store of the filter for the by-store table (slow)


class CustomerListForm(CustomerFilterForm):
    q = forms.CharField(required=False, max_length=100)
    stage = forms.ChoiceField(required=False, choices=[("", "")] + [(s, s) for s in STAGES], error_messages={
        "invalid_choice": _("Unknown stage %(value)s.")})
    segment = forms.ChoiceField(required=False, choices=[("", "")] + [(g, g) for g in GROUPS], error_messages={
        "invalid_choice": _("Unknown RFM group %(value)s.")})
    sort = forms.ChoiceField(required=False, choices=[("", "")] + [(s, s) for s in SORTABLE], error_messages={
        "invalid_choice": _("Cannot sort by %(value)s: choose one of the table's columns.")})
    dir = forms.ChoiceField(required=False, choices=(("desc", "desc"), ("asc", "asc")), error_messages={
        "invalid_choice": _("Sort direction %(value)s is neither asc nor desc.")})
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_WHOLE, error_messages={
        "min_value": _("Pages start at 1."), "invalid": _("The page is a whole number.")})
