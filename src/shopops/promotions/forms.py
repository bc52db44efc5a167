"""Forms of the promotions pages: parse and validate input only."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from shopops.promotions import kinds
from shopops.promotions.models import Campaign, Promotion
from shopops.promotions.selectors import CartLineIn
from shopops.ui.forms import MAX_WHOLE


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
    points = forms.IntegerField(label=_("Points"), min_value=0, max_value=MAX_WHOLE, required=False, initial=0)
    channel = forms.CharField(label=_("Channel"), required=False, max_length=32)
    hold_coupons = forms.BooleanField(label=_("Holds the coupons"), required=False, initial=True)
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.all(), required=False)
    promotions = forms.ModelMultipleChoiceField(label=_("Promotions"), queryset=Promotion.objects.filter(is_active=True),
                                                required=False, widget=forms.CheckboxSelectMultiple)
    expected_units = forms.IntegerField(label=_("Expected units"), min_value=1, max_value=MAX_WHOLE, initial=1000)

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
# What each kind uses comes from its spec (shopops.promotions.kinds, engine.kinds): the
# parameter fields are built from the registered kinds when a form is made.
class _KindFields(Mapping):
    """kind -> its parameter field names, read live from the registry (kept for imports)."""

    def __getitem__(self, key: str) -> tuple[str, ...]:
        return tuple(kinds.kind_fields()[key])

    def __iter__(self):
        return iter(kinds.kind_fields())

    def __len__(self) -> int:
        return len(kinds.kind_fields())


KIND_FIELDS: Mapping[str, tuple[str, ...]] = _KindFields()
LIST_FIELDS = ("scope_categories", "scope_products", "scope_skus", "exclude_skus", "segment_ids", "channels")


_items = kinds.split_items


class PromotionForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=kinds.kind_choices)
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
    priority = forms.IntegerField(label=_("Priority"), min_value=-MAX_WHOLE, max_value=MAX_WHOLE, initial=0)
    exclusive_group = forms.CharField(label=_("Exclusivity group"), required=False, max_length=64,
                                      help_text=_("Offers in the same group never combine."))
    stackable = forms.BooleanField(label=_("Stacks with other offers of its level"), required=False)
    bearer = forms.ChoiceField(label=_("Borne by"), choices=Promotion.BearerChoices.choices, initial="store")
    store_share = forms.DecimalField(label=_("Store's share of the cost"), required=False, min_value=0, max_value=1,
                                     max_digits=5, decimal_places=4, initial=Decimal("0"),
                                     help_text=_("For platform-borne offers (跨店满减): 0.5 = the store pays half."))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # the parameter fields of every registered kind, placed after name and kind
        params = kinds.parameter_form_fields()
        self.parameter_names = tuple(params)
        fields = dict(self.fields)
        head = {k: fields.pop(k) for k in ("name", "kind")}
        self.fields = {**head, **params, **fields}

    @property
    def parameter_fields(self) -> list:
        """The bound parameter fields, for the template (each shown only for the kinds using it)."""
        return [self[name] for name in self.parameter_names]

    @property
    def kind_fields(self) -> dict[str, list[str]]:
        return kinds.kind_fields()

    @classmethod
    def initial_from(cls, promotion: Promotion) -> dict:
        data = {name: getattr(promotion, name) for name in (
            "name", "kind", "audience", "starts_at", "ends_at", "priority", "exclusive_group", "stackable",
            "bearer", "store_share", "is_active")}
        for name in LIST_FIELDS:
            data[name] = ", ".join(getattr(promotion, name) or [])
        for name, value in (promotion.parameters or {}).items():
            if value is not None:
                data[name] = value  # list values are shown by the field ("300:30, 600:70", "A, B")
        return data

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in self.kind_fields:
            for group in kinds.required_groups(kind):
                if any(name in self.errors for name in group):
                    continue  # already told what is wrong with it
                if not any(data.get(name) not in (None, "", []) for name in group):
                    labels = " / ".join(str(self.fields[name].label) for name in group)
                    self.add_error(group[0], _("%(kind)s needs %(fields)s.") % {
                        "kind": kinds.kind_label(kind), "fields": labels})
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
        for name in kinds.kind_fields().get(d["kind"], ()):
            value = d.get(name)
            if value in (None, "", []):
                continue
            params[name] = value
        out = {name: d[name] for name in ("name", "kind", "audience", "starts_at", "ends_at", "priority",
                                           "exclusive_group", "stackable", "bearer", "is_active")}
        out["priority"] = out["priority"] or 0
        out["store_share"] = d.get("store_share") or Decimal("0")
        out["parameters"] = params
        for name in LIST_FIELDS:
            out[name] = _items(d.get(name) or "")
        return out
