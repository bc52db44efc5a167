"""Pages of the promotions module: parse, call one selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError
from shopops.core.roles import Action, Module, action_permission
from shopops.promotions import engine, selectors, services
from shopops.promotions.forms import KIND_FIELDS, PromotionForm, PublishForm, SimulatorForm
from shopops.promotions.models import Campaign, Promotion
from shopops.ui.pages import Page, module_required, ui_page
from shopops.ui.tables import Column, DataTable



def _table(table_id: str, title, columns, rows) -> DataTable:
    """An export table of plain rows: (key, header, unit) columns (ui.exports writes it)."""
    return DataTable.from_dicts(table_id, title, [Column(k, h, unit=u) for k, h, u in columns], rows)


@module_required(Module.PROMOTIONS)
def campaigns(request: HttpRequest) -> HttpResponse:
    return render(request, "promotions/campaigns.html", {"campaigns": selectors.campaign_list(),
                                                         "liability": selectors.coupon_liability(now=timezone.now())})


def _campaign(campaign_id: int) -> Campaign:
    try:
        return selectors.campaign_get(campaign_id=campaign_id)
    except Campaign.DoesNotExist as exc:
        raise Http404 from exc


def _names(campaign: Campaign) -> dict[str, str]:
    return {str(p.pk): p.name for p in campaign.promotions.all()}


@ui_page(Module.PROMOTIONS, "promotions/campaign_detail.html", warehouse=False, form=None, tables=("floor_check",))
def campaign_detail(page: Page, campaign_id: int) -> dict[str, DataTable]:
    request = page.request
    campaign = _campaign(campaign_id)
    report = selectors.campaign_floor_check(campaign=campaign) if request.GET.get("check") else None
    page.context.update({
        "campaign": campaign, "report": report, "form": PublishForm(), "names": _names(campaign),
        "audit": selectors.audit_for_campaign(campaign=campaign), **_publish_rights(request),
    })
    if report is not None:
        names = _names(campaign)
        return {"floor_check": _table("floor_check", _("Floor-price check"), [
            ("sku", "SKU", "text"), ("floor", _("Floor"), "money"), ("lowest", _("Lowest reachable price"), "money"),
            ("shortfall", _("Shortfall"), "money"), ("how", _("How"), "text"), ("applied", _("Promotions applied"), "text")],
            [{"sku": v.sku, "floor": v.floor, "lowest": v.lowest_unit_price, "shortfall": v.shortfall, "how": v.scenario,
              "applied": ", ".join(names.get(a, a) for a in v.applied)} for v in report.violations])}
    return {}


def _publish_rights(request: HttpRequest) -> dict:
    """What the publish panel offers this user (the service checks again per action)."""
    return {"can_publish": request.user.has_perm(action_permission(Action.PUBLISH_CAMPAIGN)),
            "can_override": request.user.has_perm(action_permission(Action.OVERRIDE_FLOOR))}


@module_required(Module.PROMOTIONS)
@require_POST
def campaign_publish(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = _campaign(campaign_id)
    form = PublishForm(request.POST)
    form.is_valid()
    try:
        services.campaign_publish(campaign=campaign, user=request.user, now=timezone.now(),
                                  override_reason=form.cleaned_data.get("override_reason", ""))
    except (services.FloorViolationError, services.PublishNotAllowedError) as exc:
        report = selectors.campaign_floor_check(campaign=campaign)
        return render(request, "promotions/campaign_detail.html", {
            "campaign": campaign, "report": report, "form": form, "error": str(exc), "names": _names(campaign),
            "audit": selectors.audit_for_campaign(campaign=campaign), **_publish_rights(request)},
            status=403 if isinstance(exc, services.PublishNotAllowedError) else 400)
    except ShopopsError as exc:
        messages.error(request, str(exc))
        return redirect("promotions:campaign", campaign_id=campaign.pk)
    messages.success(request, _("Campaign published."))
    return redirect("promotions:campaign", campaign_id=campaign.pk)


@module_required(Module.PROMOTIONS)
def simulator(request: HttpRequest) -> HttpResponse:
    form = SimulatorForm(request.GET or None, initial={"lines": selectors.simulator_sample_lines()})
    context: dict = {"form": form, "simulation": None, "error": ""}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        customer = engine.Customer(customer_id="simulator", is_new_buyer=data["is_new_buyer"],
                                   is_member=data["is_member"], points=data.get("points") or 0)
        at = form.moment(timezone.now())
        campaign = data.get("campaign")
        context["at"] = at
        context["outside_campaign"] = campaign if campaign is not None and not campaign.covers(at) else None
        try:
            context["simulation"] = selectors.simulation_run(
                lines=data["lines"], customer=customer, channel=data.get("channel") or "", at=at,
                promotion_ids=form.promotion_ids(), hold_coupons=data["hold_coupons"],
                expected_units=data["expected_units"])
        except ShopopsError as exc:
            context["error"] = str(exc)
            return render(request, "promotions/simulator.html", context, status=400)
    elif form.is_bound:
        return render(request, "promotions/simulator.html", context, status=400)
    return render(request, "promotions/simulator.html", context)


@ui_page(Module.PROMOTIONS, "promotions/promotions.html", warehouse=False, form=None, tables=("offers",))
def promotions(page: Page) -> dict[str, DataTable]:
    promotions = selectors.promotion_list()
    page.context["promotions"] = promotions
    if not page.is_html:
        return {"offers": _table("offers", _("Offers"), [
            ("id", "#", "count"), ("name", _("Promotion"), "text"), ("kind", _("Type"), "text"),
            ("audience", _("Audience"), "text"), ("scope", _("Scope"), "text"), ("excluded", _("Excluded SKUs"), "text"),
            ("channels", _("Channels"), "text"), ("starts", _("Starts"), "text"), ("ends", _("Ends"), "text"),
            ("active", _("Active"), "text")],
            [{"id": p.pk, "name": p.name, "kind": p.get_kind_display(), "audience": p.get_audience_display(),
              "scope": ", ".join(p.scope_categories + p.scope_products + p.scope_skus) or _("Whole store"),
              "excluded": ", ".join(p.exclude_skus), "channels": ", ".join(p.channels),
              "starts": timezone.localtime(p.starts_at).strftime("%Y-%m-%d %H:%M") if p.starts_at else "",
              "ends": timezone.localtime(p.ends_at).strftime("%Y-%m-%d %H:%M") if p.ends_at else "",
              "active": str(_("Yes") if p.is_active else _("No"))} for p in promotions])}
    return {}


def _promotion_form_page(request: HttpRequest, promotion: Promotion | None) -> HttpResponse:
    if request.method == "POST":
        form = PromotionForm(request.POST)
        if form.is_valid():
            kwargs = form.service_kwargs()
            try:
                if promotion is None:
                    promotion = services.promotion_create(**kwargs)
                    messages.success(request, _("Promotion created."))
                else:
                    services.promotion_update(promotion=promotion, **kwargs)
                    messages.success(request, _("Promotion saved."))
            except ShopopsError as exc:  # ValidationError included: shown on the form, nothing saved
                form.add_error(None, str(exc))
            else:
                return redirect("promotions:promotions")
        status = 400
    else:
        initial = PromotionForm.initial_from(promotion) if promotion else {"kind": request.GET.get("kind", "item_discount")}
        form = PromotionForm(initial=initial)
        status = 200
    # a promotion of a published campaign can no longer change (the service refuses): the page shows it read-only
    locked_by = list(promotion.campaigns.filter(status=Campaign.Status.PUBLISHED).values_list("name", flat=True)) \
        if promotion is not None else []
    return render(request, "promotions/promotion_form.html",
                  {"form": form, "promotion": promotion, "kind_fields": KIND_FIELDS, "locked_by": locked_by},
                  status=status)


@module_required(Module.PROMOTIONS)
def promotion_create(request: HttpRequest) -> HttpResponse:
    return _promotion_form_page(request, None)


@module_required(Module.PROMOTIONS)
def promotion_edit(request: HttpRequest, promotion_id: int) -> HttpResponse:
    promotion = Promotion.objects.filter(pk=promotion_id).first()
    if promotion is None:
        raise Http404
    return _promotion_form_page(request, promotion)
