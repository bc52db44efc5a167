"""Pages of the reviews side: reviews with filters, products' complaints, DSR, reply drafts.

Parse, check the module permission, call one selector or service, render."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.service import aspects, permissions, selectors, selectors_reviews
from shopops.service.models import ReplyTemplate, TemplateScenario
from shopops.ui.forms import pk_param
from shopops.ui.pages import module_required

PERMISSION = permissions.PERMISSION
MAX_PAGE = 1_000_000  # ?page= past this is the last page anyone asks for (a larger offset overflows the engine)
PAGE_SIZE = 50


def _stores() -> list[tuple[str, str]]:
    from shopops.metrics.dimensions import store_names

    return list(store_names().items())  # (id, name) by id; none while the warehouse cannot be read


def _aspect_labels() -> list[tuple[str, str]]:
    zh = (get_language() or "zh-hans").lower().startswith("zh")
    return [(code, (aspects.LABEL_ZH if zh else aspects.LABEL_EN)[code]) for code in aspects.ASPECT_CODES]


def _date(value: str | None, errors: list[str], name: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(_("%(field)s: %(value)s is not a date like 2025-11-11") % {"field": name, "value": value[:40]})
        return None


@module_required(Module.SERVICE)
def review_list(request: HttpRequest) -> HttpResponse:
    g = request.GET
    errors: list[str] = []
    stores = _stores()
    known = {s for s, _ in stores}
    store = g.get("store", "")
    if store and store not in known:
        errors.append(_("Unknown store: %(value)s") % {"value": store[:40]})
        store = ""
    sentiment = g.get("sentiment", "")
    if sentiment not in selectors_reviews.POLARITIES:
        sentiment = ""
    aspect = g.get("aspect", "")
    if aspect not in aspects.ASPECT_CODES:
        aspect = ""
    try:
        page_no = min(max(1, int(g.get("page", "1"))), MAX_PAGE)
    except ValueError:
        page_no = 1
    f = selectors_reviews.ReviewFilter(
        store_ids=(store,) if store else (), product_id=g.get("product", "").strip()[:64], sentiment=sentiment,
        aspect=aspect, negative_only_aspect=g.get("neg") == "1", bad_only=g.get("bad") == "1",
        first=_date(g.get("from"), errors, _("From")), last=_date(g.get("to"), errors, _("To")))
    result = selectors_reviews.review_list(f, limit=PAGE_SIZE, offset=(page_no - 1) * PAGE_SIZE)
    labels, names = dict(_aspect_labels()), dict(stores)
    titles = selectors.product_titles_of((r["store_id"], r["product_id"]) for r in result.rows)
    for row in result.rows:
        row["aspect_labels"] = [(a, labels[a], a in row["negative_aspects"]) for a in row["aspects"]]
        row["store_name"] = names.get(row["store_id"]) or row["store_id"]
        row["product_title"] = titles.get((row["store_id"], row["product_id"]), "")
    query = g.copy()
    query.pop("page", None)
    from shopops.service.review_model import model_status, store_adaptation

    status, _detail = model_status()
    return render(request, "service/reviews/list.html", {
        "model_unavailable": status == "unavailable", "result": result,
        "adaptation": store_adaptation(store) if store and status != "unavailable" else None,
        "filters": f, "stores": stores, "store": store, "aspect_choices": _aspect_labels(),
        "errors": errors, "page_no": page_no, "has_next": page_no * PAGE_SIZE < result.total,
        "query": query.urlencode(), "sentiments": [("negative", _("Negative")), ("unclear", _("Unclear")),
                                                   ("positive", _("Positive"))],
    }, status=400 if errors else 200)


@module_required(Module.SERVICE)
def product_issues(request: HttpRequest) -> HttpResponse:
    stores = _stores()
    store = request.GET.get("store", "")
    if store not in {s for s, _ in stores}:
        store = ""
    labels, names = dict(_aspect_labels()), dict(stores)
    rows = selectors_reviews.product_issue_table(store_ids=(store,) if store else ())
    titles = selectors.product_titles_of((r["store_id"], r["product_id"]) for r in rows)
    for r in rows:
        r["aspect_labels"] = [(labels[a], n) for a, n in r["aspects"]]
        r["store_name"] = names.get(r["store_id"]) or r["store_id"]
        r["product_title"] = titles.get((r["store_id"], r["product_id"]), "")
    return render(request, "service/reviews/products.html", {"rows": rows, "stores": stores, "store": store})


@module_required(Module.SERVICE)
def product_detail(request: HttpRequest, store_id: str, product_id: str) -> HttpResponse:
    if store_id not in {s for s, _ in _stores()}:
        raise Http404
    issues = selectors_reviews.product_issues(product_id=product_id, store_ids=(store_id,))
    title = selectors.product_titles_of([(store_id, product_id)]).get((store_id, product_id), "")
    return render(request, "service/reviews/product.html", {
        "store_id": store_id, "product_id": product_id, "product_title": title, **product_issues_context(issues)})


# what the catalog (or the supplier) should do about each aspect buyers complain about: the feedback loop
ASPECT_FIXES = {
    "size": gettext_lazy("Check the size chart and the fit advice in the listing."),
    "quality": gettext_lazy("Raise it with the supplier (see its scorecard) and check incoming goods."),
    "logistics": gettext_lazy("Check the courier and the shipping time the listing promises."),
    "service": gettext_lazy("Review the desk's replies and reply templates."),
    "price": gettext_lazy("Compare with competitors' prices; show the value in the listing."),
    "looks": gettext_lazy("Re-shoot the photos in true colours; note any colour difference."),
    "packaging": gettext_lazy("Improve the packaging."),
    "as_described": gettext_lazy("Align the listing's photos, title and description with the goods."),
}


def product_issues_context(issues: selectors_reviews.ProductIssues) -> dict:
    """Context of the product's complaints section (also included in the product analysis page)."""
    labels = dict(_aspect_labels())
    chart = {"x": [d.isoformat() for d in issues.weeks],
             "series": [{"name": labels[a], "data": v} for a, v in issues.counts.items()]}
    clusters = [{"code": a, "label": labels[a], "count": n, "examples": issues.examples.get(a, []),
                 "fix": ASPECT_FIXES.get(a, "")} for a, n in issues.totals.items()]
    return {"issues": issues, "clusters": clusters, "issues_chart": chart, "return_reasons": issues.return_reasons}


@module_required(Module.SERVICE)
def dsr(request: HttpRequest) -> HttpResponse:
    stores = _stores()
    try:  # open on a store that has scores (only Tmall exports DSR)
        with_scores = selectors_reviews.dsr_stores() if stores else set()
    except Exception:  # no warehouse yet
        with_scores = set()
    default = next((s for s, _ in stores if s in with_scores), stores[0][0] if stores else "")
    store = request.GET.get("store", "") or default
    if store not in {s for s, _ in stores}:
        store = default
    frame = selectors_reviews.dsr_series(store_id=store) if store else None
    rows, chart = [], {"x": [], "series": []}
    if frame is not None and not frame.empty:
        names = (("description", _("Description match")), ("service", _("Service attitude")),
                 ("logistics", _("Logistics")))
        chart = {"x": [d.isoformat() for d in frame["date"]],
                 "series": [s for c, n in names for s in (
                     {"name": n, "data": [round(v, 2) for v in frame[c]]},
                     {"name": f"{n} · " + _("industry"), "data": [round(v, 2) for v in frame[f"{c}_industry"]],
                      "dashed": True})]}
        last = frame.iloc[-1]
        for c, n in names:
            score, ind = float(last[c]), float(last[f"{c}_industry"])
            rows.append({"name": n, "score": score, "industry": ind, "vs": (score - ind) / ind if ind else None})
    return render(request, "service/reviews/dsr.html", {
        "stores": stores, "store": store, "rows": rows, "chart": chart,
        "last_date": frame.iloc[-1]["date"] if frame is not None and not frame.empty else None})


@module_required(Module.SERVICE)
def reply_draft(request: HttpRequest, store_id: str, review_id: str) -> HttpResponse:
    from shopops.service.services_reviews import review_reply_draft

    review = selectors_reviews.review_get(store_id=store_id, review_id=review_id)
    if review is None:
        raise Http404
    templates = list(ReplyTemplate.objects.filter(scenario=TemplateScenario.REVIEW_REPLY, is_active=True))
    template_id = request.GET.get("template")
    error, draft, chosen = "", "", None
    try:
        draft, chosen = review_reply_draft(store_id=store_id, review_id=review_id,
                                           template_id=pk_param(template_id))
    except ShopopsError as exc:
        error = str(exc)
    labels = dict(_aspect_labels())
    review["aspect_labels"] = [(labels[a], a in review["negative_aspects"]) for a in review["aspects"]]
    review["product_title"] = selectors.product_title(store_id=store_id, product_id=review["product_id"])
    return render(request, "service/reviews/reply.html", {"review": review, "templates": templates, "draft": draft,
                                                          "chosen": chosen, "error": error})
