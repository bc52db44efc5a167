"""Forms of the service desk pages (parsing only; services validate again)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shopops.service import templating
from shopops.service.models import Priority, ReplyTemplate, TemplateScenario, TicketType
from shopops.ui.forms import MAX_WHOLE


class TicketForm(forms.Form):
    store_id = forms.ChoiceField(label=_("Store"))
    ticket_type = forms.ChoiceField(label=_("Type"), choices=TicketType.choices)
    priority = forms.TypedChoiceField(label=_("Priority"), choices=Priority.choices, coerce=int, initial=Priority.NORMAL)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=pgettext_lazy("service", "Description"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    order_id = forms.CharField(label=pgettext_lazy("service", "Order"), max_length=128, required=False)
    customer_id = forms.CharField(label=_("Customer"), max_length=128, required=False)
    customer_nickname = forms.CharField(label=_("Customer nickname"), max_length=128, required=False)
    product_id = forms.CharField(label=_("Product"), max_length=128, required=False)

    def __init__(self, *args, stores: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store_id"].choices = stores


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 5}))
    internal = forms.BooleanField(label=_("Internal note (not sent to the customer)"), required=False)
    template_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_WHOLE, widget=forms.HiddenInput)


class ReplyTemplateForm(forms.ModelForm):
    class Meta:
        model = ReplyTemplate
        fields = ["title", "scenario", "platform", "body", "is_active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 5})}

    def clean_body(self):
        body = self.cleaned_data["body"]
        try:
            templating.template_variables(body)
        except Exception as exc:  # ValidationError from the engine: show its precise message
            raise forms.ValidationError(str(exc)) from exc
        return body


class TemplateSearchForm(forms.Form):
    q = forms.CharField(label=pgettext_lazy("service", "Search"), required=False)
    scenario = forms.ChoiceField(label=_("Scenario"), required=False,
                                 choices=[("", _("All scenarios")), *TemplateScenario.choices])
    platform = forms.CharField(label=_("Platform"), required=False)
