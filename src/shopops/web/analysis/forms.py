"""Analysis filters: the top bar's period and stores, ``format`` and ``table`` (``ui.forms``) plus each page's own.

Everything lives in the URL, so a filtered page (and its drill-downs) can be shared.
"""

from __future__ import annotations

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from shopops.ui.forms import PageFilterForm


class AnalysisFilterForm(PageFilterForm):
    """Adds the optional drill-down filters, search, paging and sort.

    ``sources``, ``tools`` are the values a page accepts for ``source`` / ``tool``;
    ``sorts`` the column keys a sortable table accepts for ``sort``.
    """

    source = forms.CharField(required=False, max_length=40)
    tool = forms.CharField(required=False, max_length=40)
    plan = forms.CharField(required=False, max_length=80)
    sort = forms.ChoiceField(
        required=False,
        error_messages={"invalid_choice": _("Cannot sort by %(value)s: choose one of the table's columns.")},
    )
    q = forms.CharField(required=False, max_length=80, strip=True)  # products: search id, title or style code
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000,
                              error_messages={"min_value": _("Pages start at 1."), "invalid": _("A page is a number.")})
    group = forms.ChoiceField(required=False, choices=(("", "product"), ("style", "style")),
                              error_messages={"invalid_choice": _("Group by %(value)s? Use style, or leave it out.")})
    dir = forms.ChoiceField(
        required=False,
        choices=(("desc", "desc"), ("asc", "asc")),
        error_messages={"invalid_choice": _("Sort direction %(value)s is neither asc nor desc.")},
    )

    def __init__(self, data=None, *, stores=(), sorts: Sequence[str] = (), tables: Sequence[str] = (), **kwargs):
        super().__init__(data, stores=stores, tables=tables, **kwargs)
        self.fields["sort"].choices = [("", "")] + [(s, s) for s in sorts]


class TargetForm(forms.Form):
    """One monthly target: store ("" = all stores together), KPI, month (YYYY-MM), value."""

    store = forms.ChoiceField(label=_("Store"), required=False)
    kpi = forms.ChoiceField(label=_("KPI"), error_messages={"invalid_choice": _("Unknown KPI %(value)s.")})
    month = forms.DateField(
        label=_("Month"), input_formats=["%Y-%m"],
        error_messages={"invalid": _("Enter a month as YYYY-MM, e.g. 2025-11.")},
    )
    value = forms.DecimalField(
        label=_("Target value"), min_value=0, max_digits=20, decimal_places=4,
        error_messages={"min_value": _("A target cannot be negative.")},
    )

    def __init__(self, data=None, *, stores=(), kpis: Sequence[tuple[str, str]] = (), **kwargs) -> None:
        super().__init__(data, **kwargs)
        self.fields["store"].choices = [("", _("All stores"))] + [(s.store_id, s.name) for s in stores]
        self.fields["kpi"].choices = list(kpis)


class MonthForm(forms.Form):
    month = forms.DateField(
        required=False, input_formats=["%Y-%m"],
        error_messages={"invalid": _("Enter a month as YYYY-MM, e.g. 2025-11.")},
    )
