"""Reads of the reports app: the reports generated so far (folders under VAR_DIR/reports)."""

from __future__ import annotations

import re

from shopops.core.errors import ShopopsError
from shopops.reports.records import BODY, META, ReportRecord, reports_dir

_ID = re.compile(r"^[a-z]+-[0-9A-Za-z-]+$")


class ReportNotFound(ShopopsError):
    pass


def report_list(*, limit: int | None = None) -> list[ReportRecord]:
    """Newest first."""
    root = reports_dir()
    if not root.exists():
        return []
    records = []
    for meta in root.glob(f"*/{META}"):
        try:
            records.append(ReportRecord.load(meta.parent))
        except (OSError, ValueError, TypeError):  # a folder being written or edited by hand
            continue
    records.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return records[:limit] if limit else records


def report_get(*, report_id: str) -> ReportRecord:
    if not _ID.match(report_id) or not (reports_dir() / report_id / META).exists():
        raise ReportNotFound(f"no report {report_id!r}")
    return ReportRecord.load(reports_dir() / report_id)


def report_body(record: ReportRecord) -> str:
    path = record.directory / BODY
    return path.read_text(encoding="utf-8") if path.exists() else ""
