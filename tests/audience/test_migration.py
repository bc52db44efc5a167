"""A database migrated before the split (segments and outreach in customers) migrates forward
with every row, every link between rows and every permission kept, on SQLite and PostgreSQL.

Each step runs in its own process, as an operator would: ``migrate`` up to
``customers.0002_audience`` (the last state before audience existed), rows written through
the models of that state, then ``migrate`` to the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

import shopops

SRC = Path(shopops.__file__).resolve().parent.parent

SEED = r'''
import datetime as dt
from decimal import Decimal
import django
django.setup()
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

apps = MigrationExecutor(connection).loader.project_state([("customers", "0002_audience")]).apps
M = lambda name: apps.get_model("customers", name)
now = dt.datetime(2025, 11, 20, 2, 0, tzinfo=dt.UTC)
seg = M("Segment").objects.create(name="老客", rules={"op": "and", "rules": []}, store_ids=["tmall"],
                                  member_count=2, refreshed_as_of=dt.date(2025, 11, 19), refreshed_at=now)
other = M("Segment").objects.create(name="VIP", rules={"op": "and", "rules": []})
for c in ("c1", "c2"):
    M("SegmentMember").objects.create(segment=seg, store_id="tmall", customer_id=c, joined_on=dt.date(2025, 11, 19))
M("SegmentRefresh").objects.create(segment=seg, as_of=dt.date(2025, 11, 19), refreshed_at=now, members=2, joined=2, left=0)
tpl = M("MessageTemplate").objects.create(name="回访", body_zh="{name}，回复TD退订")
send = M("Outreach").objects.create(name="12月", segment=seg, template=tpl, holdout_percent=Decimal("50"), seed=7,
                                    status="sent", sent_at=now, eligible=2, treatment=1, holdout=1, delivered=1)
M("OutreachRecipient").objects.create(outreach=send, store_id="tmall", customer_id="c1", group="treatment",
                                      status="sent", sent_at=now)
M("OutreachRecipient").objects.create(outreach=send, store_id="tmall", customer_id="c2", group="holdout",
                                      status="held_out")
M("OutboxMessage").objects.create(channel="sms", recipient="tmall:c1***", store_id="tmall", text="亲爱的顾客，回复TD退订",
                                  created_at=now, outreach=send)
M("OptOut").objects.create(store_id="tmall", customer_id="c3", channel="", created_at=now)
# what main's database holds: the models' content types and permissions under customers, granted to a group
ct, _ = ContentType.objects.get_or_create(app_label="customers", model="segment")
perm, _ = Permission.objects.get_or_create(content_type=ct, codename="view_segment", defaults={"name": "Can view segment"})
Group.objects.create(name="segment viewers").permissions.add(perm)
print(seg.pk, other.pk, send.pk)
'''

CHECK = r'''
import sys
import django
django.setup()
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from shopops.audience.models import (MessageTemplate, OptOut, OutboxMessage, Outreach, OutreachRecipient, Segment,
                                     SegmentMember, SegmentRefresh)

seg_pk, other_pk, send_pk = map(int, sys.argv[1:4])
tables = set(connection.introspection.table_names())
assert {"audience_segment", "audience_outreach", "audience_optout"} <= tables, tables
assert not {t for t in tables if t.startswith("customers_") and ("segment" in t or "outreach" in t)}, tables
seg = Segment.objects.get(pk=seg_pk)
assert (seg.name, seg.store_ids, seg.member_count, str(seg.refreshed_as_of)) == ("老客", ["tmall"], 2, "2025-11-19")
assert sorted(seg.members.values_list("customer_id", flat=True)) == ["c1", "c2"]
assert list(seg.refreshes.values_list("members", "joined", "left")) == [(2, 2, 0)]
send = Outreach.objects.get(pk=send_pk)
assert (send.segment_id, send.template.name, str(send.holdout_percent)) == (seg_pk, "回访", "50.00")
assert sorted(send.recipients.values_list("customer_id", "group")) == [("c1", "treatment"), ("c2", "holdout")]
assert list(send.outbox.values_list("text", flat=True)) == ["亲爱的顾客，回复TD退订"]
assert list(OptOut.objects.values_list("customer_id", flat=True)) == ["c3"]
assert Segment.objects.count() == 2 and MessageTemplate.objects.count() == 1 and SegmentRefresh.objects.count() == 1
assert SegmentMember.objects.count() == 2 and OutreachRecipient.objects.count() == 2 and OutboxMessage.objects.count() == 1
# the permission followed its model; nothing is left under customers
perms = Group.objects.get(name="segment viewers").permissions.all()
assert [(p.content_type.app_label, p.codename) for p in perms] == [("audience", "view_segment")]
assert not ContentType.objects.filter(app_label="customers", model__in=["segment", "outreach", "optout"]).exists()
# ids continue after the moved rows (PostgreSQL: the identity sequence came along with the table)
new = Segment.objects.create(name="新", rules={})
assert new.pk > max(seg_pk, other_pk), new.pk
print("ok")
'''


def _run(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _migrate_and_check(database_url: str, var_dir: Path) -> None:
    env = {**os.environ, "SHOPOPS_DATABASE_URL": database_url, "SHOPOPS_VAR_DIR": str(var_dir),
           "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "shopops.config.settings"}
    manage = ("-m", "shopops.cli", "manage", "migrate", "--noinput", "-v", "0")
    _run(env, *manage[:-3], "auth", "--noinput")
    _run(env, *manage[:-3], "customers", "0002_audience", "--noinput")
    ids = _run(env, "-c", SEED).split()
    _run(env, *manage)
    assert _run(env, "-c", CHECK, *ids).strip().endswith("ok")


def test_segments_and_outreach_survive_the_move_on_sqlite(tmp_path):
    _migrate_and_check(f"sqlite:///{tmp_path / 'app.sqlite3'}", tmp_path / "var")


@pytest.mark.postgres
def test_segments_and_outreach_survive_the_move_on_postgres(postgres_url, tmp_path):
    from urllib.parse import urlsplit, urlunsplit

    import psycopg

    name = f"shopops_mig_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _migrate_and_check(urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}")), tmp_path / "var")
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
