"""The server's start: every page imported and the long-lived objects set aside from the garbage collector."""

from __future__ import annotations

import gc
import sys

from shopops.web.startup import settle


def test_settle_imports_every_page_and_freezes_what_is_alive():
    try:
        frozen = settle()
        assert frozen > 50_000  # Django, pandas, Ibis … (≈290,000 in a server)
        # a frozen object can still die by reference count (it then leaves the frozen set), so the
        # count may drop by a few between settle's return and here; it never grows without a freeze
        assert frozen - 1_000 < gc.get_freeze_count() <= frozen
        for module in ("shopops.campaigns.views", "shopops.customers.views", "shopops.inventory.views"):
            assert module in sys.modules, module
        # a full collection no longer walks them: only what was made since is tracked
        assert len(gc.get_objects()) < frozen / 5
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
