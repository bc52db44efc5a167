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
            period = Period.parse(value)
        except ValueError:
            self.add_error(field, _("%(value)s is not a week (YYYY-Www, e.g. 2025-W45) or a month (YYYY-MM, e.g. "
                                    "2025-11).") % {"value": value[:40]})
            return data
        try:
            data["period"] = report_period(kind, period)
        except ValueError:
            message = (_("A weekly report covers one ISO week (e.g. 2025-W45), not %(period)s.")
                       if kind == ReportKind.WEEKLY else
                       _("A monthly report covers one calendar month (e.g. 2025-11), not %(period)s."))
            self.add_error(field, message % {"period": period})
        return data
