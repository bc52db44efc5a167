"""Personal data in imports: keyed phone hashes, a 3+2 mask, redacted rejects, a short archive.

Expected hashes are computed here with the standard library (HMAC-SHA256), not by shopops.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib
import os
import time
from pathlib import Path

import pyarrow as pa
import pytest
from django.urls import reverse

from shopops.core.roles import Role
from shopops.ingest.checks import pii_key_check
from shopops.ingest.models import ImportJob, ImportReject
from shopops.ingest.services import archive_prune, import_job_run
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db

KEY = "a-key-from-the-environment"
CUSTOMERS = "买家ID,手机号,省份\nu1,13812345678,广东\nu2,+86 139-0000-1111,浙江\nu3,1381234567,北京\nu4,138****5678,上海\n"


@pytest.fixture
def store(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["tmall"], "platform": ["tmall"], "name": ["天猫旗舰店"], "currency": ["CNY"],
        "time_zone": ["Asia/Shanghai"],
    }))
    return warehouse


@pytest.fixture
def keyed(settings):
    settings.SHOPOPS_PII_KEY, settings.SHOPOPS_PII_KEY_FROM_ENV = KEY, True


def run(tmp_path: Path, text: str = CUSTOMERS, name: str = "customers.csv") -> ImportJob:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_job_run(path=path, profile_id="shopops_customers", store_id="tmall")


def test_phones_are_keyed_hashes_and_3_plus_2_masks(store, keyed, tmp_path):
    job = run(tmp_path)
    assert (job.rows_inserted, job.rows_rejected) == (3, 1)
    rows = {r["customer_id"]: r for r in store.table("customers").to_pyarrow().to_pylist()}
    expected = hmac.new(KEY.encode(), b"13812345678", hashlib.sha256).hexdigest()
    assert rows["u1"]["unified_id"] == expected
    assert rows["u1"]["unified_id"] != hashlib.sha256(f"{KEY}:13812345678".encode()).hexdigest()  # not the old scheme
    assert [rows[c]["phone_masked"] for c in ("u1", "u2", "u4")] == ["138******78", "139******11", "138******78"]
    assert rows["u4"]["unified_id"] is None  # a number the platform masked cannot be hashed
    again = run(tmp_path)  # the same file twice changes nothing
    assert (again.rows_inserted, again.rows_updated) == (0, 0)


def test_a_rejected_phone_is_stored_and_exported_redacted(store, keyed, tmp_path, client):
    job = run(tmp_path)
    [reject] = ImportReject.objects.filter(job=job)
    assert (reject.row, reject.column, reject.value) == (4, "手机号", "138*****67")
    role_groups_sync()
    user_create(username="director", password="a-long-test-password", role=Role.OPS_DIRECTOR)
    client.login(username="director", password="a-long-test-password")
    for name in ("ingest:job", "ingest:job_rejects_csv"):
        body = client.get(reverse(name, args=[job.pk])).content.decode("utf-8-sig")
        assert "138*****67" in body and "1381234567" not in body


def test_old_rejects_are_redacted_by_the_migration(store, keyed, tmp_path):
    job = run(tmp_path, "买家ID,省份\nu1,广东\n", name="plain.csv")
    ImportReject.objects.create(job=job, row=2, column="手机号", value="1391234567",
                                reason="expected an 11-digit mobile number (or one masked as 138****5678)")
    ImportReject.objects.create(job=job, row=3, column="实付金额", value="abc", reason="expected an amount")
    migration = importlib.import_module("shopops.ingest.migrations.0004_redact_phone_rejects")
    from django.apps import apps

    migration.redact_phone_rejects(apps, None)
    assert sorted(ImportReject.objects.values_list("value", flat=True)) == ["139*****67", "abc"]


def test_the_raw_file_is_deleted_after_the_retention(store, keyed, tmp_path, settings):
    job = run(tmp_path)
    archived = Path(job.archive_path)
    assert archived.is_file()  # kept for a few days (default 7) to re-run or investigate
    assert archive_prune() == 0
    old = time.time() - 8 * 86400
    os.utime(archived.parent, (old, old))
    assert archive_prune() == 1
    assert not archived.exists()
    job.refresh_from_db()
    assert job.archive_path == ""


def test_retention_0_keeps_no_raw_file(store, keyed, tmp_path, settings):
    settings.SHOPOPS_ARCHIVE_DAYS = 0
    job = run(tmp_path)
    assert job.archive_path == ""
    assert not any(Path(settings.SHOPOPS_ARCHIVE_DIR).rglob("customers.csv"))


def test_check_deploy_warns_when_the_key_is_not_from_the_environment(settings):
    settings.SHOPOPS_PII_KEY_FROM_ENV = False
    [warning] = pii_key_check(None)
    assert warning.id == "shopops.W001" and "SHOPOPS_PII_KEY" in warning.msg
    settings.SHOPOPS_PII_KEY_FROM_ENV = True
    assert pii_key_check(None) == []


def test_the_key_comes_from_the_environment(monkeypatch, tmp_path):
    """settings read SHOPOPS_PII_KEY; without it the var/ key file, flagged."""
    import subprocess
    import sys

    code = ("from django.conf import settings; import django; django.setup(); "
            "print(settings.SHOPOPS_PII_KEY, settings.SHOPOPS_PII_KEY_FROM_ENV)")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "shopops.config.settings", "SHOPOPS_VAR_DIR": str(tmp_path)}
    env.pop("SHOPOPS_PII_SALT", None)
    out = subprocess.run([sys.executable, "-c", code], env={**env, "SHOPOPS_PII_KEY": "k1"},
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["k1", "True"]
    env.pop("SHOPOPS_PII_KEY", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out == [(tmp_path / "pii_salt").read_text().strip(), "False"]
