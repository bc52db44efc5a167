"""Writing the standard-profile CSV files: headers from the profiles, values formatted.

Headers are the Chinese column names of each profile's TOML ``[columns]`` table, in
that order; each column is filled from the canonical field it maps to (``to``).
Values: UTF-8, ``YYYY-MM-DD HH:MM:SS`` local time, ``YYYY-MM-DD`` dates, money with
two decimals from integer cents, 是/否 booleans, status labels from the profile's
``[status]`` table, empty for missing values. Rows are joined with Arrow compute
(no Python loop per row); text fields are quoted only when they need it.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86_400
WRITE_SLICE = 400_000


@dataclass(frozen=True)
class Profile:
    id: str
    headers: tuple[str, ...]
    fields: tuple[str, ...]  # canonical field each header maps to
    status_label: dict[str, str]  # canonical code -> Chinese label


def load_profile(profile_id: str) -> Profile:
    text = resources.files("shopops.ingest").joinpath("profiles", f"{profile_id}.toml").read_text("utf-8")
    data = tomllib.loads(text)
    headers = tuple(data["columns"])
    fields = tuple(spec["to"] for spec in data["columns"].values())
    labels: dict[str, str] = {}
    for label, code in data.get("status", {}).items():
        labels.setdefault(code, label)
    return Profile(profile_id, headers, fields, labels)


class Formatter:
    """Vectorised value formatting on a local-time axis (seconds from window start)."""

    def __init__(self, start: dt.date, days_before: int, days_after: int, n_days: int):
        self.offset = days_before
        first = start - dt.timedelta(days=days_before)
        total = days_before + n_days + days_after
        self.date_table = pa.array([(first + dt.timedelta(days=i)).isoformat() for i in range(total)])
        self.hms_table = pa.array([f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)])

    def date(self, day: np.ndarray) -> pa.Array:
        return self.date_table.take(pa.array(np.asarray(day, dtype=np.int64) + self.offset))

    def datetime(self, seconds: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
        sec = np.asarray(seconds, dtype=np.int64)
        if valid is not None:
            sec = np.where(valid, sec, 0)
        day, sod = np.divmod(sec, DAY)
        out = pc.binary_join_element_wise(self.date(day), self.hms_table.take(pa.array(sod)), " ")
        if valid is not None:
            out = pc.if_else(pa.array(np.asarray(valid, dtype=bool)), out, pa.scalar(None, pa.string()))
        return out


def money(cents: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    c = np.asarray(cents, dtype=np.int64)
    if (c < 0).any():
        raise ValueError("negative money amount")
    q, r = np.divmod(c, 100)
    out = pc.binary_join_element_wise(pc.cast(pa.array(q), pa.string()),
                                      pc.utf8_lpad(pc.cast(pa.array(r), pa.string()), 2, "0"), ".")
    if valid is not None:
        out = pc.if_else(pa.array(np.asarray(valid, dtype=bool)), out, pa.scalar(None, pa.string()))
    return out


def integer(values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    out = pc.cast(pa.array(np.asarray(values, dtype=np.int64)), pa.string())
    if valid is not None:
        out = pc.if_else(pa.array(np.asarray(valid, dtype=bool)), out, pa.scalar(None, pa.string()))
    return out


def padded(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    digits = pc.utf8_lpad(pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0")
    return pc.binary_join_element_wise(pa.scalar(prefix), digits, "") if prefix else digits


def labels(table: list[str] | tuple[str, ...], index: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    out = pa.array(list(table), pa.string()).take(pa.array(np.asarray(index, dtype=np.int64)))
    if valid is not None:
        out = pc.if_else(pa.array(np.asarray(valid, dtype=bool)), out, pa.scalar(None, pa.string()))
    return out


def boolean(values: np.ndarray) -> pa.Array:
    return labels(("否", "是"), np.asarray(values, dtype=np.int64))


def text(values: list[str] | pa.Array) -> pa.Array:
    """Free text, quoted for CSV only where it has a comma, quote or line break."""
    arr = values if isinstance(values, pa.Array) else pa.array(values, pa.string())
    arr = arr.cast(pa.string())
    needs = pc.match_substring_regex(arr, r'[,"\r\n]')
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(arr, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, arr)


@dataclass
class PartWriter:
    """One table of one store: ``<dir>/<profile>.csv``, or ``.part-NNN.csv`` files for large runs."""

    directory: Path
    profile: Profile
    store_id: str | None
    part_rows: int | None
    parts: list[tuple[Path, int]] = field(default_factory=list)
    _handle: object = None
    _rows: int = 0

    def _open(self) -> None:
        self.close()
        if self.part_rows is None:
            path = self.directory / f"{self.profile.id}.csv"
        else:
            path = self.directory / f"{self.profile.id}.part-{len(self.parts) + 1:03d}.csv"
        self.directory.mkdir(parents=True, exist_ok=True)
        self._handle = open(path, "wb")  # noqa: SIM115 — closed in close()
        self._handle.write((",".join(self.profile.headers) + "\n").encode("utf-8"))
        self.parts.append((path, 0))
        self._rows = 0

    def write(self, columns: dict[str, pa.Array], n_rows: int) -> None:
        if self._handle is None:
            self._open()
        if n_rows == 0:
            return
        if self.part_rows is not None and self._rows > 0 and self._rows + n_rows > self.part_rows:
            self._open()
        empty = pa.nulls(n_rows, pa.string())
        arrays = []
        for name in self.profile.fields:
            arr = columns.get(name, empty)
            if len(arr) != n_rows:
                raise ValueError(f"{self.profile.id}.{name}: {len(arr)} values for {n_rows} rows")
            arrays.append(arr)
        for lo in range(0, n_rows, WRITE_SLICE):
            hi = min(lo + WRITE_SLICE, n_rows)
            row = pc.binary_join_element_wise(*[a.slice(lo, hi - lo) for a in arrays], ",",
                                              null_handling="replace", null_replacement="")
            row = pc.binary_join_element_wise(row, pa.scalar(""), "\n")
            offsets = np.frombuffer(row.buffers()[1], dtype=np.int32, count=len(row) + 1, offset=row.offset * 4)
            data = memoryview(row.buffers()[2])[offsets[0]:offsets[-1]]
            self._handle.write(data)
        self._rows += n_rows
        path, rows = self.parts[-1]
        self.parts[-1] = (path, rows + n_rows)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def finish(self) -> list[tuple[Path, int]]:
        if self._handle is None and not self.parts:
            self._open()  # an empty table still gets its file with the header
        self.close()
        return self.parts
