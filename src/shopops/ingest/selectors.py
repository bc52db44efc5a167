"""Reads of the ingest app: profiles (files and saved mappings), uploads, import jobs."""

from __future__ import annotations

import gzip
import logging
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db.models import F, QuerySet

from shopops.core.errors import ValidationError
from shopops.ingest.models import ApiKey, ImportJob, ImportReject, SavedProfile
from shopops.ingest.pipeline import file_sha256
from shopops.ingest.profiles import Profile, profile_detect, profile_from_toml, profile_score, profiles
from shopops.ingest.readers import OLE_MAGIC, ZIP_MAGIC, first_record, open_source, xlsx_sheets

log = logging.getLogger(__name__)

PREVIEW_ROWS = 20
ESTIMATE_SAMPLE_BYTES = 1 << 20


# --- profiles ------------------------------------------------------------------------

def saved_profile_list() -> QuerySet[SavedProfile]:
    return SavedProfile.objects.select_related("created_by").all()


def _saved_profile(saved: SavedProfile) -> Profile:
    try:
        return profile_from_toml(saved.toml, origin=f"saved mapping {saved.slug}")
    except ValueError as exc:  # e.g. a canonical column renamed since it was saved
        raise ValidationError(f"{exc}; fix or delete the saved mapping on the mapping page") from exc


def _saved_profiles() -> dict[str, Profile]:
    """The saved mappings that still parse (one that no longer does must not break every page)."""
    out = {}
    for saved in saved_profile_list():
        try:
            out[saved.slug] = _saved_profile(saved)
        except ValidationError as exc:
            log.warning("%s", exc)
    return out


def profile_all() -> dict[str, Profile]:
    """Every profile by id: the files in ``ingest/profiles/``, then the saved mappings.

    A file profile wins over a saved mapping of the same id (saving refuses such ids, but
    a file may be added later).
    """
    out = dict(profiles())
    for slug, profile in _saved_profiles().items():
        out.setdefault(slug, profile)
    return out


def profile_lookup(profile_id: str) -> Profile:
    """One profile by id, a file profile or a saved mapping."""
    if profile_id in profiles():
        return profiles()[profile_id]
    saved = SavedProfile.objects.filter(slug=profile_id).first()
    if saved is None:
        known = ", ".join(profile_all())
        raise ValidationError(f"unknown profile {profile_id!r}; known: {known}")
    return _saved_profile(saved)


def profile_detect_all(headers: list[str] | tuple[str, ...],
                       sample: dict[str, str] | None = None) -> tuple[Profile | None, float]:
    """``profiles.profile_detect`` over the file profiles, extended to saved mappings.

    Saved mappings are scored the same way (``profiles.profile_score``, among the
    profiles whose required columns are all present); a file profile wins a tie.
    """
    best, best_score = profile_detect(list(headers), sample)
    got = {h.strip() for h in headers}
    for slug, profile in _saved_profiles().items():
        if slug in profiles():
            continue
        required = {f.source for f in profile.fields if f.required}
        if not required <= got:
            continue
        score = profile_score(profile, got)
        if score > best_score:
            best, best_score = profile, score
    return best, best_score


# --- uploads -------------------------------------------------------------------------

def upload_root() -> Path:
    return Path(settings.VAR_DIR) / "uploads"


def upload_dir(*, user_id: int, batch: str) -> Path:
    """The folder of one upload batch of one user; refuses names that leave it."""
    if not batch or not batch.isalnum():
        raise ValidationError(f"not an upload batch: {batch!r}")
    return upload_root() / str(int(user_id)) / batch


def upload_file(*, user_id: int, batch: str, name: str) -> Path:
    """One uploaded file of a user's batch (never a path outside it)."""
    folder = upload_dir(user_id=user_id, batch=batch)
    path = folder / name
    if Path(name).name != name or name in ("", ".", "..") or not path.is_file():
        raise ValidationError(f"{name}: no such uploaded file (upload it again)")
    return path


def upload_batch_files(*, user_id: int, batch: str) -> list[Path]:
    """The batch's files that no import job has taken yet, by name."""
    folder = upload_dir(user_id=user_id, batch=batch)
    if not folder.is_dir():
        return []
    files = sorted(p for p in folder.iterdir() if p.is_file())
    taken = set(ImportJob.objects.filter(input_path__in=[str(p) for p in files]).values_list("input_path", flat=True))
    return [p for p in files if str(p) not in taken]


@dataclass(slots=True)
class UploadInfo:
    """What the upload page shows about one file before it is imported."""

    path: Path
    size: int
    description: str = ""  # e.g. "csv gb18030 delimiter ','" or "xlsx sheet '订单'"
    headers: tuple[str, ...] = ()
    profile: Profile | None = None  # detected from the headers
    confidence: float = 0.0  # share of columns in common with the detected profile
    sheet: str = ""  # workbooks: the sheet the detection used
    error: str = ""  # why the file cannot be imported (empty, encoding, password, corrupt…)
    sha256: str = ""
    imported_before: ImportJob | None = None  # a job that loaded the same bytes

    @property
    def name(self) -> str:
        return self.path.name


def upload_inspect(path: Path) -> UploadInfo:
    """Read a file's header (for a workbook: of each sheet) and detect its profile.

    Never raises for a bad file: the reason is in ``error``.
    """
    path = Path(path)
    info = UploadInfo(path=path, size=path.stat().st_size if path.exists() else 0)
    try:
        with open_source(path) as src:
            info.description, info.headers = src.description, src.headers
            sheets = xlsx_sheets(src.path) if src.kind == "xlsx" else [("", src.headers)]
            sample = first_record(src)
            for sheet, headers in sheets:
                profile, score = profile_detect_all(list(headers), sample if headers == src.headers else None)
                if profile is not None and score > info.confidence:
                    info.profile, info.confidence, info.sheet, info.headers = profile, score, sheet, headers
    except ValidationError as exc:
        info.error = str(exc)
        return info
    info.sha256 = file_sha256(path)
    info.imported_before = (
        ImportJob.objects.filter(sha256=info.sha256, status=ImportJob.Status.LOADED).order_by("-created_at").first()
    )
    return info


@dataclass(frozen=True, slots=True)
class FilePreview:
    headers: tuple[str, ...]
    rows: list[list[str]] = field(default_factory=list)
    description: str = ""


def file_preview(path: Path, *, rows: int = PREVIEW_ROWS) -> FilePreview:
    """The header and the first rows of a file, as strings (raises ValidationError)."""
    with open_source(Path(path)) as src:
        out: list[list[str]] = []
        for batch in src.batches():
            for record in batch.slice(0, rows - len(out)).to_pylist():
                out.append([record.get(h) or "" for h in src.headers])
            if len(out) >= rows:
                break
        return FilePreview(src.headers, out, src.description)


def file_rows_estimate(path: Path, profile: Profile) -> int | None:
    """How many data rows the file holds, estimated without reading it all; None when unknown.

    CSV (plain, gzip, zip): uncompressed size times the line rate of the first MiB (exact
    when the whole file fits in it). Workbooks: the dimension the sheet declares.
    """
    path = Path(path)
    header_rows = 0 if profile.options.get("header") is False else 1
    try:
        with path.open("rb") as fh:
            magic = fh.read(4)
        if magic == OLE_MAGIC:
            return None
        if magic == ZIP_MAGIC:
            with zipfile.ZipFile(path) as zf:
                if "[Content_Types].xml" in zf.namelist():
                    return _xlsx_rows_estimate(path, profile)
                members = [i for i in zf.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX")]
                if len(members) != 1 or members[0].filename.lower().endswith((".xlsx", ".xlsm", ".gz")):
                    return None
                with zf.open(members[0]) as inner:
                    sample = inner.read(ESTIMATE_SAMPLE_BYTES)
                total = members[0].file_size
        elif magic[:2] == b"\x1f\x8b":
            size = path.stat().st_size
            with path.open("rb") as fh:
                fh.seek(-4, 2)
                total = int.from_bytes(fh.read(4), "little")  # uncompressed size mod 2**32
            if total < size:
                return None  # more than 4 GiB uncompressed: the trailer wrapped
            with gzip.open(path) as gz:
                sample = gz.read(ESTIMATE_SAMPLE_BYTES)
        else:
            total = path.stat().st_size
            with path.open("rb") as fh:
                sample = fh.read(ESTIMATE_SAMPLE_BYTES)
    except (OSError, EOFError, zipfile.BadZipFile, ValueError):
        return None
    if not sample:
        return 0
    lines = sample.count(b"\n") + (0 if sample.endswith(b"\n") else 1)
    if len(sample) >= total:
        return max(lines - header_rows, 0)
    return max(round(total * lines / len(sample)) - header_rows, 0)


def _xlsx_rows_estimate(path: Path, profile: Profile) -> int | None:
    from shopops.ingest.readers import load_workbook_compact

    wanted = set(profile.headers)
    wb = load_workbook_compact(path)
    try:
        best, best_overlap = None, -1
        for ws in wb.worksheets:
            first = next(ws.iter_rows(max_row=1, values_only=True), None) or ()
            overlap = len(wanted & {str(v).strip() for v in first if v is not None})
            if overlap > best_overlap:
                best, best_overlap = ws, overlap
        if best is None or not best.max_row or best.max_row <= 1:
            return None
        return best.max_row - 1
    finally:
        wb.close()


# --- import jobs ---------------------------------------------------------------------

def import_job_list() -> QuerySet[ImportJob]:
    """Every import job, newest first, with who started it."""
    return ImportJob.objects.select_related("created_by").order_by("-created_at", "-id")


def import_job_get(job_id: int) -> ImportJob:
    """One job (raises ImportJob.DoesNotExist)."""
    return ImportJob.objects.select_related("created_by").get(pk=job_id)


def import_job_rejects(job: ImportJob) -> QuerySet[ImportReject]:
    """The job's kept rejects (the first 10,000), by file row."""
    return job.rejects.order_by("row", "id")


def import_jobs_active(jobs) -> bool:
    """Whether any of these jobs is queued or running (the page keeps polling while so)."""
    return any(job.is_active for job in jobs)


# --- API keys ------------------------------------------------------------------------

def api_key_list() -> QuerySet[ApiKey]:
    """Every API key, live ones first, newest first (their hashes only: raw keys are never kept)."""
    return ApiKey.objects.select_related("created_by").order_by(F("revoked_at").asc(nulls_first=True), "-created_at", "-id")
