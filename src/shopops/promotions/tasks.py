"""Background work of the promotions app: pending warehouse facts are flushed off the request.

``facts_flush_soon()`` is what the API calls after a redemption or reservation: it wakes one
flusher thread in the web process, which waits ``FLUSH_DELAY`` seconds (so a rush of
reservations lands as one batch), expires unpaid reservations whose time is up, and
flushes the outbox (``facts.facts_flush``). One thread, because DuckDB allows one writer
per process; the warehouse write never runs inside a request or the flash-sale statement.
A failed flush is logged and the outbox rows stay pending for the next one; rows left by a
stopped process go with the next flush (or ``shopops manage promotions_flush``).

``settings.SHOPOPS_TASKS_IMMEDIATE = True`` flushes in the calling thread (tests).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections
from django.utils import timezone

from shopops.promotions import facts, services

log = logging.getLogger(__name__)

FLUSH_DELAY = 2.0
_wake = threading.Event()
_lock = threading.Lock()
_thread: threading.Thread | None = None


def flush_once() -> dict:
    """Expire overdue reservations, then move every pending fact to the warehouse."""
    services.flash_sale_expire_reservations(now=timezone.now())
    return facts.facts_flush()


def _loop() -> None:
    while True:
        _wake.wait()
        _wake.clear()
        threading.Event().wait(FLUSH_DELAY)
        close_old_connections()
        try:
            flush_once()
        except Exception:  # noqa: BLE001 - keep the flusher alive; the outbox keeps the rows
            log.exception("promotions: flushing warehouse facts failed; they stay pending")
        finally:
            connections.close_all()


def facts_flush_soon() -> None:
    if getattr(settings, "SHOPOPS_TASKS_IMMEDIATE", False):
        flush_once()
        return
    global _thread
    with _lock:
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_loop, name="shopops-promotions-facts", daemon=True)
            _thread.start()
    _wake.set()
