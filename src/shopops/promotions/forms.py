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
        help_text=_("One line each: SKU, quantity, optional unit price (else the SKU's list price)."),
    )
    at = forms.DateTimeField(
        label=_("Priced at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("The moment the cart is priced (store time). Empty: the campaign's start when a campaign is "
                    "chosen, otherwise now."))
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

    def moment(self, now):
        """When to price: the chosen moment, else the chosen campaign's start, else ``now``."""
        if self.cleaned_data.get("at"):
            return self.cleaned_data["at"]
        campaign = self.cleaned_data.get("campaign")
        return campaign.starts_at if campaign is not None and campaign.starts_at else now

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


# ---------------------------------------------------------------------------- promotion editor
# Which parameter fields each kind uses (the rest are hidden by promotion_form.js and ignored).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "item_discount": ("rate",),
    "special_price": ("price",),
    "member_price": ("price",),
    "flash_sale": ("price", "max_units"),
    "bundle": ("price", "bundle_skus"),
    "presale": ("deposit", "deposit_value"),
    "tiered_reduction": ("tiers",),
    "every_reduction": ("threshold", "amount", "cap"),
    "quantity_discount": ("quantity_tiers",),
    "store_coupon": ("amount", "rate", "threshold", "cap"),
    "product_coupon": ("amount", "rate", "threshold", "cap"),
    "first_order": ("amount", "rate", "threshold", "cap"),
    "gift": ("threshold", "gift_value", "gift_sku"),
    "cross_store_reduction": ("threshold", "amount", "cap"),
    "platform_coupon": ("amount", "rate", "threshold", "cap"),
    "points": ("points_per_yuan", "max_share"),
}
PARAMETER_FIELDS = ("rate", "price", "amount", "threshold", "cap", "tiers", "quantity_tiers", "max_units",
                    "bundle_skus", "deposit", "deposit_value", "gift_value", "gift_sku", "points_per_yuan", "max_share")
LIST_FIELDS = ("scope_categories", "scope_products", "scope_skus", "exclude_skus", "segment_ids", "channels")


def _money(label, help_text=""):
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=18, decimal_places=2, help_text=help_text)


def _items(text: str) -> list[str]:
    return [s for s in (part.strip() for part in text.replace("，", ",").replace("\n", ",").split(",")) if s]


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=Promotion.KindChoices.choices)
    # parameters
    rate = forms.DecimalField(label=_("Rate"), required=False, max_digits=5, decimal_places=4,
                              help_text=_("Price multiplier: 0.8 = 8折 (20% off)."))
    price = _money(_("Price"), _("Price per unit (per bundle for a bundle)."))
    amount = _money(_("Amount off"))
    threshold = _money(_("Threshold"), _("Spend needed, after item discounts."))
    cap = _money(_("Cap"), _("Most it may take off."))
    tiers = forms.CharField(label=_("Tiers"), required=False, help_text=_("Spend:amount off, e.g. 300:30, 600:70."))
    quantity_tiers = forms.CharField(label=_("Quantity tiers"), required=False,
                                     help_text=_("Units:rate, e.g. 2:0.9, 3:0.8."))
    max_units = forms.IntegerField(label=_("Units per buyer at this price"), required=False, min_value=1)
    bundle_skus = forms.CharField(label=_("Bundle SKUs"), required=False, help_text=_("Comma-separated SKUs, one of each."))
    deposit = _money(_("Deposit"))
    deposit_value = _money(_("Deposit counts as"), _("定金膨胀: what the paid deposit is worth at final payment."))
    gift_value = _money(_("Gift value"))
    gift_sku = forms.CharField(label=_("Gift SKU"), required=False, max_length=64)
    points_per_yuan = forms.IntegerField(label=_("Points per ¥1"), required=False, min_value=1)
    max_share = forms.DecimalField(label=_("Most share of the order"), required=False, max_digits=5, decimal_places=4,
                                   help_text=_("0.1 = points pay at most 10% of the order."))
    # scope, audience, channel
    scope_categories = forms.CharField(label=_("Categories"), required=False,
                                       help_text=_("Comma-separated; leave every scope field empty for the whole store."))
    scope_products = forms.CharField(label=_("Products"), required=False)
    scope_skus = forms.CharField(label=_("SKUs"), required=False)
    exclude_skus = forms.CharField(label=_("Excluded SKUs"), required=False)
    audience = forms.ChoiceField(label=_("Audience"), choices=Promotion.AudienceChoices.choices, initial="all")
    segment_ids = forms.CharField(label=_("Customer segments"), required=False,
                                  help_text=_("Segment ids, for the audience “Segments”."))
    channels = forms.CharField(label=_("Channels"), required=False, help_text=_("Comma-separated; empty = every channel."))
    # window and stacking
    starts_at = forms.DateTimeField(label=_("Starts"), required=False,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Ends"), required=False,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    priority = forms.IntegerField(label=_("Priority"), initial=0)
    exclusive_group = forms.CharField(label=_("Exclusivity group"), required=False, max_length=64,
                                      help_text=_("Offers in the same group never combine."))
    stackable = forms.BooleanField(label=_("Stacks with other offers of its level"), required=False)
    bearer = forms.ChoiceField(label=_("Borne by"), choices=Promotion.BearerChoices.choices, initial="store")
    store_share = forms.DecimalField(label=_("Store's share of the cost"), required=False, min_value=0, max_value=1,
                                     max_digits=5, decimal_places=4, initial=Decimal("0"),
                                     help_text=_("For platform-borne offers (跨店满减): 0.5 = the store pays half."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def initial_from(cls, promotion: Promotion) -> dict:
        data = {name: getattr(promotion, name) for name in (
            "name", "kind", "audience", "starts_at", "ends_at", "priority", "exclusive_group", "stackable",
            "bearer", "store_share", "is_active")}
        for name in LIST_FIELDS:
            data[name] = ", ".join(getattr(promotion, name) or [])
        params = promotion.parameters or {}
        for name in PARAMETER_FIELDS:
            value = params.get(name)
            if value is None:
                continue
            if name == "tiers":
                value = ", ".join(f"{t}:{a}" for t, a in value)
            elif name == "quantity_tiers":
                value = ", ".join(f"{n}:{r}" for n, r in value)
            elif name == "bundle_skus":
                value = ", ".join(value)
            data[name] = value
        return data

    def _pairs(self, name: str, first, second) -> list:
        raw = self.cleaned_data.get(name) or ""
        out = []
        for part in _items(raw):
            bits = part.replace("：", ":").split(":")
            try:
                if len(bits) != 2:
                    raise ValueError
                out.append([first(bits[0].strip()), second(bits[1].strip())])
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("%(value)r is not “number:number” (e.g. %(example)s)."),
                    params={"value": part, "example": "300:30" if name == "tiers" else "2:0.9"}) from None
        return out

    def clean_tiers(self):
        pairs = self._pairs("tiers", Decimal, Decimal)
        for t, a in pairs:
            if t <= 0 or a <= 0 or a > t:
                raise forms.ValidationError(_("Each tier needs a threshold above 0 and an amount between 0 and the threshold; got %(t)s:%(a)s."),
                                            params={"t": t, "a": a})
        return pairs

    def clean_quantity_tiers(self):
        pairs = self._pairs("quantity_tiers", int, Decimal)
        for n, r in pairs:
            if n < 1 or not (0 < r <= 1):
                raise forms.ValidationError(_("Each quantity tier needs at least 1 unit and a rate in (0, 1]; got %(n)s:%(r)s."),
                                            params={"n": n, "r": r})
        return pairs

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        for name in ("rate", "max_share"):
            value = data.get(name)
            if value is not None and not (0 < value <= 1):
                self.add_error(name, _("Must be above 0 and at most 1 (0.8 = 8折); got %(value)s.") % {"value": value})
        if kind in KIND_FIELDS:
            from shopops.promotions.services import REQUIRED

            for group in REQUIRED[kind]:
                if any(name in self.errors for name in group):
                    continue  # already told what is wrong with it
                if not any(data.get(name) not in (None, "", []) for name in group):
                    labels = " / ".join(str(self.fields[name].label) for name in group)
                    self.add_error(group[0], _("%(kind)s needs %(fields)s.") % {
                        "kind": Promotion.KindChoices(kind).label, "fields": labels})
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Must be after the start (%(start)s).") % {"start": starts.strftime("%Y-%m-%d %H:%M")})
        if data.get("audience") == "segments" and not _items(data.get("segment_ids") or ""):
            self.add_error("segment_ids", _("Give at least one segment for the audience “Segments”."))
        return data

    def service_kwargs(self) -> dict:
        """Arguments of services.promotion_create / promotion_update."""
        d = self.cleaned_data
        params = {}
        for name in KIND_FIELDS.get(d["kind"], ()):
            value = d.get(name)
            if value in (None, "", []):
                continue
            params[name] = _items(value) if name == "bundle_skus" else value
        out = {name: d[name] for name in ("name", "kind", "audience", "starts_at", "ends_at", "priority",
                                           "exclusive_group", "stackable", "bearer", "is_active")}
        out["priority"] = out["priority"] or 0
        out["store_share"] = d.get("store_share") or Decimal("0")
        out["parameters"] = params
        for name in LIST_FIELDS:
            out[name] = _items(d.get(name) or "")
        return out
