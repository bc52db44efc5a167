"""Forms of the promotions pages: parse and validate input only."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from shopops.promotions.models import Campaign, Promotion
from shopops.promotions.selectors import CartLineIn


class SimulatorForm(forms.Form):
    lines = forms.CharField(
        label=_("Cart lines"), widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        initial="TEE-001 1\nBAG-002 1",
        help_text=_("One line each: SKU, quantity, optional unit price (else the SKU's list price)."),
    )
    is_new_buyer = forms.BooleanField(label=_("New buyer"), required=False)
    is_member = forms.BooleanField(label=_("Member"), required=False)
    points = forms.IntegerField(label=_("Points"), min_value=0, required=False, initial=0)
    channel = forms.CharField(label=_("Channel"), required=False, max_length=32)
    hold_coupons = forms.BooleanField(label=_("Holds the coupons"), required=False, initial=True)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    promotions = forms.ModelMultipleChoiceField(label=_("Promotions"), queryset=Promotion.objects.filter(is_active=True),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    expected_units = forms.IntegerField(label=_("Expected units"), min_value=1, initial=1000)

    def clean_lines(self) -> list[CartLineIn]:
        out = []
        for n, raw in enumerate(self.cleaned_data["lines"].splitlines(), start=1):
            parts = raw.replace(",", " ").split()
            if not parts:
                continue
            if len(parts) > 3:
                raise forms.ValidationError(_("Line %(n)s: expected SKU, quantity, price; got %(raw)r") % {"n": n, "raw": raw})
            try:
                qty = int(parts[1]) if len(parts) > 1 else 1
                price = Decimal(parts[2]) if len(parts) > 2 else None
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(_("Line %(n)s: quantity or price is not a number: %(raw)r") % {"n": n, "raw": raw})
            if qty < 1 or (price is not None and price < 0):
                raise forms.ValidationError(_("Line %(n)s: quantity must be at least 1 and price not negative") % {"n": n})
            out.append(CartLineIn(sku=parts[0], quantity=qty, unit_price=price))
        if not out:
            raise forms.ValidationError(_("Give at least one cart line."))
        if len(out) > 50:
            raise forms.ValidationError(_("At most 50 lines."))
        return out

    def promotion_ids(self) -> list[int]:
        ids = {p.pk for p in self.cleaned_data.get("promotions") or []}
        if self.cleaned_data.get("campaign"):
            ids |= set(self.cleaned_data["campaign"].promotions.values_list("pk", flat=True))
        return sorted(ids)


class PublishForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Override reason"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when some SKUs can be bought below their floor price; recorded in the audit log."),
    )
