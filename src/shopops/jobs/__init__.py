"""One scheduler and worker for every module's jobs (see docs/jobs.md).

- ``registry``: the periodic jobs each app declares in its ``jobs.py`` (``JOBS = (...)``).
- ``services``: the scheduler tick (one run per occurrence), enqueueing, executing and logging runs.
- ``tasks``: the Django Tasks task the worker runs (database backend, ``django-tasks-db``).
- ``host``: the scheduler and worker threads that ``shopops serve`` and ``shopops worker`` host.
- ``handoff``: the CLI's local, authenticated channel to a running server.
"""
