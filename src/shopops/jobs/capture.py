"""Per-thread capture of ``sys.stdout``/``sys.stderr``: a CLI command run inside the server prints
into its own buffers while the web threads and other jobs keep printing to the console."""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


class _ThreadStream(io.TextIOBase):
    def __init__(self, name: str, real) -> None:
        self._name, self._real = name, real

    def _target(self):
        return getattr(_local, self._name, None) or self._real

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    def isatty(self) -> bool:
        return False if getattr(_local, self._name, None) else self._real.isatty()

    def writable(self) -> bool:
        return True

    @property
    def encoding(self) -> str:
        return "utf-8"

    def fileno(self) -> int:
        return self._real.fileno()


def _install() -> None:
    for name in ("stdout", "stderr"):
        current = getattr(sys, name)
        if not isinstance(current, _ThreadStream):
            setattr(sys, name, _ThreadStream(name, current))


_live: dict[object, tuple[io.StringIO, io.StringIO]] = {}


@contextmanager
def captured(key: object = None) -> Iterator[tuple[io.StringIO, io.StringIO]]:
    """What this thread prints to stdout and stderr, until the block ends; with ``key``, other
    threads can read it meanwhile (``live_text``)."""
    _install()
    out, err = io.StringIO(), io.StringIO()
    _local.stdout, _local.stderr = out, err
    if key is not None:
        _live[key] = (out, err)
    try:
        yield out, err
    finally:
        _local.stdout = _local.stderr = None
        _live.pop(key, None)


def live_text(key: object) -> tuple[str, str] | None:
    """What a block captured under ``key`` printed so far (None when no such block runs here)."""
    buffers = _live.get(key)
    return (buffers[0].getvalue(), buffers[1].getvalue()) if buffers else None
