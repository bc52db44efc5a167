"""The low UI layer every app's pages are built on (below the apps, above metrics).

One place for each shared part of a page:

- :mod:`shopops.ui.pages` — the page decorator :func:`ui_page` and its context :class:`Page`:
  login, the module permission (``team.use_<module>``), an optional action permission, the
  period and store pickers, the as-of day, the empty state, errors as 400/503, and the
  ``?format=xlsx|csv&table=<id>`` export of any of the page's tables.
- :mod:`shopops.ui.tables` — the data table (:class:`DataTable`, typed :class:`Column` s,
  :class:`Row` s), server-side sort and paging (:func:`table_page`), charts made from a table
  (:func:`chart_from_table`) and the table view of a chart (:func:`table_from_chart`).
- :mod:`shopops.ui.exports` — the one export path: a table as XLSX or CSV, formula-safe,
  money in the store's currency, a safe file name.
- :mod:`shopops.ui.formatting` — numbers, money and percents as people read them.
- templates (``ui/templates/ui/``): ``_filters.html`` (period and store pickers, in the top
  bar), ``_period_meta.html`` (the period line under a title), ``_alerts.html`` (errors, mixed
  currencies, the empty state ``_empty_state.html``), ``_table.html`` (the one data table:
  sort links, pager), ``_panel.html`` (a chart with its table view), ``_export.html`` (the
  XLSX/CSV buttons); ``{% load ui %}`` for the formatting filters.

It may import metrics, warehouse, core and Django; never an app (import-linter layers).
"""
