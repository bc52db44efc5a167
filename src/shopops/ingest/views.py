"""Import pages: upload and start, jobs with live progress, rejects downloads, generic mapping.

Views parse the request, call a service or selector, and render; imports run in the
background (``ingest/tasks.py``), the jobs page polls a partial while any job runs.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import get_language, gettext as _, ngettext
from django.views.decorators.http import require_POST

from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.roles import Module
from shopops.ingest.forms import (
    ImportFileForm,
    MappingForm,
    MappingUploadForm,
    UploadForm,
    target_choices,
    upload_refused,
)
from shopops.ingest.mapping import Reason, SALES_LINES, mapping_targets, suggest_mapping, suggest_target, target_fields
from shopops.ingest.models import ImportJob
from shopops.ingest.reasons import description_display, file_error_display, reason_display, warning_display
from shopops.ingest.selectors import (
    file_preview,
    import_job_get,
    import_job_list,
    import_job_rejects,
    import_jobs_active,
    profile_all,
    saved_profile_list,
    upload_batch_files,
    upload_file,
    upload_inspect,
)
from shopops.ingest.services import import_job_create, saved_profile_create, saved_profile_delete, upload_save
from shopops.ingest.tasks import import_job_enqueue, import_jobs_recover_once
from shopops.metrics.dimensions import store_list
from shopops.ui.exports import export_response
from shopops.ui.pages import module_required
from shopops.ui.tables import Column, DataTable, Row

JOBS_PER_PAGE = 50
REJECTS_SHOWN = 100
EXPORT_MAX_ROWS = 100_000


ingest_page = module_required(Module.INGEST)


def _language() -> str:
    return get_language() or "zh-hans"


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _stores() -> tuple[list, str]:
    """(stores, error): the warehouse may be locked by another process."""
    try:
        return store_list(), ""
    except ShopopsError as exc:
        return [], str(exc)


def _profile_names() -> dict[str, str]:
    language = _language()
    return {pid: profile.name(language) for pid, profile in profile_all().items()}


# --- exports (ui.exports writes them) ----------------------------------------------


def _export(table_id: str, title, columns, rows, filename: str, fmt: str = "xlsx") -> HttpResponse:
    """Rows of values in ``columns`` order ((key, header, unit) columns) as a download."""
    keys = [k for k, _h, _u in columns]
    table = DataTable(table_id, title, [Column(k, h, unit=u) for k, h, u in columns],
                      [Row(dict(zip(keys, r, strict=True))) for r in rows])
    return export_response(table, fmt, filename)


# --- upload, detect, start -------------------------------------------------------------

def _form_prefix(name: str) -> str:
    return "f" + hashlib.sha1(name.encode()).hexdigest()[:10]


def _file_form(request_data, name: str, *, initial: dict, profiles, stores) -> ImportFileForm:
    language = _language()
    profile_choices = [(pid, f"{p.name(language)} · {pid}") for pid, p in profiles.items()]
    store_choices = [(s.store_id, f"{s.name} · {s.store_id}") for s in stores]
    return ImportFileForm(request_data, prefix=_form_prefix(name), initial=initial,
                          profile_choices=profile_choices, store_choices=store_choices)


def _review(request: HttpRequest, batch: str, *, data=None, errors: dict[str, str] | None = None) -> dict:
    """Context of step 2: each uploaded file with its detected profile and the start form."""
    try:
        files = upload_batch_files(user_id=request.user.pk, batch=batch)
    except ValidationError:
        raise Http404("no such upload") from None
    stores, store_error = _stores()
    profiles = profile_all()
    items = []
    for path in files:
        info = upload_inspect(path)
        form = None
        if not info.error:
            initial = {
                "name": path.name,
                "include": info.profile is not None,
                "profile": info.profile.id if info.profile else "",
                "store": stores[0].store_id if len(stores) == 1 else "",
            }
            form = _file_form(data, path.name, initial=initial, profiles=profiles, stores=stores)
        items.append({
            "info": info,
            "form": form,
            "error": (errors or {}).get(path.name, ""),
            "file_error": file_error_display(info.error) if info.error else "",
            "description": description_display(info.description),
            "profile_name": info.profile.name(_language()) if info.profile else "",
            "confidence_pct": round(info.confidence * 100),
            "confidence_level": "high" if info.confidence >= 0.8 else "mid" if info.confidence >= 0.5 else "low",
            "mapping_url": reverse("ingest:mapping") + "?" + urlencode({"batch": batch, "file": path.name}),
        })
    return {
        "batch": batch,
        "items": items,
        "importable": any(item["form"] is not None for item in items),
        "store_error": store_error,
        "language": _language(),
    }


@ingest_page
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: choose files (several; drag and drop). Step 2 (``?batch=``): check and start."""
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if not upload_refused(request, form, "files") and form.is_valid():
            batch = upload_save(user=request.user, files=form.cleaned_data["files"])
            return redirect(reverse("ingest:upload") + "?" + urlencode({"batch": batch}))
        return render(request, "ingest/upload.html", {"upload_form": form, "tab": "upload"}, status=400)
    context = {"upload_form": UploadForm(), "tab": "upload"}
    if batch := request.GET.get("batch", ""):
        context.update(_review(request, batch))
    return render(request, "ingest/upload.html", context)


@ingest_page
@require_POST
def upload_start(request: HttpRequest) -> HttpResponse:
    """Start one import job per ticked file; the files that cannot start stay with their reason."""
    batch = request.POST.get("batch", "")
    try:
        files = upload_batch_files(user_id=request.user.pk, batch=batch)
    except ValidationError:
        raise Http404("no such upload") from None
    stores, _store_error = _stores()
    profiles = profile_all()
    started: list[ImportJob] = []
    errors: dict[str, str] = {}
    for path in files:
        form = _file_form(request.POST, path.name, initial={}, profiles=profiles, stores=stores)
        if not form.is_valid():
            if form.data.get(form.add_prefix("name")) is None:
                continue  # a bad file (no form on the page)
            errors[path.name] = " ".join(str(e) for errs in form.errors.values() for e in errs)
            continue
        data = form.cleaned_data
        if not data["include"]:
            continue
        try:
            job = import_job_create(path=path, profile_id=data["profile"], store_id=data["store"] or None,
                                    strict=data["strict"], source=ImportJob.Source.WEB, user=request.user)
        except ShopopsError as exc:
            errors[path.name] = str(exc)
            continue
        import_job_enqueue(job)
        started.append(job)
    if started:
        messages.success(request, ngettext("%(n)d import started.", "%(n)d imports started.", len(started)) % {"n": len(started)})
    if not errors:
        if not started:
            messages.warning(request, _("No file was ticked for import."))
            return redirect(reverse("ingest:upload") + "?" + urlencode({"batch": batch}))
        return redirect("ingest:jobs")
    context = {"upload_form": UploadForm(), "tab": "upload"}
    context.update(_review(request, batch, data=request.POST, errors=errors))
    return render(request, "ingest/upload.html", context, status=400)


# --- jobs ----------------------------------------------------------------------------

@ingest_page
def jobs(request: HttpRequest) -> HttpResponse:
    import_jobs_recover_once()
    page = Paginator(import_job_list(), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    names = _profile_names()
    jobs_shown = list(page.object_list)
    context = {
        "page": page,
        "rows": [{"job": job, "profile_name": names.get(job.profile, job.profile)} for job in jobs_shown],
        "polling": import_jobs_active(jobs_shown),
        "tab": "jobs",
    }
    template = "ingest/_jobs_table.html" if _is_htmx(request) else "ingest/jobs.html"
    return render(request, template, context)


@ingest_page
def jobs_export(request: HttpRequest) -> HttpResponse:
    names = _profile_names()
    columns = [("id", _("#"), "count"), ("started", _("Started"), "datetime"), ("by", _("By"), ""),
               ("source", _("Source"), ""), ("file", _("File"), ""), ("profile", _("Profile"), ""),
               ("profile_id", _("Profile ID"), ""), ("store", _("Store"), ""), ("read", _("Rows read"), "count"),
               ("inserted", _("Inserted"), "count"), ("updated", _("Updated"), "count"),
               ("rejected", _("Rejected"), "count"), ("seconds", _("Duration (s)"), "ratio"),
               ("status", _("Status"), ""), ("error", _("Error"), "")]
    rows = (
        [job.pk, job.created_at, job.created_by.username if job.created_by else "", job.get_source_display(),
         job.file_name, names.get(job.profile, job.profile), job.profile, job.store_id, job.rows_read,
         job.rows_inserted, job.rows_updated, job.rows_rejected, round(job.seconds, 2), job.get_status_display(),
         job.error]
        for job in import_job_list()[:EXPORT_MAX_ROWS]
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return _export("jobs", _("Import jobs"), columns, rows, f"import-jobs-{stamp}")


def _job_or_404(job_id: int) -> ImportJob:
    try:
        return import_job_get(job_id)
    except ImportJob.DoesNotExist:
        raise Http404(f"no import job {job_id}") from None


@ingest_page
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_or_404(job_id)
    rejects = list(import_job_rejects(job)[:REJECTS_SHOWN])
    warnings = [warning_display(w) for w in job.warnings or ()]
    for reject in rejects:
        reject.reason_text = reason_display(reject.reason)
    context = {
        "job": job,
        "job_error": file_error_display(job.error),
        "rejects": rejects,
        "warnings": warnings,
        "rejects_kept": import_job_rejects(job).count() if rejects else 0,
        "profile_name": _profile_names().get(job.profile, ""),
        "polling": job.is_active,
        "tab": "jobs",
    }
    template = "ingest/_job_detail.html" if _is_htmx(request) else "ingest/job_detail.html"
    return render(request, template, context)


def _rejects_export(job: ImportJob, fmt: str) -> HttpResponse:
    """The rejected rows with the file and the profile on every row (a download read apart from the
    page, or several pasted together, still says where each row came from); reasons in the reader's
    language, as on the page."""
    columns = [("file", _("File"), ""), ("profile", _("Profile"), ""), ("row", _("Row"), "count"),
               ("column", _("Column"), ""), ("value", _("Value"), ""), ("reason", _("Reason"), "")]
    profile = job.profile
    rows = ([job.file_name, profile, r.row, r.column, r.value, reason_display(r.reason)]
            for r in import_job_rejects(job).iterator())
    stem = re.sub(r"(\.(csv|gz|zip|xlsx|xlsm|txt))+$", "", job.file_name, flags=re.IGNORECASE) or "import"
    return _export("rejects", _("Rejected rows"), columns, rows, f"{stem}-{profile}-rejects-job{job.pk}", fmt)


@ingest_page
def job_rejects_csv(request: HttpRequest, job_id: int) -> HttpResponse:
    return _rejects_export(_job_or_404(job_id), "csv")


@ingest_page
def job_rejects_xlsx(request: HttpRequest, job_id: int) -> HttpResponse:
    return _rejects_export(_job_or_404(job_id), "xlsx")


# --- generic mapping -----------------------------------------------------------------

def _reason_text(reason: Reason, detail: str) -> str:
    if reason is Reason.NAME:
        return _("same name as the field")
    if reason is Reason.PROFILE:
        return _("profile %(id)s maps this header") % {"id": detail}
    if reason is Reason.SYNONYM:
        return _("known header “%(word)s”") % {"word": detail}
    if reason is Reason.SIMILAR:
        return _("similar to “%(word)s”") % {"word": detail}
    return _("no match: ignored")


def _initial_slug(file_name: str) -> str:
    stem = re.sub(r"(\.(csv|gz|zip|xlsx|xlsm|txt))+$", "", file_name, flags=re.IGNORECASE)
    slug = slugify(stem).replace("-", "_")
    if not slug or not slug[0].isalpha():
        slug = f"mapping_{slug}".rstrip("_")
    return slug[:100]


def _mapping_context(request: HttpRequest, *, batch: str, name: str, target: str | None, data=None) -> dict:
    """The preview, the suggestions for the target and the mapping form (bound to ``data`` when posted)."""
    try:
        path = upload_file(user_id=request.user.pk, batch=batch, name=name)
    except ValidationError:
        raise Http404("no such upload") from None
    context: dict = {"batch": batch, "file_name": name}
    try:
        preview = file_preview(path)
    except ValidationError as exc:
        context["file_error"] = file_error_display(str(exc))
        return context
    profiles = list(profile_all().values())
    if target not in mapping_targets():
        target = suggest_target(preview.headers, profiles)
    suggestions = suggest_mapping(preview.headers, target=target, profiles=profiles)
    initial = {"name": re.sub(r"(\.(csv|gz|zip|xlsx|xlsm|txt))+$", "", name, flags=re.IGNORECASE),
               "slug": _initial_slug(name), "target": target}
    for i, s in enumerate(suggestions):
        initial.update({f"c{i}_to": s.mapping.to, f"c{i}_type": s.mapping.type.value,
                        f"c{i}_required": s.mapping.required, f"c{i}_round": s.mapping.round})
    fields = target_fields(target)
    form = MappingForm(data, initial=initial, headers=preview.headers, fields=fields)
    samples = [[row[i] for row in preview.rows if row[i]][:3] for i in range(len(preview.headers))]
    context.update(
        preview=preview,
        preview_description=description_display(preview.description),
        target=target,
        target_choices=target_choices(),
        is_sales_lines=target == SALES_LINES,
        form=form,
        required_fields=[f.name for f in fields if f.required],
        field_types={f.name: {"type": f.type.value, "required": f.required} for f in fields},
        columns=[
            {"bound": bound, "suggestion": s, "samples": samples[i], "confidence_pct": round(s.confidence * 100),
             "reason": _reason_text(s.reason, s.detail)}
            for i, (bound, s) in enumerate(zip(form.rows(), suggestions, strict=True))
        ],
    )
    return context


@ingest_page
def mapping(request: HttpRequest) -> HttpResponse:
    """Upload a sample file, see its first rows and the suggested mapping, adjust and save it."""
    if request.method == "POST":
        upload_form = MappingUploadForm(request.POST, request.FILES)
        if not upload_refused(request, upload_form, "file") and upload_form.is_valid():
            file = upload_form.cleaned_data["file"]
            batch = upload_save(user=request.user, files=[file])
            name = upload_batch_files(user_id=request.user.pk, batch=batch)[0].name
            return redirect(reverse("ingest:mapping") + "?" + urlencode({"batch": batch, "file": name}))
        context = {"upload_form": upload_form, "saved": saved_profile_list(), "tab": "mapping"}
        return render(request, "ingest/mapping.html", context, status=400)
    context = {"upload_form": MappingUploadForm(), "saved": saved_profile_list(), "tab": "mapping"}
    batch, name = request.GET.get("batch", ""), request.GET.get("file", "")
    if batch and name:
        context.update(_mapping_context(request, batch=batch, name=name, target=request.GET.get("target")))
    return render(request, "ingest/mapping.html", context)


@ingest_page
@require_POST
def mapping_save(request: HttpRequest) -> HttpResponse:
    batch, name = request.POST.get("batch", ""), request.POST.get("file", "")
    target = request.POST.get("target", "")
    context = {"upload_form": MappingUploadForm(), "saved": saved_profile_list(), "tab": "mapping"}
    context.update(_mapping_context(request, batch=batch, name=name, target=target, data=request.POST))
    form = context.get("form")
    if form is not None and form.is_valid():
        try:
            saved = saved_profile_create(
                name=form.cleaned_data["name"], slug=form.cleaned_data["slug"], target=form.cleaned_data["target"],
                columns=form.columns(), options=form.options(), user=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Mapping “%(name)s” saved as profile %(id)s: the file below is ready to import with it.")
                             % {"name": saved.name, "id": saved.slug})
            return redirect(reverse("ingest:upload") + "?" + urlencode({"batch": batch}))
    return render(request, "ingest/mapping.html", context, status=400)


@ingest_page
def saved_profile_toml(request: HttpRequest, slug: str) -> HttpResponse:
    saved = saved_profile_list().filter(slug=slug).first()
    if saved is None:
        raise Http404(f"no saved mapping {slug}")
    return HttpResponse(saved.toml, content_type="application/toml; charset=utf-8",
                        headers={"Content-Disposition": content_disposition_header(True, f"{saved.slug}.toml")})


@ingest_page
@require_POST
def saved_profile_remove(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        saved_profile_delete(slug=slug)
    except ValidationError:
        raise Http404(f"no saved mapping {slug}") from None
    messages.success(request, _("Mapping %(id)s deleted.") % {"id": slug})
    return redirect("ingest:mapping")


@ingest_page
def saved_profiles_export(request: HttpRequest) -> HttpResponse:
    columns = [("name", _("Name"), ""), ("id", _("ID"), ""), ("target", _("Target"), ""),
               ("by", _("Created by"), ""), ("created", _("Created"), "datetime")]
    rows = ([s.name, s.slug, s.table, s.created_by.username if s.created_by else "", s.created_at]
            for s in saved_profile_list())
    return _export("mappings", _("Saved mappings"), columns, rows, "saved-mappings")
