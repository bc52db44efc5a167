"""The server's start: every page imported and the long-lived objects set aside from the garbage collector."""

from __future__ import annotations

import gc
import sys

from shopops.web.startup import settle


def test_settle_imports_every_page_and_freezes_what_is_alive():
    try:
        frozen = settle()
        assert frozen == gc.get_freeze_count() > 50_000  # Django, pandas, Ibis … (≈290,000 in a server)
        for module in ("shopops.campaigns.views", "shopops.customers.views", "shopops.inventory.views"):
            assert module in sys.modules, module
        # a full collection no longer walks them: only what was made since is tracked
        assert len(gc.get_objects()) < frozen / 5
    finally:
        gc.unfreeze()  # the rest of the test session collects as usual
