"""Writes of the ingest app: uploads, import jobs, saved mappings, and the store's own site."""

from __future__ import annotations

import functools
import itertools
import logging
import os
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
import pyarrow as pa

from shopops.core.errors import ShopopsError, ValidationError
from shopops.ingest import collector
from shopops.ingest.mapping import ColumnMapping, mapping_problems, mapping_toml
from shopops.ingest.models import ApiKey, ApiRateWindow, ImportJob, ImportReject, SavedProfile
from shopops.ingest.pipeline import file_sha256, import_file
from shopops.ingest.profiles import VIRTUAL_TABLES, Profile, profile_from_toml, profiles
from shopops.ingest.readers import open_source
from shopops.ingest.selectors import (
    file_rows_estimate,
    profile_detect_all,
    profile_lookup,
    upload_dir,
    upload_root,
)
from shopops.metrics.dimensions import store_list
from shopops.warehouse.connection import connect
from shopops.warehouse.loader import LoadResult, load
from shopops.warehouse.loader import transaction as warehouse_transaction
from shopops.warehouse.schema import TABLES

log = logging.getLogger(__name__)
PROGRESS_INTERVAL_SECONDS = 0.5  # a running job's row is updated at most this often
UPLOAD_CHUNK_BYTES = 1 << 20
UPLOADS_KEPT_HOURS = 24  # uploads never imported are deleted after this


def _archive(path: Path, sha256: str) -> Path:
    """Keep the raw file by its hash while it is imported, and SHOPOPS_ARCHIVE_DAYS after."""
    target = Path(settings.SHOPOPS_ARCHIVE_DIR) / sha256[:2] / sha256 / path.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    os.utime(target.parent)  # the retention counts from the latest import of these bytes
    return target


def archive_prune(*, older_than_days: float | None = None) -> int:
    """Delete archived raw files older than the retention (``SHOPOPS_ARCHIVE_DAYS``, default 7).

    Raw exports hold what the warehouse never keeps (buyer names, addresses, phones), so
    they are kept only long enough to re-run or investigate a recent import. Files of queued
    or running jobs stay; the jobs of a deleted file forget its path. Returns how many went.
    """
    root = Path(settings.SHOPOPS_ARCHIVE_DIR)
    if not root.is_dir():
        return 0
    days = settings.SHOPOPS_ARCHIVE_DAYS if older_than_days is None else older_than_days
    cutoff = time.time() - days * 86400
    active = set(
        ImportJob.objects.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        .exclude(archive_path="").values_list("archive_path", flat=True)
    )
    removed = 0
    for folder in (f for part in root.iterdir() if part.is_dir() for f in part.iterdir() if f.is_dir()):
        inside = str(folder) + os.sep
        if folder.stat().st_mtime > cutoff or any(a.startswith(inside) for a in active):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        ImportJob.objects.filter(archive_path__startswith=inside).update(archive_path="")
        removed += 1
    return removed


def _store_time_zone(store_id: str | None, con) -> str:
    for store in store_list(con):
        if store.store_id == store_id:
            return store.time_zone
    return settings.SHOPOPS_TIME_ZONE


# --- uploads -------------------------------------------------------------------------

def upload_save(*, user, files: Iterable) -> str:
    """Save uploaded files (Django ``UploadedFile``s) as a new batch of this user; returns its id.

    Files keep their names (without any folder part); uploads older than a day that no
    job took are deleted first.
    """
    upload_prune()
    batch = uuid.uuid4().hex
    folder = upload_dir(user_id=user.pk, batch=batch)
    folder.mkdir(parents=True, exist_ok=True)
    for uploaded in files:
        name = Path(uploaded.name.replace("\\", "/")).name.strip()
        if name in ("", ".", ".."):
            name = "upload"
        stem, dot, suffix = name.partition(".")
        for n in itertools.count(2):
            if not (folder / name).exists():
                break
            name = f"{stem} ({n}){dot}{suffix}"  # two files of the same name in one upload
        with (folder / name).open("wb") as out:
            for chunk in uploaded.chunks(UPLOAD_CHUNK_BYTES):
                out.write(chunk)
    return batch


def upload_prune(*, older_than_hours: float = UPLOADS_KEPT_HOURS) -> int:
    """Delete upload batches older than that which no queued or running job still needs."""
    root = upload_root()
    if not root.is_dir():
        return 0
    cutoff = time.time() - older_than_hours * 3600
    waiting = set(
        ImportJob.objects.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
        .exclude(input_path="").values_list("input_path", flat=True)
    )
    removed = 0
    for batch in (b for user_dir in root.iterdir() if user_dir.is_dir() for b in user_dir.iterdir() if b.is_dir()):
        if batch.stat().st_mtime < cutoff and not any(w.startswith(str(batch) + "/") for w in waiting):
            shutil.rmtree(batch, ignore_errors=True)
            removed += 1
    return removed


# --- import jobs ---------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ImportProgress:
    """What a running import has done: rows so far, of about ``rows_estimate`` (None: unknown)."""

    rows_read: int
    rows_estimate: int | None
    percent: int


def _needs_store(profile: Profile) -> bool:
    has_store = profile.table in VIRTUAL_TABLES or "store_id" in TABLES[profile.table].column_names
    return has_store and "store_id" not in [f.to for f in profile.fields]


def _check_file_fits(path: Path, profile: Profile) -> None:
    """The file opens and has the profile's required columns; else say which profile it looks like."""
    names = tuple(profile.headers) if profile.options.get("header") is False else None
    with open_source(path, expected=set(profile.headers), names=names) as src:
        missing = [f.source for f in profile.fields if f.required and f.source not in src.headers]
        if not missing:
            return
        like, score = profile_detect_all(list(src.headers))
    if like is not None and like.id != profile.id:
        hint = f"it looks like profile {like.id} ({like.name_en}, {score:.0%} of the columns match)"
    else:
        hint = "no known profile matches its columns; map them once on the mapping page (/import/mapping/)"
    raise ValidationError(
        f"{path.name}: required column(s) missing for profile {profile.id}: {', '.join(missing)}; {hint}"
    )


def import_job_create(
    *,
    path: Path,
    profile_id: str,
    store_id: str | None = None,
    strict: bool = False,
    source: str = ImportJob.Source.CLI,
    user=None,
) -> ImportJob:
    """Check that the file can be imported with this profile and store, and queue a job for it.

    Fails fast (ValidationError / ShopopsError, no job) on: an unknown profile or store, a
    store missing for a profile that needs one, a file that cannot be read (empty, not
    UTF-8/GBK, password-protected workbook, corrupt), or one without the profile's
    required columns (the message names the profile the file looks like instead).
    """
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"{path}: no such file")
    profile = profile_lookup(profile_id)
    store_id = store_id or None
    if store_id is None and _needs_store(profile):
        raise ValidationError(_("%(file)s: profile %(profile)s loads %(table)s, which belongs to a store; choose the store")
                              % {"file": path.name, "profile": profile.id, "table": profile.table})
    if store_id is not None and profile.table != "stores":
        if store_id not in {s.store_id for s in store_list(connect())}:
            raise ShopopsError(f"unknown store {store_id!r}: import the stores file first or create the store")
    _check_file_fits(path, profile)
    return ImportJob.objects.create(
        created_by=user if user is not None and user.is_authenticated else None,
        source=source,
        file_name=path.name,
        sha256=file_sha256(path),
        input_path=str(path),
        profile=profile.id,
        table=profile.table,
        store_id=store_id or "",
        strict=strict,
        status=ImportJob.Status.QUEUED,
        bytes_total=path.stat().st_size,
        rows_estimate=file_rows_estimate(path, profile),
    )


class _ProgressRecorder:
    """The pipeline's ``on_progress(rows_read, total_bytes)``: writes the job's row at most
    every PROGRESS_INTERVAL_SECONDS and passes an ImportProgress on."""

    def __init__(self, job: ImportJob, forward: Callable[[ImportProgress], None] | None) -> None:
        self.job, self.forward, self.last = job, forward, float("-inf")

    def __call__(self, rows_read: int, _total_bytes: int) -> None:
        estimate = self.job.rows_estimate
        # reading is not the end (the load follows): a running job stays below 100 %
        percent = min(99, rows_read * 100 // estimate) if estimate else 0
        now = time.monotonic()
        if now - self.last >= PROGRESS_INTERVAL_SECONDS:
            ImportJob.objects.filter(pk=self.job.pk).update(rows_read=rows_read, progress=percent)
            self.last = now
        if self.forward is not None:
            self.forward(ImportProgress(rows_read, estimate, percent))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _storable(text: str) -> str:
    """Control characters of a bad file made visible (``\\x00``): PostgreSQL text cannot hold NUL,
    and a reader should see what was there."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def _job_failed(job: ImportJob, message: str) -> None:
    message = _storable(message)
    job.status, job.error, job.finished_at = ImportJob.Status.FAILED, message, timezone.now()
    job.save(update_fields=["status", "error", "finished_at", "archive_path"])
    archive_prune()


@functools.cache
def _warn_pii_key_file() -> None:
    """Said once per process, not once per imported file."""
    log.warning("SHOPOPS_PII_KEY is not set: phones are hashed with the key file under var/ "
                "(fine for a trial; set it in production, see docs/security.md)")


def import_job_run(
    *,
    job: ImportJob | None = None,
    path: Path | None = None,
    profile_id: str | None = None,
    store_id: str | None = None,
    strict: bool = False,
    source: str = ImportJob.Source.CLI,
    user=None,
    archive: bool = True,
    on_progress: Callable[[ImportProgress], None] | None = None,
) -> ImportJob:
    """Run an import job: archive the raw file with its hash, import it, record the outcome.

    Either ``job`` (queued by ``import_job_create``, e.g. a web upload run by the
    background worker) or ``path`` + ``profile_id`` (+ store, strict…: the command line
    and the demo, which create the job here). While it runs the job's ``rows_read`` and
    ``progress`` are updated about twice a second; ``on_progress`` also gets each step.
    A failure is recorded on the job (status ``failed`` and the message) and raised.
    """
    if job is None:
        if path is None or profile_id is None:
            raise TypeError("import_job_run needs job=, or path= and profile_id=")
        job = import_job_create(path=path, profile_id=profile_id, store_id=store_id, strict=strict,
                                source=source, user=user)
    given = Path(job.input_path)
    job.status, job.started_at, job.progress = ImportJob.Status.RUNNING, timezone.now(), 0
    job.save(update_fields=["status", "started_at", "progress"])
    try:
        profile = profile_lookup(job.profile)
        run_path = given
        if archive:
            run_path = _archive(given, job.sha256)
            job.archive_path = str(run_path)
        if not settings.SHOPOPS_PII_KEY_FROM_ENV and any(f.type.value == "phone" for f in profile.fields):
            _warn_pii_key_file()
        con = connect()
        outcome = import_file(
            run_path,
            profile=profile,
            con=con,
            store_id=job.store_id or None,
            tz=_store_time_zone(job.store_id or None, con),
            strict=job.strict,
            pii_key=settings.SHOPOPS_PII_KEY,
            on_progress=_ProgressRecorder(job, on_progress),
        )
    except ShopopsError as exc:
        _job_failed(job, str(exc))
        raise
    except Exception as exc:  # a bug or a lost connection: the job must not stay "running"
        _job_failed(job, f"internal error ({type(exc).__name__}: {exc}); the file is kept: {job.archive_path or given}")
        raise
    with transaction.atomic():
        job.rows_read = outcome.rows_read
        job.rows_inserted = outcome.inserted
        job.rows_updated = outcome.updated
        job.rows_rejected = outcome.rows_rejected
        job.seconds = outcome.seconds
        job.warnings = [_storable(w)[:2000] for w in outcome.warnings]
        job.status = ImportJob.Status.LOADED if outcome.loaded else ImportJob.Status.REJECTED
        job.progress = 100
        job.finished_at = timezone.now()
        job.save()
        ImportReject.objects.bulk_create(
            ImportReject(job=job, row=r.row, column=_storable(r.column)[:200], value=_storable(r.value)[:2000],
                         reason=r.reason[:500])
            for r in outcome.rejects
        )
    if archive and given.is_relative_to(upload_root()):
        given.unlink(missing_ok=True)  # the archive keeps the raw file
    archive_prune()
    job.refresh_from_db(fields=["archive_path"])
    job.unchanged_file = outcome.unchanged_file  # not stored: for the caller's message
    return job


def import_jobs_interrupted_fail(*, created_before, statuses=(ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)) -> int:
    """Mark failed the web jobs a stopped server left in ``statuses`` (their worker is gone). The web
    passes RUNNING only: queued jobs wait on the task queue, which survives a restart."""
    return ImportJob.objects.filter(
        source=ImportJob.Source.WEB,
        status__in=list(statuses),
        created_at__lt=created_before,
    ).update(
        status=ImportJob.Status.FAILED,
        finished_at=timezone.now(),
        error="interrupted: the server stopped before this import finished; start it again from the upload page",
    )


# --- saved mappings ------------------------------------------------------------------

def saved_profile_create(
    *,
    name: str,
    slug: str,
    target: str,
    columns: Sequence[ColumnMapping],
    options: dict | None = None,
    user=None,
) -> SavedProfile:
    """Save a generic mapping as a profile usable wherever file profiles are."""
    name, slug = name.strip(), slug.strip()
    if not name:
        raise ValidationError("a mapping needs a name")
    if not slug or not all(c.isascii() and (c.isalnum() or c == "_") for c in slug) or not slug[0].isalpha():
        raise ValidationError(f"{slug!r}: an id is letters, digits and _, starting with a letter (e.g. online_retail)")
    slug = slug.lower()
    if slug in profiles() or SavedProfile.objects.filter(slug=slug).exists():
        raise ValidationError(f"a profile with the id {slug} exists already; choose another id")
    problems = mapping_problems(target, columns, options)
    if problems:
        raise ValidationError("; ".join(p.message() for p in problems))
    text = mapping_toml(profile_id=slug, name=name, target=target, columns=columns, options=options)
    try:
        profile_from_toml(text, origin=f"saved mapping {slug}")
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc
    return SavedProfile.objects.create(
        slug=slug, name=name, table=target, toml=text,
        created_by=user if user is not None and user.is_authenticated else None,
    )


def saved_profile_delete(*, slug: str) -> None:
    """Delete a saved mapping (jobs that used it keep its id in their record)."""
    deleted, _rows = SavedProfile.objects.filter(slug=slug).delete()
    if not deleted:
        raise ValidationError(f"no saved mapping {slug!r}")


# --- the store's own site: keys, events, orders, refunds ------------------------------

def _key_hash(raw: str) -> str:
    import hashlib

    return hashlib.sha256(raw.encode()).hexdigest()


def api_key_create(*, store_id: str, kind: str, name: str, user=None, rate_per_minute: int = 600) -> tuple[ApiKey, str]:
    """A new key; the raw key is returned once and only its hash is kept."""
    import secrets

    if store_id not in {s.store_id for s in store_list()}:
        raise ShopopsError(f"unknown store {store_id!r}")
    prefix = ("pk_" if kind == ApiKey.Kind.COLLECT else "sk_") + secrets.token_hex(4)
    raw = f"{prefix}.{secrets.token_urlsafe(24)}"
    key = ApiKey.objects.create(
        name=name, store_id=store_id, kind=kind, prefix=prefix, key_hash=_key_hash(raw),
        rate_per_minute=rate_per_minute, created_by=user if user is not None and user.is_authenticated else None,
    )
    return key, raw


def api_key_check(raw: str | None, *, kind: str) -> ApiKey | None:
    """The live key of that kind for a raw key, or None."""
    import hmac

    if not raw or "." not in raw:
        return None
    key = ApiKey.objects.filter(prefix=raw.split(".", 1)[0], kind=kind, revoked_at__isnull=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _key_hash(raw)):
        return None
    return key


def api_key_revoke(*, prefix: str, now=None) -> ApiKey:
    """Revoke a key (it stops working at once); revoking twice keeps the first time."""
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None:
        raise ValidationError(f"no API key {prefix!r}")
    if key.revoked_at is None:
        key.revoked_at = now or timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def api_key_throttle(*, key: ApiKey, now: float | None = None) -> bool:
    """Count one request of this key; False when it is over ``rate_per_minute`` this minute.

    The count lives in the app database, so every worker process (and machine) shares it:
    a fixed one-minute window per key, counted with one atomic UPDATE.
    """
    minute = int((time.time() if now is None else now) // 60)
    rows = ApiRateWindow.objects.filter(prefix=key.prefix, minute=minute)
    with transaction.atomic():
        if not rows.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    ApiRateWindow.objects.create(prefix=key.prefix, minute=minute, count=1)
            except IntegrityError:  # another worker started this minute first
                rows.update(count=F("count") + 1)
            ApiRateWindow.objects.filter(minute__lt=minute - 1).delete()
        count = rows.values_list("count", flat=True).first() or 0
    return count <= key.rate_per_minute


def events_collect(*, key: ApiKey, batch: collector.EventBatchIn) -> LoadResult:
    con = connect()
    table = collector.events_table(batch, store_id=key.store_id, time_zone=_store_time_zone(key.store_id, con))
    return load(con, "events", table)


def orders_upsert(*, key: ApiKey, batch: collector.OrderBatchIn) -> dict[str, LoadResult]:
    con = connect()
    orders, lines = collector.orders_tables(batch, store_id=key.store_id, time_zone=_store_time_zone(key.store_id, con))
    with warehouse_transaction(con):
        return {"orders": load(con, "orders", orders), "order_lines": load(con, "order_lines", lines)}


def refunds_upsert(*, key: ApiKey, batch: collector.RefundBatchIn) -> LoadResult:
    con = connect()
    table = collector.refunds_table(batch, store_id=key.store_id, time_zone=_store_time_zone(key.store_id, con))
    return load(con, "refunds", table)


def store_runs_no_ads_set(*, store_id: str, runs_no_ads: bool, user=None, con=None) -> bool:
    """Declare that a store runs no paid ads (不投放付费广告: its missing ad reports mean ¥0 spend, not unknown)
    or withdraw it: the store's row of the warehouse ``stores`` table (where its name, currency and time zone
    are), written as an import writes it (the data version moves, so every cached figure is read again).
    Returns whether anything changed; raises on a store the warehouse does not know."""
    con = con or connect()
    known = {s.store_id: s for s in store_list(con)}
    if store_id not in known:
        raise ValidationError(_("Unknown store: %(store)s") % {"store": store_id})
    if known[store_id].runs_no_ads == runs_no_ads:
        return False
    stores = con.table("stores")
    columns = [c for c in TABLES["stores"].column_names if c in stores.columns and c != "runs_no_ads"]
    row = stores.filter(stores.store_id == store_id).select(*columns).to_pyarrow()
    load(con, "stores", row.append_column("runs_no_ads", pa.array([runs_no_ads] * row.num_rows, pa.bool_())))
    log.info("store %s: runs_no_ads set to %s by %s", store_id, runs_no_ads, getattr(user, "username", "-"))
    return True
