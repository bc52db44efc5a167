"""The jobs page (jobs, next and last runs, failures, "run now") and the CLI hand-off endpoint."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from shopops.core.errors import ShopopsError
from shopops.core.roles import Module
from shopops.jobs import handoff, selectors, services
from shopops.jobs.capture import live_text
from shopops.jobs.host import worker_running
from shopops.jobs.models import JobRun

PERMISSION = f"team.use_{Module.JOBS.value}"
# CLI commands run in the request thread (reads); every other one is queued for the worker.
INLINE = frozenset({"kpi", "docs"})
ALLOWED = frozenset({"kpi", "docs", "report", "insights", "import", "demo", "setup-demo", "manage"})
MANAGE_ALLOWED = frozenset({"audience_daily", "promotions_flush"})


def _require(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION):
        raise PermissionDenied


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    _require(request)
    language = get_language() or "zh-hans"
    name = request.GET.get("job", "")
    runs = selectors.runs_recent(name=name, limit=100)
    rows = selectors.job_rows(language=language)
    titles = {row.job.name: row.title for row in rows}
    for run in runs:  # what the page shows: no server paths; the job by its title in the page's language
        run.public_output, run.public_error = selectors.public_text(run.output), selectors.public_text(run.error)
        run.title = titles.get(run.name, run.name)
    return render(request, "jobs/list.html", {
        "rows": rows, "runs": runs, "job_filter": name,
        "tasks": selectors.tasks_recent(language=language, limit=50),
        "zone": settings.TIME_ZONE,
    })


@login_required
@require_POST
def job_run_now(request: HttpRequest, name: str) -> HttpResponse:
    _require(request)
    try:
        run = services.job_run_now(name=name, requested_by=request.user.get_username())
    except ShopopsError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Queued: %(job)s (run #%(id)s). The worker runs it next.") % {
            "job": name, "id": run.pk})
    return redirect("jobs:list")


# --- the CLI hand-off (token-authenticated, loopback only; see handoff.py) -------------------

def _cli_allowed(request: HttpRequest) -> JsonResponse | None:
    proxied = "HTTP_X_FORWARDED_FOR" in request.META or "HTTP_FORWARDED" in request.META
    if request.META.get("REMOTE_ADDR") not in ("127.0.0.1", "::1") or proxied:
        return JsonResponse({"error": "loopback clients only"}, status=403)
    if not handoff.token_valid(request.headers.get(handoff.HEADER, "")):
        return JsonResponse({"error": "bad or missing token"}, status=403)
    return None


def _run_json(run: JobRun) -> JsonResponse:
    output, error = run.output, run.error
    if not run.is_done and (live := live_text(("run", run.pk))):  # printed so far, while it runs here
        output, error = live
    return JsonResponse({"id": run.pk, "status": run.status, "exit_code": run.exit_code, "output": output,
                         "error": error, "busy_with": "" if run.is_done else selectors.busy_with(before=run.pk)})


@csrf_exempt
@require_POST
def cli_submit(request: HttpRequest) -> JsonResponse:
    if refused := _cli_allowed(request):
        return refused
    try:
        argv = json.loads(request.body or b"{}").get("argv")
    except (ValueError, AttributeError):
        argv = None
    if not isinstance(argv, list) or not argv or not all(isinstance(a, str) for a in argv):
        return JsonResponse({"error": "expected {\"argv\": [\"command\", ...]}"}, status=400)
    if argv[0] not in ALLOWED or (argv[0] == "manage" and (len(argv) < 2 or argv[1] not in MANAGE_ALLOWED)):
        return JsonResponse({"error": f"the server does not run `shopops {' '.join(argv[:2])}`"}, status=400)
    # a server started with --no-worker on DuckDB still holds the warehouse: it runs the command itself
    run = services.cli_run_request(argv=argv, inline=argv[0] in INLINE or not worker_running())
    return _run_json(run)


@require_GET
def cli_status(request: HttpRequest, run_id: int) -> JsonResponse:
    if refused := _cli_allowed(request):
        return refused
    try:
        wait = min(max(float(request.GET.get("wait", "0")), 0.0), 30.0)
    except ValueError:
        wait = 0.0
    try:
        seen_out, seen_err = int(request.GET.get("out", "0")), int(request.GET.get("err", "0"))
    except ValueError:
        seen_out = seen_err = 0
    deadline = time.monotonic() + wait
    while True:
        run = selectors.run_get(run_id=run_id)
        if run is None or run.trigger != JobRun.Trigger.CLI:
            return JsonResponse({"error": f"no CLI run #{run_id}"}, status=404)
        if run.is_done or time.monotonic() >= deadline:
            return _run_json(run)
        live = live_text(("run", run.pk))
        if live and (len(live[0]), len(live[1])) != (seen_out, seen_err):  # new lines: hand them over now
            return _run_json(run)
        time.sleep(0.2)
