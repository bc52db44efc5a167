"""The generate form: which report, which period, which stores, which files."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shopops.core.periods import Period
from shopops.reports.builder import ReportKind, report_period
from shopops.reports.services import FORMATS


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Report"), choices=[(ReportKind.WEEKLY.value, _("Weekly report")),
                                                         (ReportKind.MONTHLY.value, _("Monthly report"))])
    week = forms.CharField(label=_("Week"), required=False, widget=forms.TextInput(attrs={"type": "week"}))
    month = forms.CharField(label=_("Month"), required=False, widget=forms.TextInput(attrs={"type": "month"}))
    store = forms.MultipleChoiceField(label=_("Stores"), required=False, widget=forms.CheckboxSelectMultiple)
    formats = forms.MultipleChoiceField(label=_("Files"), choices=[(f, f.upper()) for f in FORMATS],
                                        initial=list(FORMATS), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, stores=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.store_id, s.name) for s in stores]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        field = "week" if kind == ReportKind.WEEKLY else "month"
        value = (data.get(field) or "").strip()
        if not value:
            self.add_error(field, _("Pick the week or month the report covers."))
            return data
        try:
            data["period"] = report_period(kind, Period.parse(value))
        except ValueError as exc:
            self.add_error(field, str(exc))
        return data
