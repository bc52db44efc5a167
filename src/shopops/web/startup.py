"""What a server process does once before it serves: import every page and set the long-lived objects aside.

Python's garbage collector now and then walks every object the process holds (a "full collection",
when enough objects have survived the younger ones). A shopops server holds about 290,000 of them
once its pages are imported — Django, pandas, Ibis, SciPy, Polars: modules, classes, functions — and
such a walk cost 0.15 s of CPU on the 2-core machine: the page being served when it struck took 10×
its usual time (the task board, one render in ten to twenty: CPU p95 0.20 s vs p50 0.02 s on the large
demo). :func:`settle` imports every page's module, collects once and moves what is alive then out of
the collector's reach (:func:`gc.freeze`): those objects live as long as the process anyway, and a
full collection then walks only what the requests left behind.
"""

from __future__ import annotations

import gc


def settle() -> int:
    """Import the URLconf (every page's views and what they import), collect, freeze; returns how many
    objects were set aside. Safe to call again (it then freezes what was added since)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's urls and views
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
