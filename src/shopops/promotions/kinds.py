"""The promotion kinds as the Django side sees them: choices, labels in the page's language
and the editor's parameter fields, all derived from the engine's kind specs
(``engine.kinds``). Nothing about one kind is written here."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shopops.promotions.engine import all_kinds, kind_spec
from shopops.promotions.engine.kinds import Label, ParamInfo, ParamType, all_parameters


def _pick(label: Label) -> str:
    return label.pick(get_language())


label_text = lazy(_pick, str)  # a spec label in the language of the request, when rendered


def kind_choices() -> list[tuple[str, str]]:
    """(key, label) of every registered kind: the model field's and the editor's choices."""
    return [(spec.key, label_text(spec.label)) for spec in all_kinds()]


def kind_label(key: str) -> str:
    spec = next((s for s in all_kinds() if s.key == key), None)
    return _pick(spec.label) if spec is not None else key


def kind_fields() -> dict[str, list[str]]:
    """The parameter fields each kind uses (the editor shows only those)."""
    return {spec.key: list(spec.fields) for spec in all_kinds()}


def required_groups(key: str) -> tuple[tuple[str, ...], ...]:
    return kind_spec(key).required


# ---------------------------------------------------------------------------- editor fields
def split_items(text: str) -> list[str]:
    return [s for s in (part.strip() for part in text.replace("，", ",").replace("\n", ",").split(",")) if s]


class PairsField(forms.CharField):
    """"a:b, c:d" -> [[a, b], [c, d]] (tiers)."""

    def __init__(self, *, first, second, example: str, check, check_message, names: tuple[str, str],
                 **kwargs) -> None:
        super().__init__(required=False, **kwargs)
        self.first, self.second, self.example = first, second, example
        self.check, self.check_message, self.names = check, check_message, names

    def clean(self, value):
        raw = super().clean(value) or ""
        out = []
        for part in split_items(raw):
            bits = part.replace("：", ":").split(":")
            try:
                if len(bits) != 2:
                    raise ValueError
                out.append([self.first(bits[0].strip()), self.second(bits[1].strip())])
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("%(value)r is not “number:number” (e.g. %(example)s)."),
                    params={"value": part, "example": self.example}) from None
        for a, b in out:
            if not self.check(a, b):
                raise forms.ValidationError(self.check_message, params=dict(zip(self.names, (a, b))))
        return out

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(f"{a}:{b}" for a, b in value)
        return value


class ItemsField(forms.CharField):
    """"a, b" -> ["a", "b"] (SKUs)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def clean(self, value):
        return split_items(super().clean(value) or "")

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value


def _rate_ok(value) -> None:
    if value is not None and not (0 < value <= 1):
        raise forms.ValidationError(_("Must be above 0 and at most 1 (0.8 = 8折); got %(value)s.") % {"value": value})


def form_field(info: ParamInfo) -> forms.Field:
    """The editor's field for one parameter, from its type and labels."""
    label = label_text(info.label)
    help_text = label_text(info.help) if info.help else ""
    t = info.type
    if t == ParamType.MONEY:
        return forms.DecimalField(label=label, required=False, min_value=0, max_digits=18, decimal_places=2,
                                  help_text=help_text)
    if t == ParamType.RATE:
        return forms.DecimalField(label=label, required=False, max_digits=5, decimal_places=4, help_text=help_text,
                                  validators=[_rate_ok])
    if t == ParamType.COUNT:
        return forms.IntegerField(label=label, required=False, min_value=1, help_text=help_text)
    if t == ParamType.MONEY_TIERS:
        return PairsField(label=label, help_text=help_text, first=Decimal, second=Decimal, example="300:30",
                          check=lambda t, a: t > 0 and 0 < a <= t, names=("t", "a"),
                          check_message=_("Each tier needs a threshold above 0 and an amount between 0 and the "
                                          "threshold; got %(t)s:%(a)s."))
    if t == ParamType.QUANTITY_TIERS:
        return PairsField(label=label, help_text=help_text, first=int, second=Decimal, example="2:0.9",
                          check=lambda n, r: n >= 1 and 0 < r <= 1, names=("n", "r"),
                          check_message=_("Each quantity tier needs at least 1 unit and a rate in (0, 1]; "
                                          "got %(n)s:%(r)s."))
    if t == ParamType.SKUS:
        return ItemsField(label=label, help_text=help_text)
    return forms.CharField(label=label, required=False, max_length=64, help_text=help_text)


def parameter_form_fields() -> dict[str, forms.Field]:
    """One editor field per parameter name of any registered kind, in a stable order."""
    return {name: form_field(info) for name, info in all_parameters().items()}
