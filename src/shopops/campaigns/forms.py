"""Forms of the campaign pages: they parse and check shapes; the services check the rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from shopops.campaigns.models import BudgetLine, CampaignPhase, CampaignPlan, ContentPost, Task
from shopops.campaigns.selectors import CALENDAR_KINDS
from shopops.core.roles import ROLE_LABELS
from shopops.ui.forms import MAX_WHOLE


def _date_input() -> forms.DateInput:
    """An ``<input type="date">``: its value must be ISO (2026-12-05) whatever the language. Django's
    default renders the active locale's date format (zh-Hans: 2026/12/05), which the browser
    rejects and shows empty, so editing a plan or task in Chinese lost its dates."""
    return forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


def _datetime_input() -> forms.DateTimeInput:
    """An ``<input type="datetime-local">`` with its ISO value (2026-12-05T20:00), see :func:`_date_input`."""
    return forms.DateTimeInput(format="%Y-%m-%dT%H:%M", attrs={"type": "datetime-local"})


def _users():
    return get_user_model().objects.filter(is_active=True).order_by("username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.username


class PlanForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    theme = forms.CharField(label=_("Theme"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    stores = forms.MultipleChoiceField(label=_("Stores"), widget=forms.CheckboxSelectMultiple)
    starts_on = forms.DateField(label=_("First day"), widget=_date_input())
    ends_on = forms.DateField(label=_("Last day"), widget=_date_input())
    owner = UserChoiceField(label=_("Owner"), queryset=_users(), required=False)
    festival = forms.CharField(label=_("Platform festival"), max_length=64, required=False)
    goal_gmv = forms.DecimalField(label=_("GMV goal"), min_value=Decimal("0"), decimal_places=2, max_digits=18, required=False)
    goal_paying_buyers = forms.IntegerField(label=_("Paying buyers goal"), min_value=0, max_value=MAX_WHOLE, required=False)
    goal_new_buyers = forms.IntegerField(label=_("New buyers goal"), min_value=0, max_value=MAX_WHOLE, required=False)
    goal_roi = forms.DecimalField(label=_("ROI goal (×)"), min_value=Decimal("0"), decimal_places=2, max_digits=8, required=False)
    goal_margin_floor = forms.DecimalField(label=_("Margin floor (%)"), min_value=Decimal("0"), max_value=Decimal("100"),
                                           decimal_places=2, max_digits=5, required=False)
    hero_skus = forms.CharField(label=_("Hero SKUs"), required=False, help_text=_("One SKU per line, or separated by commas."),
                                widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stores"].choices = [(s.store_id, f"{s.name or s.store_id} ({s.platform}, {s.currency})") for s in stores]
        self.fields["owner"].queryset = _users()

    def clean_hero_skus(self) -> list[str]:
        text = self.cleaned_data.get("hero_skus") or ""
        return [s.strip() for s in text.replace(",", "\n").replace("，", "\n").splitlines() if s.strip()]

    def goals(self) -> dict:
        d = self.cleaned_data
        floor = d.get("goal_margin_floor")
        return {"goal_gmv": d.get("goal_gmv"), "goal_paying_buyers": d.get("goal_paying_buyers"),
                "goal_new_buyers": d.get("goal_new_buyers"), "goal_roi": d.get("goal_roi"),
                "goal_margin_floor": None if floor is None else (floor / 100).quantize(Decimal("0.0001"))}

    @staticmethod
    def initial_from(plan: CampaignPlan) -> dict:
        return {"name": plan.name, "theme": plan.theme, "stores": plan.store_ids, "starts_on": plan.starts_on,
                "ends_on": plan.ends_on, "owner": plan.owner_id, "festival": plan.festival, "goal_gmv": plan.goal_gmv,
                "goal_paying_buyers": plan.goal_paying_buyers, "goal_new_buyers": plan.goal_new_buyers,
                "goal_roi": plan.goal_roi,
                "goal_margin_floor": None if plan.goal_margin_floor is None else plan.goal_margin_floor * 100,
                "hero_skus": "\n".join(plan.hero_skus)}


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Phase"), choices=CampaignPhase.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=_datetime_input())
    ends_at = forms.DateTimeField(label=_("Ends"), widget=_datetime_input())

    def moments(self, tz: str) -> tuple[dt.datetime, dt.datetime]:
        """The two times in the plan's time zone (what the user typed is store time)."""
        zone = ZoneInfo(tz)
        return tuple(self.cleaned_data[k].replace(tzinfo=None).replace(tzinfo=zone) for k in ("starts_at", "ends_at"))


class BudgetLineForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=BudgetLine.Channel.choices)
    label = forms.CharField(label=_("Budget item"), max_length=100, required=False)
    amount = forms.DecimalField(label=_("Amount"), decimal_places=2, max_digits=18)
    currency = forms.CharField(label=_("Currency"), max_length=3, min_length=3)


class TransitionForm(forms.Form):
    to = forms.ChoiceField(label=_("Status"), choices=CampaignPlan.Status.choices)


class ReviewNotesForm(forms.Form):
    went_well = forms.CharField(label=_("What went well"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    went_badly = forms.CharField(label=_("What went badly"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    next_time = forms.CharField(label=_("What to change next time"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class GenerateTasksForm(forms.Form):
    template = forms.ModelChoiceField(label=_("Template"), queryset=None)

    def __init__(self, *args, **kwargs):
        from shopops.campaigns.models import TaskTemplate

        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = TaskTemplate.objects.all()


def role_choices() -> list[tuple[str, str]]:
    from django.utils.translation import get_language

    en = (get_language() or "").startswith("en")
    return [("", "—")] + [(r.value, en_ if en else zh) for r, (zh, en_) in ROLE_LABELS.items()]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    plan = forms.ModelChoiceField(label=_("Campaign"), queryset=CampaignPlan.objects.all(), required=False)
    role = forms.ChoiceField(label=_("Owner role"), choices=role_choices, required=False)
    assignee = UserChoiceField(label=_("Assignee"), queryset=_users(), required=False)
    starts_on = forms.DateField(label=_("Starts"), required=False, widget=_date_input())
    due_on = forms.DateField(label=_("Due"), widget=_date_input())
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = _users()
        self.fields["plan"].queryset = CampaignPlan.objects.all()


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class DependencyForm(forms.Form):
    depends_on = forms.ModelChoiceField(label=_("Waits for"), queryset=Task.objects.all())


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class CalendarFilterForm(forms.Form):
    view = forms.ChoiceField(choices=[("month", _("Month")), ("quarter", _("Quarter")), ("year", _("Year"))], required=False)
    date = forms.DateField(required=False, widget=_date_input())
    store = forms.MultipleChoiceField(required=False)
    owner = forms.ModelChoiceField(queryset=None, required=False)
    kind = forms.MultipleChoiceField(choices=CALENDAR_KINDS, required=False)

    def __init__(self, *args, stores=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["store"].choices = [(s.store_id, s.name or s.store_id) for s in stores]
        self.fields["owner"].queryset = _users()


class ContentPostForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), choices=ContentPost.Channel.choices)
    format = forms.ChoiceField(label=_("Format"), choices=ContentPost.Format.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ContentPost.Status.choices)
    publish_at = forms.DateTimeField(label=_("Publish at"), widget=_datetime_input())
    owner = UserChoiceField(label=_("Owner"), queryset=_users(), required=False)
    plan = forms.ModelChoiceField(label=_("Campaign"), queryset=CampaignPlan.objects.all(), required=False)
    product_links = forms.CharField(label=_("Products"), required=False, help_text=_("Product or SKU ids, separated by commas."))
    cost = forms.DecimalField(label=_("Cost"), min_value=Decimal("0"), decimal_places=2, max_digits=18, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = _users()
        self.fields["plan"].queryset = CampaignPlan.objects.all()

    def clean_product_links(self) -> list[str]:
        return [p.strip() for p in (self.cleaned_data.get("product_links") or "").replace("，", ",").split(",") if p.strip()]


class ContentImportForm(forms.Form):
    file = forms.FileField(label=_("Results file (CSV)"))
    code_column = forms.CharField(label=_("Column of the post code"), required=False, max_length=100)
    reach_column = forms.CharField(label=_("Column of reach"), required=False, max_length=100)
    engagements_column = forms.CharField(label=_("Column of engagements"), required=False, max_length=100)
    orders_column = forms.CharField(label=_("Column of attributed orders"), required=False, max_length=100)
    gmv_column = forms.CharField(label=_("Column of attributed GMV"), required=False, max_length=100)
    cost_column = forms.CharField(label=_("Column of cost"), required=False, max_length=100)

    def mapping(self) -> dict[str, str]:
        d = self.cleaned_data
        pairs = {"code": d.get("code_column"), "reach": d.get("reach_column"), "engagements": d.get("engagements_column"),
                 "attributed_orders": d.get("orders_column"), "attributed_gmv": d.get("gmv_column"), "cost": d.get("cost_column")}
        return {k: v.strip() for k, v in pairs.items() if v and v.strip()}


class MonthForm(forms.Form):
    month = forms.CharField(required=False, max_length=7)

    def clean_month(self) -> dt.date | None:
        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise forms.ValidationError(_("Month %(value)s is not of the form YYYY-MM.") % {"value": text}) from None


class HolidayScheduleForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    notice = forms.CharField(label=_("Notice"), required=False, max_length=300,
                             help_text=_("The State Council notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知"))
    days = forms.CharField(label=_("Days"), required=False, widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
                           help_text=_("One line per day or span: 2027-02-05~2027-02-11, 放假, 春节 — or 2027-02-14, 上班, 春节 "
                                       "(a 调休 working day)."))
    file = forms.FileField(label=_("…or a file (CSV/TXT, the same lines)"), required=False)

    def text(self) -> str:
        upload = self.cleaned_data.get("file")
        if upload is not None:
            raw = upload.read(1 << 20)
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    return raw.decode(enc)
                except UnicodeDecodeError:
                    continue
            raise forms.ValidationError(_("%(name)s is neither UTF-8 nor GB18030 text.") % {"name": upload.name})
        return self.cleaned_data.get("days") or ""
