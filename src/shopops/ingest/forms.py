"""Forms of the import pages: parse and check what the user sent; the services do the work."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shopops.ingest.mapping import (
    MAPPABLE_TYPES,
    ORDER_STATUSES,
    SALES_LINES,
    ColumnMapping,
    MappingProblem,
    ProblemKind,
    TargetField,
    mapping_problems,
    mapping_targets,
)
from shopops.ingest.profiles import FieldType
from shopops.ingest.uploads import upload_size_problem

MAX_FILES = 20

TYPE_LABELS = {
    FieldType.STRING: _("Text"),
    FieldType.ID: _("ID (drops a .0 tail)"),
    FieldType.INT: _("Whole number"),
    FieldType.MONEY: _("Amount"),
    FieldType.DATE: _("Date"),
    FieldType.DATETIME: _("Date and time"),
    FieldType.UNIX_SECONDS: _("Unix seconds"),
    FieldType.BOOLEAN: _("Yes/no"),
    FieldType.PHONE: _("Mobile number (hashed)"),
    FieldType.IGNORE: _("Ignore"),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)) and data:
            return [single(d, initial) for d in data]
        if isinstance(data, (list, tuple)):
            data = None  # nothing chosen: the field's "required" message
        return [single(data, initial)] if data or self.required else []


class UploadForm(forms.Form):
    # empty files pass: the upload page shows the reader's own message for them
    files = MultipleFileField(
        label=_("Export files"), allow_empty_file=True, error_messages={"required": _("Choose at least one file.")}
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > MAX_FILES:
            raise forms.ValidationError(_("At most %(n)s files at once."), params={"n": MAX_FILES})
        if problem := upload_size_problem(sum(f.size or 0 for f in files)):
            raise forms.ValidationError(problem)
        return files


class ImportFileForm(forms.Form):
    """One file of an upload batch: import it (or not) with which profile, for which store."""

    name = forms.CharField(widget=forms.HiddenInput)
    include = forms.BooleanField(label=_("Import"), required=False, initial=True)
    profile = forms.ChoiceField(label=_("Profile"), required=False)
    store = forms.ChoiceField(label=_("Store"), required=False)
    strict = forms.BooleanField(label=_("Strict"), required=False)

    def __init__(self, *args, profile_choices=(), store_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [("", _("— choose a profile —")), *profile_choices]
        self.fields["store"].choices = [("", _("— no store —")), *store_choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("include") and not cleaned.get("profile") and "profile" not in self.errors:
            self.add_error("profile", _("Choose a profile, or untick the file."))
        return cleaned


class MappingUploadForm(forms.Form):
    file = forms.FileField(label=_("Sample file"), allow_empty_file=True, error_messages={"required": _("Choose a file.")})

    def clean_file(self):
        file = self.cleaned_data["file"]
        if problem := upload_size_problem(file.size or 0):
            raise forms.ValidationError(problem)
        return file


def upload_refused(request, form: forms.Form, field: str) -> bool:
    """Whether the upload handler stopped this request's upload as too large; if so the form
    says why (instead of "choose a file": the files were dropped on purpose)."""
    from shopops.ingest.uploads import REFUSED_ATTRIBUTE

    problem = getattr(request, REFUSED_ATTRIBUTE, "")
    if not problem:
        return False
    form.is_valid()
    form.errors.clear()
    form.add_error(field, problem)
    return True


def target_choices() -> list[tuple[str, str]]:
    return [(t, _("Sales lines (orders + lines + refunds + customers)") if t == SALES_LINES else t) for t in mapping_targets()]


class MappingForm(forms.Form):
    """A mapping of every column of one file to a target, with the profile's name and id."""

    name = forms.CharField(label=_("Name"), max_length=200, error_messages={"required": _("Give the mapping a name.")})
    slug = forms.RegexField(
        label=_("ID"),
        max_length=100,
        regex=r"^[a-z][a-z0-9_]*$",
        error_messages={
            "required": _("Give the mapping an id."),
            "invalid": _("An id is lower-case letters, digits and _, starting with a letter (e.g. online_retail)."),
        },
    )
    target = forms.ChoiceField(label=_("Target"), widget=forms.HiddenInput)
    guest_customer = forms.BooleanField(label=_("A missing buyer id is a guest (one per order)"), required=False)
    paid_at_from_created = forms.BooleanField(label=_("No payment time: an order is paid when placed"), required=False)
    cancel_prefix = forms.CharField(label=_("Order ids starting with this are cancellations"), required=False, max_length=10)
    default_status = forms.ChoiceField(label=_("Order status when the file has none"), required=False)

    def __init__(self, *args, headers=(), fields: list[TargetField] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = list(headers)
        self.target_fields = list(fields)
        self.fields["target"].choices = target_choices()
        self.fields["default_status"].choices = [("", "—"), *((s, s) for s in ORDER_STATUSES)]
        field_choices = [("", _("— ignore —")), *((f.name, f.name) for f in self.target_fields)]
        type_choices = [(t.value, TYPE_LABELS[t]) for t in MAPPABLE_TYPES]
        for i, header in enumerate(self.headers):
            self.fields[f"c{i}_to"] = forms.ChoiceField(label=header, choices=field_choices, required=False)
            self.fields[f"c{i}_type"] = forms.ChoiceField(label=header, choices=type_choices)
            self.fields[f"c{i}_required"] = forms.BooleanField(label=header, required=False)
            self.fields[f"c{i}_round"] = forms.BooleanField(label=header, required=False)

    def rows(self):
        """(header, to, type, required, round) bound fields per column, for the template."""
        return [
            (h, self[f"c{i}_to"], self[f"c{i}_type"], self[f"c{i}_required"], self[f"c{i}_round"])
            for i, h in enumerate(self.headers)
        ]

    def columns(self) -> list[ColumnMapping]:
        out = []
        for i, header in enumerate(self.headers):
            to = self.cleaned_data.get(f"c{i}_to") or ""
            kind = FieldType(self.cleaned_data.get(f"c{i}_type") or FieldType.IGNORE)
            if not to:
                kind = FieldType.IGNORE
            out.append(ColumnMapping(header, to, kind, bool(self.cleaned_data.get(f"c{i}_required")),
                                     bool(self.cleaned_data.get(f"c{i}_round"))))
        return out

    def options(self) -> dict:
        if self.cleaned_data.get("target") != SALES_LINES:
            return {}
        data = self.cleaned_data
        return {
            "guest_customer": data.get("guest_customer") or None,
            "paid_at_from_created": data.get("paid_at_from_created") or None,
            "cancel_prefix": (data.get("cancel_prefix") or "").strip() or None,
            "default_status": data.get("default_status") or None,
        }

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        for problem in mapping_problems(cleaned["target"], self.columns(), self.options()):
            self.add_error(None, problem_text(problem))
        return cleaned


def problem_text(problem: MappingProblem) -> str:
    """A mapping problem in the user's language."""
    if problem.kind is ProblemKind.MISSING and problem.field == "customer_id":
        return str(_("No column is mapped to customer_id: map the buyer id column, or tick the guest option."))
    if problem.kind is ProblemKind.MISSING:
        return str(_("No column is mapped to the required field %(field)s.") % {"field": problem.field})
    if problem.kind is ProblemKind.TWICE:
        return str(_("%(columns)s are all mapped to %(field)s: map one column to each field.")
                   % {"columns": ", ".join(problem.sources), "field": problem.field})
    if problem.kind is ProblemKind.TYPE:
        return str(_("Column %(column)s cannot fill %(field)s with that type.")
                   % {"column": problem.sources[0], "field": problem.field})
    if problem.kind is ProblemKind.UNKNOWN:
        return str(_("Column %(column)s is mapped to %(field)s, which this target does not have.")
                   % {"column": problem.sources[0], "field": problem.field})
    return str(_("Map unit_price or line_paid_amount: a sales line needs an amount."))


class ApiKeyForm(forms.Form):
    """A new key for a store's own site (the keys page, directors only)."""

    store = forms.ChoiceField(label=_("Store"))
    kind = forms.ChoiceField(label=_("Kind"))
    name = forms.CharField(label=_("Used by"), max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. mini-program backend")}))
    rate_per_minute = forms.IntegerField(label=_("Requests a minute"), min_value=1, max_value=100_000, initial=600)

    def __init__(self, *args, store_choices=(), **kwargs):
        from shopops.ingest.models import ApiKey

        super().__init__(*args, **kwargs)
        self.fields["store"].choices = list(store_choices)
        self.fields["kind"].choices = ApiKey.Kind.choices
