"""Where a generated report lives: its folder under ``settings.VAR_DIR / "reports"`` and the
``meta.json`` record in it (written by ``reports.services``, read by ``reports.selectors``)."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

META = "meta.json"
BODY = "body.html"


class ErrorKind:
    """Why a report failed, as the page may tell it: the user's message, a server stop, or an internal error."""

    USER = "user"
    INTERRUPTED = "interrupted"
    INTERNAL = "internal"


class Status:
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def reports_dir() -> Path:
    return Path(settings.VAR_DIR) / "reports"


@dataclass(slots=True)
class ReportRecord:
    """What ``meta.json`` holds about one generated (or generating) report."""

    id: str
    kind: str
    period_label: str
    period_start: str
    period_end: str
    stores: list[str]
    language: str
    formats: list[str]
    status: str = Status.QUEUED
    done: int = 0
    total: int = 1
    step: str = ""
    error: str = ""
    created_at: str = ""
    finished_at: str = ""
    files: dict[str, str] = field(default_factory=dict)
    user: str = ""
    error_kind: str = ""
    retry_of: str = ""  # the failed report this one retries
    base_url: str = ""  # the site's address when asked for on the web (the footer links to its KPI catalog page)

    @property
    def created(self) -> dt.datetime | None:
        """``created_at`` as an aware instant (templates show it in the store's time zone)."""
        return dt.datetime.fromisoformat(self.created_at) if self.created_at else None

    @property
    def error_public(self) -> str:
        """The failure as the page may show it: a user-facing message, or '' (the page says it generically)."""
        return self.error if self.error_kind == ErrorKind.USER else ""

    @property
    def directory(self) -> Path:
        return reports_dir() / self.id

    @property
    def progress(self) -> int:
        """0–100."""
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (Status.QUEUED, Status.RUNNING)

    def path(self, fmt: str) -> Path | None:
        name = self.files.get(fmt)
        return self.directory / name if name else None

    def save(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".{META}.{os.getpid()}.tmp"
        data = {k: getattr(self, k) for k in self.__slots__}
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, self.directory / META)  # readers never see half a file

    @classmethod
    def load(cls, directory: Path) -> ReportRecord:
        data = json.loads((directory / META).read_text(encoding="utf-8"))
        return cls(**{k: v for k, v in data.items() if k in cls.__slots__})
