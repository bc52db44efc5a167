"""Writes of the ingest app: run an import job and record it."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shopops.core.errors import ShopopsError
from shopops.ingest import collector
from shopops.ingest.models import ApiKey, ImportJob, ImportReject
from shopops.ingest.pipeline import file_sha256, import_file
from shopops.ingest.profiles import profile_get
from shopops.metrics.dimensions import store_list
from shopops.warehouse.connection import connect
from shopops.warehouse.loader import LoadResult, load
from shopops.warehouse.loader import transaction as warehouse_transaction


def _archive(path: Path, sha256: str) -> Path:
    target = Path(settings.SHOPOPS_ARCHIVE_DIR) / sha256[:2] / sha256 / path.name
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return target


def _store_time_zone(store_id: str | None, con) -> str:
    for store in store_list(con):
        if store.store_id == store_id:
            return store.time_zone
    return settings.SHOPOPS_TIME_ZONE


def import_job_run(
    *,
    path: Path,
    profile_id: str,
    store_id: str | None = None,
    strict: bool = False,
    source: str = ImportJob.Source.CLI,
    user=None,
    archive: bool = True,
    on_progress=None,
) -> ImportJob:
    """Import one file, archive the raw file with its hash, and record the job."""
    path = Path(path)
    profile = profile_get(profile_id)
    con = connect()
    if store_id is not None and profile.table != "stores" and store_id not in {s.store_id for s in store_list(con)}:
        raise ShopopsError(f"unknown store {store_id!r}: import the stores file first or create the store")
    sha = file_sha256(path)
    job = ImportJob.objects.create(
        created_by=user if user is not None and user.is_authenticated else None,
        source=source,
        file_name=path.name,
        sha256=sha,
        archive_path=str(_archive(path, sha)) if archive else "",
        profile=profile.id,
        table=profile.table,
        store_id=store_id or "",
        strict=strict,
    )
    try:
        outcome = import_file(
            path,
            profile=profile,
            con=con,
            store_id=store_id,
            tz=_store_time_zone(store_id, con),
            strict=strict,
            salt=settings.SHOPOPS_PII_SALT,
            on_progress=on_progress,
        )
    except ShopopsError as exc:
        job.status, job.error, job.finished_at = ImportJob.Status.FAILED, str(exc), timezone.now()
        job.save()
        raise
    with transaction.atomic():
        job.rows_read = outcome.rows_read
        job.rows_inserted = outcome.inserted
        job.rows_updated = outcome.updated
        job.rows_rejected = outcome.rows_rejected
        job.seconds = outcome.seconds
        job.status = ImportJob.Status.LOADED if outcome.loaded else ImportJob.Status.REJECTED
        job.finished_at = timezone.now()
        job.save()
        ImportReject.objects.bulk_create(
            ImportReject(job=job, row=r.row, column=r.column, value=r.value[:2000], reason=r.reason)
            for r in outcome.rejects
        )
    return job


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
