"""Writes of the reports app: generate a report's files.

A generated report is a folder ``settings.VAR_DIR / "reports" / <id>`` holding
``meta.json`` (what was asked, status, progress, files), ``body.html`` (the fragment the
app page shows) and the files asked for: ``<name>.html`` (standalone), ``.pdf``, ``.xlsx``.
Folders rather than app-DB rows: every web worker process and the CLI see the same
reports, and a report is one folder to mail, archive or delete.

    report_generate(kind="weekly", period="2025-W45", stores=("tmall",), on_progress=print)
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

from shopops.core.errors import ShopopsError, ValidationError
from shopops.core.periods import Period
from shopops.metrics.dimensions import store_list
from shopops.reports.builder import Report, ReportKind, period_label, report_build, report_period
from shopops.reports.records import BODY, META, ErrorKind, ReportRecord, Status, reports_dir
from shopops.reports.texts import normalize_language

FORMATS = ("html", "pdf", "xlsx")
ProgressCallback = Callable[[int, int, str], None]
__all__ = ["BODY", "FORMATS", "META", "ErrorKind", "GeneratedReport", "ReportRecord", "Status", "report_delete",
           "report_generate", "report_request", "report_retry", "reports_dir", "reports_interrupted_fail"]


@dataclass(frozen=True, slots=True)
class GeneratedReport:
    record: ReportRecord
    report: Report

    def path(self, fmt: str) -> Path | None:
        return self.record.path(fmt)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _formats(formats) -> list[str]:
    chosen = [f.strip().lower() for f in formats if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise ValidationError(f"unknown report format {', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}")
    return list(dict.fromkeys(chosen))


def report_request(
    *,
    kind: ReportKind | str,
    period: Period | str,
    stores: tuple[str, ...] | list[str] = (),
    language: str = "zh-hans",
    formats: tuple[str, ...] | list[str] = FORMATS,
    user: str = "",
    base_url: str = "",
) -> ReportRecord:
    """Validate what is asked and record it as queued (the web queues, a worker generates)."""
    try:
        kind = ReportKind(kind)
    except ValueError:
        raise ValidationError(f"unknown report kind {kind!r}; choose weekly or monthly") from None
    try:
        period = report_period(kind, period)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    if stores:
        known = {s.store_id for s in store_list()}
        unknown = [s for s in stores if s not in known]
        if unknown:
            raise ValidationError(f"unknown store {', '.join(unknown)}; known: {', '.join(sorted(known)) or '(none)'}")
    label = period_label(kind, period)
    record = ReportRecord(
        id=f"{kind.value}-{label}-{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{secrets.token_hex(3)}",
        kind=kind.value, period_label=label, period_start=period.start.isoformat(), period_end=period.end.isoformat(),
        stores=list(dict.fromkeys(stores)), language=normalize_language(language), formats=_formats(formats),
        created_at=_now(), user=user, base_url=base_url,
    )
    record.save()
    return record


def report_generate(
    *,
    kind: ReportKind | str | None = None,
    period: Period | str | None = None,
    stores: tuple[str, ...] | list[str] = (),
    language: str = "zh-hans",
    formats: tuple[str, ...] | list[str] = FORMATS,
    on_progress: ProgressCallback | None = None,
    record: ReportRecord | None = None,
) -> GeneratedReport:
    """Build a report and write its files; ``on_progress(done, total, step)`` after each step.

    Pass ``record`` (from :func:`report_request`) to generate a queued report; otherwise
    ``kind`` and ``period`` say what to build. A failure marks the record failed and re-raises.
    """
    if record is None:
        if kind is None or period is None:
            raise ValidationError("a report needs a kind (weekly, monthly) and a period")
        record = report_request(kind=kind, period=period, stores=stores, language=language, formats=formats)
    total = 7 + len(record.formats) + 1  # the builder's sections, each file, the app fragment
    record.status, record.total, record.done, record.error = Status.RUNNING, total, 0, ""
    record.save()

    def advance(step: str) -> None:
        record.done, record.step = min(record.done + 1, total), step
        record.save()
        if on_progress:
            on_progress(record.done, total, step)

    try:
        from shopops.reports.render_html import report_body_html, report_document_html

        report = report_build(
            kind=record.kind, period=Period(dt.date.fromisoformat(record.period_start),
                                            dt.date.fromisoformat(record.period_end)),
            stores=tuple(record.stores), language=record.language,
            on_progress=lambda _done, _total, step: advance(step), time_zone=settings.SHOPOPS_TIME_ZONE,
        )
        base = f"shopops-{record.kind}-{record.period_label}" + (f"-{'-'.join(record.stores)}" if record.stores else "")
        base += f"-{record.language}"
        body = report_body_html(report, base_url=record.base_url)
        (record.directory / BODY).write_text(body, encoding="utf-8")
        advance("body")
        document = report_document_html(report, body=body, base_url=record.base_url)
        for fmt in record.formats:
            path = record.directory / f"{base}.{fmt}"
            if fmt == "html":
                path.write_text(document, encoding="utf-8")
            elif fmt == "pdf":
                from shopops.reports.render_pdf import report_pdf

                report_pdf(document, path)
            else:
                from shopops.reports.render_xlsx import report_xlsx

                report_xlsx(report, path, base_url=record.base_url)
            record.files[fmt] = path.name
            advance(fmt)
    except Exception as exc:
        # the detail (may name server paths) is for the log and the administrator; the page shows
        # the message of a ShopopsError (written for the user) or a generic one
        record.status, record.error, record.finished_at = Status.FAILED, str(exc) or type(exc).__name__, _now()
        record.error_kind = ErrorKind.USER if isinstance(exc, ShopopsError) else ErrorKind.INTERNAL
        record.save()
        raise
    record.status, record.finished_at = Status.DONE, _now()
    record.save()
    return GeneratedReport(record, report)


def report_retry(*, record: ReportRecord, user: str = "") -> ReportRecord:
    """Queue a failed report again: the same kind, period, stores, language and formats, as a new report."""
    if record.status != Status.FAILED:
        raise ValidationError(gettext("Report %(id)s has not failed; only a failed report can be generated again.")
                              % {"id": record.id})
    retry = report_request(kind=record.kind, period=Period(dt.date.fromisoformat(record.period_start),
                                                           dt.date.fromisoformat(record.period_end)),
                           stores=tuple(record.stores), language=record.language, formats=tuple(record.formats),
                           user=user or record.user, base_url=record.base_url)
    retry.retry_of = record.id
    retry.save()
    return retry


def report_delete(*, report_id: str) -> None:
    from shopops.reports.selectors import report_get

    record = report_get(report_id=report_id)
    shutil.rmtree(record.directory)


def reports_interrupted_fail(*, started_before: dt.datetime, running_only: bool = False) -> int:
    """Mark reports a stopped process left queued or running (``running_only``: running) as failed;
    returns how many. The web passes ``running_only``: queued reports wait on the task queue."""
    from shopops.reports.selectors import report_list

    count = 0
    for record in report_list():
        active = record.status == Status.RUNNING if running_only else record.is_active
        if active and record.created_at and dt.datetime.fromisoformat(record.created_at) < started_before:
            record.status, record.error, record.finished_at = Status.FAILED, "interrupted (the server stopped)", _now()
            record.error_kind = ErrorKind.INTERRUPTED
            record.save()
            count += 1
    return count
