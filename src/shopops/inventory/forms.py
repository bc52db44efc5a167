"""Forms of the inventory pages: they parse and say precisely what is wrong; services decide."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopops.inventory.models import PurchaseOrder, Supplier
from shopops.inventory.services import LineIn
from shopops.ui.forms import MAX_WHOLE

STATUS_FILTERS = (("", _("All")), ("stockout", _("Out of stock")), ("at_risk", _("Stock-out risk")),
                  ("overstock", _("Overstock")), ("slow", _("Slow movers")), ("healthy", _("Healthy")))


class StockFilterForm(forms.Form):
    view = forms.ChoiceField(choices=(("sku", _("Per store and SKU")), ("code", _("Per merchant code"))), required=False)
    status = forms.ChoiceField(choices=STATUS_FILTERS, required=False)
    store = forms.CharField(required=False, max_length=64)
    q = forms.CharField(required=False, max_length=100, label=pgettext_lazy("inventory", "Search"))


class SupplierForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    name = forms.CharField(label=_("Name"), max_length=200)
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="CNY")
    promised_lead_days = forms.IntegerField(label=_("Promised lead time (days)"), min_value=1, max_value=MAX_WHOLE, initial=14)
    payment_terms = forms.CharField(label=_("Payment terms"), max_length=100, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    role = forms.CharField(label=_("Role"), max_length=60, required=False)
    work_phone = forms.CharField(label=_("Work phone"), max_length=32, required=False)
    work_email = forms.EmailField(label=_("Work e-mail"), required=False)


class SupplierItemForm(forms.Form):
    merchant_code = forms.CharField(label=_("Merchant code"), max_length=64)
    unit_price = forms.DecimalField(label=_("Unit price"), min_value=0, max_digits=18, decimal_places=4)
    moq = forms.IntegerField(label=_("MOQ"), min_value=1, max_value=MAX_WHOLE, initial=1)
    case_pack = forms.IntegerField(label=_("Case pack"), min_value=1, max_value=MAX_WHOLE, initial=1)
    lead_days = forms.IntegerField(label=_("Lead time (days)"), min_value=1, max_value=MAX_WHOLE, required=False)
    price_breaks = forms.CharField(label=_("Price breaks"), required=False,
                                   help_text=_("quantity:price, comma separated, e.g. 200:38.5, 500:36"))

    def clean_price_breaks(self):
        raw = (self.cleaned_data.get("price_breaks") or "").replace("，", ",").replace("：", ":")
        out = []
        for n, part in enumerate([p.strip() for p in raw.split(",") if p.strip()], start=1):
            if ":" not in part:
                raise forms.ValidationError(_("price break %(n)s: %(value)r is not quantity:price")
                                            % {"n": n, "value": part})
            qty, price = (x.strip() for x in part.split(":", 1))
            out.append((qty, price))
        return out


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True))
    lines = forms.CharField(label=_("Lines"), widget=forms.Textarea(attrs={"rows": 6}),
                            help_text=_("one line each: store, SKU, merchant code, quantity[, unit price]"))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_lines(self):
        out = []
        for n, text in enumerate((self.cleaned_data.get("lines") or "").splitlines(), start=1):
            parts = [p.strip() for p in text.replace("，", ",").replace("\t", ",").split(",")]
            if not any(parts):
                continue
            if len(parts) not in (4, 5):
                raise forms.ValidationError(
                    _("line %(n)s: %(text)r has %(count)s fields; expected store, SKU, merchant code, quantity[, unit price]")
                    % {"n": n, "text": text.strip(), "count": len(parts)})
            out.append(LineIn(store_id=parts[0], sku_id=parts[1], merchant_code=parts[2], quantity=parts[3],
                              unit_price=parts[4] if len(parts) == 5 else None))
        if not out:
            raise forms.ValidationError(_("enter at least one line"))
        return out


class ReceiveForm(forms.Form):
    reference = forms.CharField(label=_("Delivery note"), max_length=64)
    received_on = forms.DateField(label=_("Received on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, po: PurchaseOrder, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.po_lines = list(po.lines.all())
        for line in self.po_lines:
            self.fields[f"line_{line.line_no}"] = forms.IntegerField(
                label=f"{line.line_no}", min_value=0, max_value=MAX_WHOLE, required=False, initial=line.open_quantity)

    def clean_received_on(self):
        from django.conf import settings

        from shopops.core.periods import business_today

        day = self.cleaned_data["received_on"]
        today = business_today(settings.SHOPOPS_TIME_ZONE)
        if day > today:
            raise forms.ValidationError(_("%(day)s is in the future (today is %(today)s)") % {"day": day, "today": today})
        return day

    def quantities(self) -> dict[int, int]:
        return {line.line_no: self.cleaned_data.get(f"line_{line.line_no}") for line in self.po_lines}

    def line_fields(self):
        return [(line, self[f"line_{line.line_no}"]) for line in self.po_lines]


MAX_UPLIFT = 20.0  # ×: more is a typo (a 双11 day sells ~3–10× an ordinary day; a whole campaign less)
_UPLIFT = re.compile(r"(?P<num>[+\-−]?[0-9]+(?:\.[0-9]+)?)\s*(?P<unit>[×xX倍%％]?)")


def parse_uplift(typed: str) -> float:
    """The expected uplift a person types, as a multiplier of ordinary demand: ``1.8``, ``1.8×``, ``1.8x``,
    ``1.8倍`` → 1.8; a signed percentage is a change, ``+80 %`` → 1.8, ``-20%`` → 0.8; an unsigned one a level,
    ``180%`` → 1.8. Raises ``forms.ValidationError`` naming the value and what was expected."""
    m = _UPLIFT.fullmatch(typed.strip())
    if m is None:
        raise forms.ValidationError(
            _("%(value)r is not an uplift: expected a multiplier such as 1.8 or 1.8×, or a change such as +80 %%")
            % {"value": typed})
    num, unit = m["num"].replace("−", "-"), m["unit"]
    value = float(num)
    if unit in ("%", "％"):
        value = 1 + value / 100 if num[0] in "+-" else value / 100
    elif num[0] == "-":
        value = -1.0
    if not value > 0:
        raise forms.ValidationError(
            _("%(value)r means demand at or below 0 during the campaign: expected an uplift above 0 "
              "(1 = ordinary demand, 1.8 = +80 %%)") % {"value": typed})
    if value > MAX_UPLIFT:
        raise forms.ValidationError(
            _("%(value)r is %(times)s× ordinary demand: expected at most %(max)s× (a typo?)")
            % {"value": typed, "times": f"{value:g}", "max": f"{MAX_UPLIFT:g}"})
    return value


class StockingPlanForm(forms.Form):
    festival = forms.CharField(required=False, max_length=40)
    starts_on = forms.DateField(label=_("Campaign starts"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    ends_on = forms.DateField(label=_("Campaign ends"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    uplift = forms.CharField(label=_("Expected uplift"), required=False, max_length=20,
                             help_text=_("× ordinary demand during the campaign, e.g. 1.8 or +80 %; empty: learned from past campaigns"),
                             widget=forms.TextInput(attrs={"placeholder": "1.8× / +80 %", "size": 10}))

    def clean_uplift(self) -> float | None:
        typed = (self.cleaned_data.get("uplift") or "").strip()
        return parse_uplift(typed) if typed else None

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("the campaign ends (%(end)s) before it starts (%(start)s)")
                                        % {"end": data["ends_on"], "start": data["starts_on"]})
        return data


MAX_BUDGET = Decimal("999999999999.99")
MAX_ROOM = 1_000_000_000
_GROUPING = re.compile(r"[,，\s]")


class ReplenishmentLimitsForm(forms.Form):
    """The replenishment page's limits, both optional (empty = no limit): a budget in the store's currency
    (``50000``, ``50,000.00``, ``¥50000``) and the warehouse's room in units. Each wrong value is named with
    what was expected; both are checked at once."""

    budget = forms.CharField(label=_("Budget"), required=False, max_length=40)
    capacity = forms.CharField(label=_("Warehouse room (units)"), required=False, max_length=40)

    def clean_budget(self) -> Decimal | None:
        typed = (self.cleaned_data.get("budget") or "").strip()
        raw = _GROUPING.sub("", typed).lstrip("¥￥")
        if not raw:
            return None
        try:
            value = Decimal(raw)
        except InvalidOperation:
            value = None
        if value is None or not value.is_finite():
            raise forms.ValidationError(_("%(value)r is not an amount of money (e.g. 50000 or 50,000.00)")
                                        % {"value": typed})
        if value < 0:
            raise forms.ValidationError(_("%(value)r is below 0: expected an amount of 0 or more") % {"value": typed})
        if value > MAX_BUDGET:
            raise forms.ValidationError(_("%(value)r is more than %(max)s: expected at most that")
                                        % {"value": typed, "max": f"{MAX_BUDGET:,}"})
        return value.quantize(Decimal("0.01"))

    def clean_capacity(self) -> int | None:
        typed = (self.cleaned_data.get("capacity") or "").strip()
        raw = _GROUPING.sub("", typed)
        if not raw:
            return None
        if not re.fullmatch(r"[0-9]+", raw):
            raise forms.ValidationError(_("%(value)r is not a whole number of units: expected 0 or more, e.g. 20000")
                                        % {"value": typed})
        value = int(raw)
        if value > MAX_ROOM:
            raise forms.ValidationError(_("%(value)r is more than %(max)s units: expected at most that")
                                        % {"value": typed, "max": f"{MAX_ROOM:,}"})
        return value
