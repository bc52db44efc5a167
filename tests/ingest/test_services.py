"""Import job services: create (checks), run (progress, archive, outcome), saved mappings,
the background task wrapper. Expected counts are counted by hand from the fixture files."""

from __future__ import annotations

import gzip
import itertools
import uuid
from pathlib import Path

import openpyxl
import pyarrow as pa
import pytest
from django.utils import translation

from shopops.core.errors import ShopopsError, ValidationError
from shopops.ingest import readers, services, tasks
from shopops.ingest.mapping import SALES_LINES, ColumnMapping
from shopops.ingest.models import ImportJob, SavedProfile
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import FieldType, profile_from_toml
from shopops.ingest.selectors import file_rows_estimate, profile_all, profile_lookup, upload_root
from shopops.ingest.services import (
    import_job_create,
    import_job_run,
    import_jobs_interrupted_fail,
    saved_profile_create,
    saved_profile_delete,
)
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
ORDERS_CSV = FIXTURES / "orders_with_errors.csv"  # 6 rows: 2 load, 4 rejected (T1 twice)
UCI_DATA = Path(__file__).parents[2].parent / "shared" / "data" / "online_retail_uci" / "online_retail.csv.gz"
UCI_FIXTURE = profile_from_toml((FIXTURES / "online_retail_uci.toml").read_text(encoding="utf-8"))
ORDERS_HEADER = ["订单编号", "买家ID", "订单状态", "下单时间", "付款时间", "实付金额"]


def add_store(con, store_id="tmall", time_zone="Asia/Shanghai"):
    load(con, "stores", pa.table({
        "store_id": [store_id], "platform": ["tmall"], "name": ["天猫旗舰店"], "currency": ["CNY"], "time_zone": [time_zone],
    }))


@pytest.fixture
def tmall(warehouse):
    add_store(warehouse)
    return warehouse


def copy_to(tmp_path: Path, source: Path, name: str | None = None) -> Path:
    target = tmp_path / (name or source.name)
    target.write_bytes(source.read_bytes())
    return target


def orders_workbook(path: Path, rows: int) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "订单"
    ws.append(ORDERS_HEADER)
    for i in range(rows):
        ws.append([f"X{i}", f"u{i}", "交易成功", "2025-11-11 00:01:00", "2025-11-11 00:02:00", "10.00"])
    wb.save(path)
    return path


# --- create: fail fast, with the reason -------------------------------------------------

def test_create_queues_a_job_with_size_hash_and_exact_estimate(tmall, tmp_path):
    path = copy_to(tmp_path, ORDERS_CSV)
    job = import_job_create(path=path, profile_id="shopops_orders", store_id="tmall", source=ImportJob.Source.WEB)
    assert job.status == ImportJob.Status.QUEUED
    assert (job.file_name, job.profile, job.table, job.store_id) == ("orders_with_errors.csv", "shopops_orders", "orders", "tmall")
    assert job.bytes_total == path.stat().st_size
    assert job.rows_estimate == 6  # the whole file fits in the sample: exact
    assert job.input_path == str(path) and len(job.sha256) == 64
    assert (job.rows_read, job.progress, job.started_at) == (0, 0, None)


@pytest.mark.parametrize(
    "profile_id, store_id, message",
    [
        ("no_such_profile", "tmall", "unknown profile 'no_such_profile'"),
        ("shopops_orders", None, "profile shopops_orders loads orders, which belongs to a store; choose the store"),
        ("shopops_orders", "jd", "unknown store 'jd'"),
    ],
)
def test_create_refuses_unknown_profile_missing_or_unknown_store(tmall, tmp_path, profile_id, store_id, message):
    path = copy_to(tmp_path, ORDERS_CSV)
    with translation.override("en"), pytest.raises(ShopopsError, match=message):
        import_job_create(path=path, profile_id=profile_id, store_id=store_id)
    assert ImportJob.objects.count() == 0


def test_wrong_profile_names_the_missing_columns_and_the_profile_the_file_looks_like(tmall, tmp_path):
    path = copy_to(tmp_path, ORDERS_CSV)
    with pytest.raises(ValidationError) as info:
        import_job_create(path=path, profile_id="shopops_order_lines", store_id="tmall")
    message = str(info.value)
    assert message.startswith("orders_with_errors.csv: required column(s) missing for profile shopops_order_lines: 行号, 商品ID, 购买数量;")
    # 12 columns in common of the 14 of either (the file lacks 平台优惠 and 收货城市): 86 %
    assert "it looks like profile shopops_orders (shopops standard orders, 86% of the columns match)" in message


def test_a_file_no_profile_knows_points_to_the_mapping_page(tmall, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("foo,bar\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"no known profile matches its columns; map them once on the mapping page"):
        import_job_create(path=path, profile_id="shopops_orders", store_id="tmall")


def test_bad_files_fail_with_the_reader_message(tmall, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match=r"empty.csv: the file is empty \(0 bytes\)"):
        import_job_create(path=empty, profile_id="shopops_orders", store_id="tmall")
    locked = tmp_path / "locked.xlsx"
    locked.write_bytes(readers.OLE_MAGIC + b"\xa1\xb1\x1a\xe1" + b"\0" * 512)
    with pytest.raises(ValidationError, match="locked.xlsx: the workbook is password-protected"):
        import_job_create(path=locked, profile_id="shopops_orders", store_id="tmall")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"\xff\xfe\x00\x81\x8d\x90" * 10)
    with pytest.raises(ValidationError, match="neither UTF-8 nor GBK/GB18030"):
        import_job_create(path=latin, profile_id="shopops_orders", store_id="tmall")
    assert ImportJob.objects.count() == 0


# --- run -------------------------------------------------------------------------------

def test_run_a_queued_upload_archives_it_deletes_the_upload_and_records_the_outcome(tmall, tmp_path):
    upload = upload_root() / "1" / uuid.uuid4().hex  # the PostgreSQL pass reuses the var dir
    upload.mkdir(parents=True)
    path = copy_to(upload, ORDERS_CSV)
    job = import_job_create(path=path, profile_id="shopops_orders", store_id="tmall", source=ImportJob.Source.WEB)
    job = import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.LOADED
    assert (job.rows_read, job.rows_inserted, job.rows_updated, job.rows_rejected) == (6, 2, 0, 4)
    assert job.progress == 100 and job.started_at and job.finished_at and job.duration_seconds >= 0
    assert Path(job.archive_path).read_bytes() == ORDERS_CSV.read_bytes()
    assert job.sha256 in job.archive_path
    assert not path.exists()  # the archive keeps it
    rejects = [(r.row, r.column, r.value) for r in job.rejects.all()]
    assert rejects == [(4, "实付金额", "abc"), (5, "订单状态", "发货了"), (6, "订单编号", "T1"),
                       (7, "下单时间", "2025-02-30 08:00:00"), (7, "实付金额", "50.001")]
    assert tmall.table("orders").count().execute() == 2


def test_run_from_a_path_is_the_command_line_and_keeps_the_file(tmall, tmp_path):
    path = copy_to(tmp_path, ORDERS_CSV)
    job = import_job_run(path=path, profile_id="shopops_orders", store_id="tmall", strict=True)
    assert job.source == ImportJob.Source.CLI
    assert job.status == ImportJob.Status.REJECTED and job.rows_inserted == 0 and job.rows_rejected == 4
    assert path.exists()
    assert tmall.table("orders").count().execute() == 0


def test_run_needs_a_job_or_a_path_and_profile():
    with pytest.raises(TypeError):
        import_job_run(path=Path("x.csv"))


def test_a_failure_while_running_is_recorded_on_the_job(tmall, tmp_path):
    path = copy_to(tmp_path, ORDERS_CSV)
    job = import_job_create(path=path, profile_id="shopops_orders", store_id="tmall")
    path.write_bytes(b"")  # the file changed after it was queued
    with pytest.raises(ValidationError, match="the file is empty"):
        import_job_run(job=job, archive=False)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "orders_with_errors.csv: the file is empty (0 bytes)" in job.error
    assert job.finished_at is not None


def test_progress_is_written_to_the_job_while_it_runs(tmall, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "XLSX_BATCH_ROWS", 2)
    monkeypatch.setattr(services, "PROGRESS_INTERVAL_SECONDS", 0)
    path = orders_workbook(tmp_path / "orders.xlsx", rows=5)
    job = import_job_create(path=path, profile_id="shopops_orders", store_id="tmall")
    assert job.rows_estimate == 5  # the sheet's declared dimension
    seen = []

    def watch(progress):
        row = ImportJob.objects.get(pk=job.pk)
        seen.append((progress.rows_read, progress.percent, row.status, row.rows_read, row.progress))

    import_job_run(job=job, on_progress=watch, archive=False)
    assert seen == [(2, 40, "running", 2, 40), (4, 80, "running", 4, 80), (5, 99, "running", 5, 99)]
    job.refresh_from_db()
    assert (job.status, job.progress, job.rows_inserted) == ("loaded", 100, 5)


def test_progress_writes_are_throttled(tmall, tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "XLSX_BATCH_ROWS", 2)
    clock = itertools.count(start=100.0, step=0.2)  # each call 0.2 s after the previous one
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock))
    path = orders_workbook(tmp_path / "orders.xlsx", rows=8)
    job = import_job_create(path=path, profile_id="shopops_orders", store_id="tmall")
    written = []
    import_job_run(job=job, archive=False,
                   on_progress=lambda p: written.append(ImportJob.objects.get(pk=job.pk).rows_read))
    # calls at t=100.0, 100.2, 100.4, 100.6: written at 100.0 and 100.6 only
    assert written == [2, 2, 2, 8]


def test_rows_estimate_of_gzip_and_zip(tmp_path):
    profile = profile_lookup("shopops_orders")
    lines = ["订单编号,买家ID\n"] + [f"T{i:05d},u{i:05d}\n" for i in range(50_000)]
    gz = tmp_path / "orders.csv.gz"
    gz.write_bytes(gzip.compress("".join(lines).encode()))
    estimate = file_rows_estimate(gz, profile)
    assert abs(estimate - 50_000) / 50_000 < 0.02  # lines are all the same length here
    import zipfile

    zipped = tmp_path / "orders.zip"
    with zipfile.ZipFile(zipped, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("orders.csv", "".join(lines[:11]))
    assert file_rows_estimate(zipped, profile) == 10


def test_interrupted_web_jobs_are_failed_and_cli_jobs_left_alone(db):
    from django.utils import timezone

    common = {"file_name": "a.csv", "sha256": "0" * 64, "profile": "shopops_orders", "table": "orders"}
    web_queued = ImportJob.objects.create(source="web", status="queued", **common)
    web_running = ImportJob.objects.create(source="web", status="running", **common)
    web_done = ImportJob.objects.create(source="web", status="loaded", **common)
    cli_running = ImportJob.objects.create(source="cli", status="running", **common)
    assert import_jobs_interrupted_fail(created_before=timezone.now()) == 2
    statuses = {j.pk: j.status for j in ImportJob.objects.all()}
    assert statuses == {web_queued.pk: "failed", web_running.pk: "failed", web_done.pk: "loaded", cli_running.pk: "running"}
    assert "interrupted" in ImportJob.objects.get(pk=web_queued.pk).error


# --- the background task ---------------------------------------------------------------

def test_enqueue_immediately_runs_in_the_calling_thread(tmall, tmp_path, settings):
    settings.SHOPOPS_TASKS_IMMEDIATE = True
    job = import_job_create(path=copy_to(tmp_path, ORDERS_CSV), profile_id="shopops_orders", store_id="tmall")
    assert tasks.import_job_enqueue(job) is None
    job.refresh_from_db()
    assert job.status == ImportJob.Status.LOADED


@pytest.mark.django_db(transaction=True)
def test_enqueue_queues_a_task_the_jobs_worker_runs(tmall, tmp_path, settings):
    settings.SHOPOPS_TASKS_IMMEDIATE = False
    job = import_job_create(path=copy_to(tmp_path, ORDERS_CSV), profile_id="shopops_orders", store_id="tmall")
    result = tasks.import_job_enqueue(job)
    assert result is not None and job.status == ImportJob.Status.QUEUED  # queued, not run in this thread
    from shopops.jobs.host import work_pending

    assert work_pending() == 1  # the jobs worker (the one `shopops serve` hosts) runs it
    job.refresh_from_db()
    assert (job.status, job.rows_inserted, job.rows_rejected) == (ImportJob.Status.LOADED, 2, 4)


@pytest.mark.django_db(transaction=True)
def test_a_failing_background_job_is_failed_not_stuck(tmall, tmp_path, settings):
    settings.SHOPOPS_TASKS_IMMEDIATE = False
    path = tmp_path / "gone.csv"  # bytes no other test archived (the archive would still hold them)
    path.write_text(",".join(ORDERS_HEADER) + f"\nG1,{tmp_path.name},交易成功,2025-11-11 00:01:00,,1\n", encoding="utf-8")
    job = import_job_create(path=path, profile_id="shopops_orders", store_id="tmall")
    path.unlink()
    tasks.import_job_enqueue(job)
    from shopops.jobs.host import work_pending

    assert work_pending() == 1  # the task fails; the job row says why
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "internal error (FileNotFoundError" in job.error


# --- saved mappings ----------------------------------------------------------------------

def uci_columns() -> list[ColumnMapping]:
    """The mapping of tests/ingest/fixtures/online_retail_uci.toml, as the mapping page sends it."""
    return [
        ColumnMapping("InvoiceNo", "order_id", FieldType.STRING, required=True),
        ColumnMapping("StockCode", "product_id", FieldType.STRING, required=True),
        ColumnMapping("Description", "title", FieldType.STRING),
        ColumnMapping("Quantity", "quantity", FieldType.INT, required=True),
        ColumnMapping("InvoiceDate", "created_at", FieldType.DATETIME, required=True),
        ColumnMapping("UnitPrice", "unit_price", FieldType.MONEY, required=True, round=True),
        ColumnMapping("CustomerID", "customer_id", FieldType.ID),
        ColumnMapping("Country", "province", FieldType.STRING),
    ]


UCI_OPTIONS = {"paid_at_from_created": True, "default_status": "completed", "guest_customer": True, "cancel_prefix": "C"}


def test_saved_mapping_is_a_profile_like_the_files(db):
    saved = saved_profile_create(name="UCI Online Retail", slug="uci_retail", target=SALES_LINES,
                                 columns=uci_columns(), options=UCI_OPTIONS)
    assert SavedProfile.objects.get(slug="uci_retail").table == SALES_LINES
    profile = profile_lookup("uci_retail")
    assert profile.fields == UCI_FIXTURE.fields and profile.options == UCI_FIXTURE.options
    assert profile.name("zh-hans") == "UCI Online Retail"
    assert "uci_retail" in profile_all() and "shopops_orders" in profile_all()
    assert saved.toml.startswith("# A generic mapping")


@pytest.mark.parametrize(
    "slug, message",
    [
        ("shopops_orders", "a profile with the id shopops_orders exists already"),
        ("uci_retail", "a profile with the id uci_retail exists already"),
        ("9lives", "an id is letters, digits and _, starting with a letter"),
        ("bad-id", "an id is letters, digits and _"),
    ],
)
def test_saved_mapping_ids_are_unique_and_plain(db, slug, message):
    saved_profile_create(name="UCI", slug="uci_retail", target=SALES_LINES, columns=uci_columns(), options=UCI_OPTIONS)
    with pytest.raises(ValidationError, match=message):
        saved_profile_create(name="again", slug=slug, target=SALES_LINES, columns=uci_columns(), options=UCI_OPTIONS)


def test_a_mapping_that_cannot_load_is_not_saved(db):
    columns = [c for c in uci_columns() if c.to not in ("product_id", "customer_id")]
    with pytest.raises(ValidationError) as info:
        saved_profile_create(name="UCI", slug="uci_retail", target=SALES_LINES, columns=columns, options={})
    assert str(info.value) == (
        "no column is mapped to customer_id: map the buyer id, or tick guest_customer; "
        "no column is mapped to the required field product_id"
    )
    assert not SavedProfile.objects.exists()


def test_delete_a_saved_mapping(db):
    saved_profile_create(name="UCI", slug="uci_retail", target=SALES_LINES, columns=uci_columns(), options=UCI_OPTIONS)
    saved_profile_delete(slug="uci_retail")
    with pytest.raises(ValidationError, match="unknown profile 'uci_retail'"):
        profile_lookup("uci_retail")
    with pytest.raises(ValidationError, match="no saved mapping"):
        saved_profile_delete(slug="uci_retail")


def _tables(con) -> dict:
    out = {}
    for name in ("orders", "order_lines", "refunds", "customers", "products"):
        frame = con.table(name).to_pandas()
        out[name] = frame.sort_values(list(frame.columns)[:3]).reset_index(drop=True)
    return out


@pytest.mark.skipif(not UCI_DATA.exists(), reason=f"real data not present at {UCI_DATA}")
def test_uci_head_through_a_saved_mapping_equals_the_fixture_profile(warehouse, tmp_path):
    """2,000 lines of the real file, imported through a mapping saved like the page saves it,
    give the same warehouse rows as the hand-written fixture profile."""
    with gzip.open(UCI_DATA, "rt", encoding="utf-8") as fh:
        head = "".join(itertools.islice(fh, 2001))  # header + 2,000 lines
    path = tmp_path / "online_retail_head.csv.gz"
    path.write_bytes(gzip.compress(head.encode("utf-8")))

    import ibis

    from shopops.warehouse.loader import ensure_tables

    reference = ibis.duckdb.connect(str(tmp_path / "reference.duckdb"))
    ensure_tables(reference)
    add_store(reference, "uci", "Europe/London")
    expected = import_file(path, profile=UCI_FIXTURE, con=reference, store_id="uci", tz="Europe/London", strict=True)
    assert expected.loaded and expected.rows_read == 2000

    add_store(warehouse, "uci", "Europe/London")
    saved_profile_create(name="UCI Online Retail", slug="uci_saved", target=SALES_LINES,
                         columns=uci_columns(), options=UCI_OPTIONS)
    job = import_job_run(path=path, profile_id="uci_saved", store_id="uci", strict=True)
    assert (job.status, job.rows_read, job.rows_rejected) == ("loaded", 2000, 0)
    assert job.rows_inserted == expected.inserted

    got, want = _tables(warehouse), _tables(reference)
    for name in want:
        assert len(want[name]) > 0 or name == "refunds", name
        assert got[name].equals(want[name]), name
    reference.disconnect()


# --- the command line ----------------------------------------------------------------

def test_cli_import_with_a_saved_mapping_and_its_errors(tmall, tmp_path, capsys):
    from shopops.cli import main

    path = copy_to(tmp_path, ORDERS_CSV)
    assert main(["import", str(path), "--profile", "shopops_orders", "--store", "tmall"]) == 0  # loaded, 4 rejected
    out = capsys.readouterr().out
    job = ImportJob.objects.get()
    assert "orders_with_errors.csv: loaded — read 6, inserted 2, updated 0, rejected 4" in out
    assert f"job #{job.pk}" in out and "row 4, column 实付金额, value 'abc'" in out
    assert job.source == ImportJob.Source.CLI

    saved_profile_create(name="UCI", slug="uci_retail", target=SALES_LINES, columns=uci_columns(), options=UCI_OPTIONS)
    add_store(tmall, "uci", "Europe/London")
    sample = tmp_path / "uci.csv"
    sample.write_text("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
                      "536365,85123A,HOLDER,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n", encoding="utf-8")
    assert main(["import", str(sample), "--profile", "uci_retail", "--store", "uci"]) == 0
    assert "uci.csv: loaded — read 1, inserted" in capsys.readouterr().out

    assert main(["import", str(path), "--profile", "nope"]) == 1
    assert "error: unknown profile 'nope'" in capsys.readouterr().err


def test_a_saved_mapping_that_no_longer_parses_breaks_nothing_else(db):
    saved_profile_create(name="UCI", slug="uci_retail", target=SALES_LINES, columns=uci_columns(), options=UCI_OPTIONS)
    SavedProfile.objects.filter(slug="uci_retail").update(toml=SavedProfile.objects.get().toml.replace("title", "no_such"))
    assert "uci_retail" not in profile_all() and "shopops_orders" in profile_all()
    with pytest.raises(ValidationError, match="does not have; fix or delete the saved mapping"):
        profile_lookup("uci_retail")
