"""Daily rollups the loader keeps: per (store, day, product) and per (store, day), exact.

Pages and insights ask the same few sums per product and day again and again (item GMV, units,
buyers, the product traffic report's visitors, reviews); the raw path joins every paid line to its
order on each question. The rollups hold those sums once, and the metrics runners answer from
them whenever the answer is exact (``shopops.metrics.rollups``), else from the raw tables.

* ``product_daily`` (``schema.PRODUCT_DAILY``): paid lines by the order's paid date (item GMV,
  units, cost of goods, the day's distinct buyers), ``traffic_daily`` by date (the product
  report's visitors, summed over sources), reviews by review date (counts by rating), stock
  snapshots by date (units on hand, summed over the product's SKUs). A load of ``skus`` (cost,
  product of a SKU) recomputes every date of its stores.
* ``store_daily`` (``schema.STORE_DAILY``): paid orders by paid date (GMV, orders, the day's
  distinct buyers, discounts) and successful refunds by their order's paid date (amount, orders) —
  the catalog's ``refunds_of_paid_orders``: a refund arriving days later changes the day its order
  was paid, not the day of the refund.

Distinct buyers are kept per day (and product) only: they do not add across days or products, so
a period's buyers never come from here.

**Maintenance.** :func:`Touched.before` and :func:`Touched.after` note, around each merge of the
loader, which (store, business date) partitions a batch touches — its own dates, the dates the
stored rows of its keys had (an order whose paid date moved leaves its old day), and for lines and
refunds the paid dates of their orders. :func:`refresh` then deletes those partitions of the
rollups fed by the table and inserts them again from the base tables, in the loader's transaction
(DuckDB, PostgreSQL), a month of days per statement (:func:`chunks`: a large load stays within an
import's memory limit); on DuckDB the lines are joined with the chunk's paid orders set aside first
(:func:`_paid_orders_aside`: the join's hash table goes on them, not on the uncommitted lines).
Spark has no DELETE: a rollup is partitioned by the month of its date like the facts, and a refresh
overwrites only the months of the touched dates (:func:`_replace_months`), reading the base tables'
months of those dates where their partition is the same date; a rollup created before partitioning
is rewritten aside and swapped in.
:func:`ensure` creates a missing rollup and fills it from the base tables (a warehouse from before
the rollups, one filled by SQL); :func:`rebuild` refills it after writes that bypassed the loader.

Each rollup column's definition mirrors a catalog source (``metrics/catalog.py``: what counts as
paid, which date places a row); ``tests/metrics/test_rollups.py`` checks every covered KPI against
the raw path on DuckDB, PostgreSQL and Spark.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections.abc import Callable, Iterable, Iterator

from ibis.backends import BaseBackend

from shopops.warehouse.backends.sql import SPARK_MONTH, Session, in_partitions, partition_literal, q, spark_month
from shopops.warehouse.schema import PAID_EXCLUDED_STATUSES, PRODUCT_DAILY, ROLLUP_TABLES, STORE_DAILY, TABLES, Table

# which rollups a load of each base table can change
FED_BY: dict[str, tuple[str, ...]] = {
    "orders": (PRODUCT_DAILY.name, STORE_DAILY.name),
    "order_lines": (PRODUCT_DAILY.name,),
    "refunds": (STORE_DAILY.name,),
    "traffic_daily": (PRODUCT_DAILY.name,),
    "reviews": (PRODUCT_DAILY.name,),
    "inventory_snapshots": (PRODUCT_DAILY.name,),
    "skus": (PRODUCT_DAILY.name,),  # a SKU's cost and product: every date of its store
}


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _date(value: dt.date) -> str:
    return f"DATE '{value.isoformat()}'"


def _paid(alias: str) -> str:
    statuses = ", ".join(_lit(s) for s in PAID_EXCLUDED_STATUSES)
    return f"{alias}.paid_date IS NOT NULL AND {alias}.status NOT IN ({statuses})"


def _scope(parts: dict[str, set[dt.date] | None] | None, store: str, day: str) -> str:
    """SQL true for the (store, day) partitions in ``parts`` (None: every partition; a store
    mapped to None: every day of that store)."""
    if parts is None:
        return "true"
    if not parts:
        return "false"
    ors = [f"{store} = {_lit(s)}" if days is None else
           f"({store} = {_lit(s)} AND {day} IN ({', '.join(_date(d) for d in sorted(days))}))"
           for s, days in sorted(parts.items()) if days is None or days]
    return "(" + " OR ".join(ors) + ")" if ors else "false"


Prune = Callable[[str, str], str]  # (alias, base table) -> an extra SQL predicate ("" or " AND …")


def _no_prune(alias: str, name: str) -> str:
    return ""


def _months(parts: dict[str, set[dt.date] | None] | None) -> set[str] | None:
    """The month partitions (``'2025-11'``) the dates of ``parts`` lie in; None when a store has every date."""
    if parts is None or any(days is None for days in parts.values()):
        return None
    return {d.strftime("%Y-%m") for days in parts.values() for d in days}


def _pruning(session: Session, parts: dict[str, set[dt.date] | None] | None) -> Prune:
    """Spark: a predicate narrowing a base table to the month partitions of ``parts`` (``SPARK_MONTH``).

    Exact for a table whose partition is the month of the very date ``_scope`` filters on (orders
    by ``paid_date``, traffic, reviews, stock snapshots); order lines and refunds are placed by
    their *order's* paid date, which their own partition need not match: they are not narrowed."""
    months = _months(parts) if session.engine == "pyspark" else None
    if not months:
        return _no_prune

    def prune(alias: str, name: str) -> str:
        layout = session.spark_partition(TABLES[name])
        if not layout or layout[0] != SPARK_MONTH:
            return ""
        return f" AND {in_partitions(f'{alias}.{q(SPARK_MONTH)}', months)}"

    return prune


_DEC = "DECIMAL(18,2)"
_NUM = "DECIMAL(38,2)"  # the sum of DECIMAL(18,2) on every engine, before the cast back


def _stores_in(parts: dict[str, set[dt.date] | None] | None, store: str) -> str:
    """SQL true for rows of the stores in ``parts`` (a necessary condition of :func:`_scope`)."""
    if parts is None:
        return "true"
    return f"{store} IN ({', '.join(_lit(s) for s in sorted(parts))})" if parts else "false"


# The sources each rollup sums, the base tables each one reads, and per column what a row of another
# source puts there (its neutral value) — in the rollup's column order. A load recomputes only the
# sources its table feeds (``Touched.sources``): the other sources' parts of a touched row are kept
# from the row as stored (exact: each column is a sum over the sources' rows, and a source without a
# row that day adds its neutral value; a row is kept only while one of the kept sources has rows).
SOURCES: dict[str, dict[str, tuple[str, ...]]] = {
    PRODUCT_DAILY.name: {"lines": ("orders", "order_lines", "skus"), "traffic": ("traffic_daily",),
                         "reviews": ("reviews",), "stock": ("inventory_snapshots", "skus")},
    STORE_DAILY.name: {"orders": ("orders",), "refunds": ("orders", "refunds")},
}
# rollup -> source -> (its row-count column, {column: neutral SQL value of the other sources})
_SOURCE_COLUMNS: dict[str, dict[str, tuple[str, dict[str, str]]]] = {
    PRODUCT_DAILY.name: {
        "lines": ("line_rows", {"line_rows": "0", "item_gmv": "NULL", "units_sold": "NULL", "item_buyers": "NULL",
                                "cogs": "NULL", "costed_gmv": "NULL"}),
        "traffic": ("traffic_rows", {"traffic_rows": "0", "visitor_days": "NULL"}),
        "reviews": ("review_rows", {"review_rows": "0", "rated_reviews": "0", "positive_reviews": "0",
                                    "bad_reviews": "0"}),
        "stock": ("stock_rows", {"stock_rows": "0", "stock_unit_days": "NULL"}),
    },
    STORE_DAILY.name: {
        "orders": ("order_rows", {"order_rows": "0", "gmv": "NULL", "paying_buyers": "NULL", "store_discount": "NULL",
                                  "platform_discount": "NULL"}),
        "refunds": ("refund_rows", {"refund_rows": "0", "refund_amount": "NULL", "refunded_orders": "NULL"}),
    },
}


def _kept(table: Table, parts: dict[str, set[dt.date] | None] | None, stale: set[str]) -> str:
    """The stored rows of ``parts`` with the ``stale`` sources' columns set to their neutral values,
    only rows where a kept source has rows (shaped like the union members of :data:`ROWS`)."""
    columns = _SOURCE_COLUMNS[table.name]
    neutral = {c: v for src in stale for c, v in columns[src][1].items()}
    kept_rows = [f"{q(columns[src][0])} > 0" for src in columns if src not in stale]
    values = []
    for c in table.column_names:
        if c in neutral:
            dtype = "BIGINT" if neutral[c] == "0" or c not in _MONEY_COLUMNS else _NUM
            values.append(f"CAST({neutral[c]} AS {dtype})" if neutral[c] == "NULL" else neutral[c])
        elif c in _MONEY_COLUMNS:
            values.append(f"CAST({q(c)} AS {_NUM})")
        else:
            values.append(q(c))
    return (f"SELECT {', '.join(values)} FROM {q(table.name)} WHERE {_scope(parts, 'store_id', q('date'))} "
            f"AND ({' OR '.join(kept_rows) or 'false'})")


_MONEY_COLUMNS = {"item_gmv", "cogs", "costed_gmv", "gmv", "store_discount", "platform_discount", "refund_amount"}


def _product_rows(parts: dict[str, set[dt.date]] | None, sources: set[str] | None = None,
                  prune: Prune = _no_prune, paid_orders: str | None = None) -> str:
    """The rows of ``product_daily`` for the partitions ``parts`` (all when None); ``sources``: only
    those sources recomputed, the others kept from the stored rows (:func:`_kept`); ``prune``: extra
    predicates that let Spark skip months of the base tables (:func:`_pruning`); ``paid_orders``: a
    relation holding exactly the paid orders of ``parts`` (:func:`_paid_orders_aside`), joined with
    the lines instead of ``orders``."""
    n = "CAST(NULL AS BIGINT)"
    m = f"CAST(NULL AS {_NUM})"
    if paid_orders is None:
        orders = q("orders")
        placed = f"{_paid('o')} AND {_scope(parts, 'o.store_id', 'o.paid_date')} AND "
    else:
        orders, placed = q(paid_orders), ""
    lines = (
        f"SELECT l.store_id AS s, o.paid_date AS d, l.product_id AS p, count(*) AS lr, "
        f"CAST(sum(l.paid_amount) AS {_NUM}) AS g, CAST(sum(l.quantity) AS BIGINT) AS u, "
        f"CAST(count(DISTINCT o.customer_id) AS BIGINT) AS b, 0 AS tr, {n} AS v, 0 AS rr, 0 AS ra, 0 AS po, 0 AS ba, "
        f"CAST(sum(l.quantity * coalesce(k.cost, 0)) AS {_NUM}) AS c, 0 AS sr, {n} AS so, "
        f"CAST(sum(CASE WHEN k.cost IS NOT NULL THEN l.paid_amount END) AS {_NUM}) AS cg "
        f"FROM {q('order_lines')} l JOIN {orders} o ON l.store_id = o.store_id AND l.order_id = o.order_id "
        f"LEFT JOIN {q('skus')} k ON k.store_id = l.store_id AND k.sku_id = l.sku_id "
        f"WHERE {placed}{_stores_in(parts, 'l.store_id')}"
        f"{prune('o', 'orders')} "
        f"GROUP BY l.store_id, o.paid_date, l.product_id"
    )
    traffic = (
        f"SELECT t.store_id, t.{q('date')}, t.product_id, 0, {m}, {n}, {n}, count(*), "
        f"CAST(sum(t.visitors) AS BIGINT), 0, 0, 0, 0, {m}, 0, {n}, {m} "
        f"FROM {q('traffic_daily')} t WHERE {_scope(parts, 't.store_id', 't.' + q('date'))}{prune('t', 'traffic_daily')} "
        f"GROUP BY t.store_id, t.{q('date')}, t.product_id"
    )
    reviews = (
        f"SELECT r.store_id, r.review_date, r.product_id, 0, {m}, {n}, {n}, 0, {n}, count(*), "
        f"sum(CASE WHEN r.rating IS NOT NULL THEN 1 ELSE 0 END), sum(CASE WHEN r.rating >= 4 THEN 1 ELSE 0 END), "
        f"sum(CASE WHEN r.rating <= 2 THEN 1 ELSE 0 END), {m}, 0, {n}, {m} "
        f"FROM {q('reviews')} r WHERE {_scope(parts, 'r.store_id', 'r.review_date')}{prune('r', 'reviews')} "
        f"GROUP BY r.store_id, r.review_date, r.product_id"
    )
    stock = (
        f"SELECT i.store_id, i.{q('date')}, coalesce(k.product_id, ''), 0, {m}, {n}, {n}, 0, {n}, 0, 0, 0, 0, {m}, "
        f"count(*), CAST(sum(i.on_hand) AS BIGINT), {m} "
        f"FROM {q('inventory_snapshots')} i LEFT JOIN {q('skus')} k ON k.store_id = i.store_id AND k.sku_id = i.sku_id "
        f"WHERE {_scope(parts, 'i.store_id', 'i.' + q('date'))}{prune('i', 'inventory_snapshots')} "
        f"GROUP BY i.store_id, i.{q('date')}, coalesce(k.product_id, '')"
    )
    pieces = {"lines": lines, "traffic": traffic, "reviews": reviews, "stock": stock}
    union = [sql for src, sql in pieces.items() if sources is None or src in sources]
    named = "x"
    if sources is not None:  # the union's first member may not be the one naming the columns
        if set(pieces) - sources:
            union.append(_kept(PRODUCT_DAILY, parts, sources))
        named = "x(s, d, p, lr, g, u, b, tr, v, rr, ra, po, ba, c, sr, so, cg)"
    return (
        f"SELECT s AS store_id, d AS {q('date')}, p AS product_id, CAST(sum(lr) AS BIGINT) AS line_rows, "
        f"CAST(sum(g) AS {_DEC}) AS item_gmv, CAST(sum(u) AS BIGINT) AS units_sold, CAST(sum(b) AS BIGINT) AS item_buyers, "
        f"CAST(sum(tr) AS BIGINT) AS traffic_rows, CAST(sum(v) AS BIGINT) AS visitor_days, "
        f"CAST(sum(rr) AS BIGINT) AS review_rows, CAST(sum(ra) AS BIGINT) AS rated_reviews, "
        f"CAST(sum(po) AS BIGINT) AS positive_reviews, CAST(sum(ba) AS BIGINT) AS bad_reviews, "
        f"CAST(sum(c) AS {_DEC}) AS cogs, CAST(sum(sr) AS BIGINT) AS stock_rows, CAST(sum(so) AS BIGINT) AS stock_unit_days, "
        f"CAST(sum(cg) AS {_DEC}) AS costed_gmv "
        f"FROM ({' UNION ALL '.join(union)}) {named} GROUP BY s, d, p"
    )


def _store_rows(parts: dict[str, set[dt.date]] | None, sources: set[str] | None = None,
                prune: Prune = _no_prune) -> str:
    """The rows of ``store_daily`` for the partitions ``parts`` (all when None); ``sources`` and ``prune``
    as in :func:`_product_rows`."""
    n = "CAST(NULL AS BIGINT)"
    m = f"CAST(NULL AS {_NUM})"
    orders = (
        f"SELECT o.store_id AS s, o.paid_date AS d, count(*) AS orr, CAST(sum(o.paid_amount) AS {_NUM}) AS g, "
        f"CAST(count(DISTINCT o.customer_id) AS BIGINT) AS b, "
        f"CAST(sum(coalesce(o.discount_amount, 0) - coalesce(o.platform_discount, 0)) AS {_NUM}) AS sd, "
        f"CAST(sum(coalesce(o.platform_discount, 0)) AS {_NUM}) AS pd, 0 AS fr, {m} AS fa, {n} AS fo "
        f"FROM {q('orders')} o WHERE {_paid('o')} AND {_scope(parts, 'o.store_id', 'o.paid_date')}{prune('o', 'orders')} "
        f"GROUP BY o.store_id, o.paid_date"
    )
    refunds = (
        f"SELECT o.store_id, o.paid_date, 0, {m}, {n}, {m}, {m}, count(*), CAST(sum(r.amount) AS {_NUM}), "
        f"CAST(count(DISTINCT r.order_id) AS BIGINT) "
        f"FROM {q('refunds')} r JOIN {q('orders')} o ON r.store_id = o.store_id AND r.order_id = o.order_id "
        f"WHERE r.status = 'success' AND {_paid('o')} AND {_scope(parts, 'o.store_id', 'o.paid_date')}{prune('o', 'orders')} "
        f"GROUP BY o.store_id, o.paid_date"
    )
    pieces = {"orders": orders, "refunds": refunds}
    union = [sql for src, sql in pieces.items() if sources is None or src in sources]
    named = "x"
    if sources is not None:
        if set(pieces) - sources:
            union.append(_kept(STORE_DAILY, parts, sources))
        named = "x(s, d, orr, g, b, sd, pd, fr, fa, fo)"
    return (
        f"SELECT s AS store_id, d AS {q('date')}, CAST(sum(orr) AS BIGINT) AS order_rows, CAST(sum(g) AS {_DEC}) AS gmv, "
        f"CAST(sum(b) AS BIGINT) AS paying_buyers, CAST(sum(sd) AS {_DEC}) AS store_discount, "
        f"CAST(sum(pd) AS {_DEC}) AS platform_discount, CAST(sum(fr) AS BIGINT) AS refund_rows, "
        f"CAST(sum(fa) AS {_DEC}) AS refund_amount, CAST(sum(fo) AS BIGINT) AS refunded_orders "
        f"FROM ({' UNION ALL '.join(union)}) {named} GROUP BY s, d"
    )


ROWS = {PRODUCT_DAILY.name: _product_rows, STORE_DAILY.name: _store_rows}


class Touched:
    """The (store, business date) partitions one load touches, per rollup."""

    def __init__(self) -> None:
        self.parts: dict[str, dict[str, set[dt.date] | None]] = {}  # rollup -> store -> dates (None: all)
        self.sources: dict[str, set[str]] = {}  # rollup -> the sources (``SOURCES``) the loaded tables feed

    def __bool__(self) -> bool:
        return any(self.parts.values())

    def _add(self, table_name: str, rows: Iterable[tuple]) -> None:
        """Note (store, date) rows; a date of None for a ``skus`` row means every date of the store."""
        for rollup in FED_BY.get(table_name, ()):
            self.sources.setdefault(rollup, set()).update(
                src for src, tables in SOURCES[rollup].items() if table_name in tables)
            target = self.parts.setdefault(rollup, {})
            for store, day in rows:
                if table_name == "skus":
                    target[str(store)] = None
                elif day is not None and target.get(str(store), set()) is not None:
                    target.setdefault(str(store), set()).add(day)

    def before(self, session: Session, table: Table, stage: str) -> list[tuple]:
        """Before the merge: the (store, date) the stored rows of the batch's keys have now (a row
        may move to another day); hand them to :meth:`after` when the merge changed rows."""
        name = table.name
        if name not in FED_BY or name in ("order_lines", "traffic_daily", "inventory_snapshots", "skus"):
            return []  # a line's day is its order's (unchanged by loading the line); a traffic row's day is its key
        on = " AND ".join(f"t.{q(k)} = s.{q(k)}" for k in table.key)
        if session.engine == "pyspark":  # the stored rows within the batch's key range only (Parquet skips the rest)
            on += f" AND {session.key_bounds(table, stage, 't.')}"
        if name == "refunds":
            sql = (f"SELECT DISTINCT o.store_id, o.paid_date FROM {q(stage)} s JOIN {q('refunds')} t ON {on} "
                   f"JOIN {q('orders')} o ON o.store_id = t.store_id AND o.order_id = t.order_id")
        else:
            day = q(table.business_date)
            sql = f"SELECT DISTINCT t.store_id, t.{day} FROM {q(stage)} s JOIN {q(name)} t ON {on}"
        return session.execute(sql).fetchall()

    def after(self, session: Session, table: Table, stage: str, before: Iterable[tuple] = ()) -> None:
        """After a merge that changed rows: ``before``'s partitions and the batch's own dates (for
        lines and refunds, their orders')."""
        name = table.name
        if name not in FED_BY:
            return
        self._add(name, before)
        if name == "skus":
            sql = f"SELECT DISTINCT store_id, NULL FROM {q(stage)}"
        elif name in ("order_lines", "refunds"):
            bounds = f" AND {session.key_bounds(TABLES['orders'], stage, 'o.')}" if session.engine == "pyspark" else ""
            sql = (f"SELECT DISTINCT o.store_id, o.paid_date FROM (SELECT DISTINCT store_id, order_id FROM {q(stage)}) s "
                   f"JOIN {q('orders')} o ON o.store_id = s.store_id AND o.order_id = s.order_id{bounds}")
        else:
            sql = f"SELECT DISTINCT store_id, {q(table.business_date)} FROM {q(stage)}"
        self._add(name, session.execute(sql).fetchall())


def refresh(session: Session, touched: Touched) -> None:
    """Recompute the touched partitions of each rollup (inside the caller's transaction).

    PostgreSQL: two loads may touch the same partitions at once (an API upsert during an
    import); each takes a transaction-scoped advisory lock per rollup first (always in the same
    order), so the second recomputes after the first committed and sees its rows, instead of
    inserting keys the first already inserted. DuckDB has one writer per process; Spark has no
    transactions."""
    for name, table in ROLLUP_TABLES.items():
        parts = touched.parts.get(name)
        if parts:
            if session.engine == "postgres":
                session.execute(f"SELECT pg_advisory_xact_lock(hashtext({_lit('shopops.rollup.' + name)}))")
            if session.engine == "pyspark":
                _replace(session, table, parts)  # one overwrite of the touched months (a Spark job each)
            else:
                sources = touched.sources.get(name)
                sources = None if sources is None or sources >= set(SOURCES[name]) else sources
                for chunk in chunks(parts):
                    _replace(session, table, chunk, sources=sources)
    touched.parts.clear()
    touched.sources.clear()


REFRESH_CHUNK_DAYS = 31  # business days recomputed by one statement


def chunks(parts: dict[str, set[dt.date] | None], days: int | None = None) -> list[dict[str, set[dt.date] | None]]:
    """``parts`` cut into pieces of at most ``days`` (store, date) partitions, store by store in date order.

    A load that touches a year of days (a multi-million-line file) recomputes them a month at a
    time: each statement joins, groups and counts the distinct buyers of a month of orders, not of
    the year — inside the load's transaction, under an import's memory limit (``SHOPOPS_IMPORT_DUCKDB_MEMORY``),
    the year at once ran out of memory. The partitions are disjoint: the rows are the same. A store
    mapped to None (every date of it) stays one piece."""
    days = days or REFRESH_CHUNK_DAYS
    pieces: list[dict[str, set[dt.date] | None]] = []
    flat = []
    for store, dates in sorted(parts.items()):
        if dates is None:
            pieces.append({store: None})
        else:
            flat += [(store, d) for d in sorted(dates)]
    for at in range(0, len(flat), days):
        piece: dict[str, set[dt.date] | None] = {}
        for store, d in flat[at:at + days]:
            piece.setdefault(store, set()).add(d)
        pieces.append(piece)
    return pieces


def _replace(session: Session, table: Table, parts: dict[str, set[dt.date]] | None, *,
             sources: set[str] | None = None) -> None:
    """Recompute the partitions ``parts`` of a rollup; ``sources``: only those sources, the others' parts
    kept from the stored rows (DuckDB, PostgreSQL: the new rows are made aside before the delete)."""
    cols = ", ".join(q(c) for c in table.column_names)
    target = q(table.name)
    if session.engine != "pyspark":
        with _paid_orders_aside(session, table, parts, sources) as paid_orders:
            rows = ROWS[table.name](parts, sources, **({"paid_orders": paid_orders} if paid_orders else {}))
            if sources is not None:
                aside = q(f"_rollup_{table.name}_{uuid.uuid4().hex[:8]}")
                session.execute(f"CREATE TEMP TABLE {aside} AS {rows}")
                try:
                    session.execute(f"DELETE FROM {target} WHERE {_scope(parts, 'store_id', q('date'))}")
                    session.execute(f"INSERT INTO {target} ({cols}) SELECT * FROM {aside}")
                finally:
                    session.execute(f"DROP TABLE IF EXISTS {aside}")
                return
            session.execute(f"DELETE FROM {target} WHERE {_scope(parts, 'store_id', q('date'))}")
            session.execute(f"INSERT INTO {target} ({cols}) {rows}")
        return
    rows = ROWS[table.name](parts, prune=_pruning(session, parts))
    layout = session.spark_partition(table)
    if layout and layout[0] == SPARK_MONTH:
        _replace_months(session, table, parts, rows)
        return
    # a rollup created before partitioning: rewritten whole
    aside = f"{table.name}__rollup"
    keep = f"SELECT {cols} FROM {target} WHERE NOT {_scope(parts, 'store_id', q('date'))}"
    session.execute(f"DROP TABLE IF EXISTS {q(aside)}")
    session.execute(f"CREATE TABLE {q(aside)} USING parquet AS {keep} UNION ALL {rows}")
    session.execute(f"DROP TABLE {target}")
    session.execute(f"ALTER TABLE {q(aside)} RENAME TO {target}")


@contextlib.contextmanager
def _paid_orders_aside(session: Session, table: Table, parts: dict[str, set[dt.date] | None] | None,
                       sources: set[str] | None) -> Iterator[str | None]:
    """DuckDB, a refresh of ``product_daily``'s lines: the paid orders of ``parts`` set aside in a
    temporary table first (the name; None where not needed), which the lines are joined with.

    Why: DuckDB estimates a table's rows from what is committed, so inside an import the order
    lines it has just written count as none (a first import into an empty ``order_lines``: ~0 rows
    for 4.1M). Joined with ``orders`` (millions committed), the join then built its hash table on
    all the store's uncommitted lines — once per month of days, and under the import's memory
    limit — instead of on the month's paid orders: Tmall's 4.1M lines of the large demo refreshed
    in 19.5 s inside the import against 3.8 s after it (bench/README, 2026-12-06). The aside is
    written in the same transaction, so it counts as ~0 rows too: never more than the lines, and
    on a tie DuckDB keeps the written order, building on the right side — the paid orders
    (``tests/metrics/test_rollups.py`` checks the plan). Same rows: it holds the very orders the
    lines piece's predicate kept."""
    if session.engine != "duckdb" or table is not PRODUCT_DAILY or parts is None \
            or (sources is not None and "lines" not in sources) \
            or session.execute(f"SELECT 1 FROM {q('order_lines')} WHERE {_stores_in(parts, 'store_id')} "
                               f"LIMIT 1").fetchone() is None:  # no line of these stores (orders loaded first)
        yield None
        return
    name = f"_paid_orders_{uuid.uuid4().hex[:8]}"
    session.execute(f"CREATE TEMP TABLE {q(name)} AS SELECT o.store_id, o.order_id, o.paid_date, o.customer_id "
                    f"FROM {q('orders')} o WHERE {_paid('o')} AND {_scope(parts, 'o.store_id', 'o.paid_date')}")
    try:
        yield name
    finally:
        session.execute(f"DROP TABLE IF EXISTS {q(name)}")


def _replace_months(session: Session, table: Table, parts: dict[str, set[dt.date]] | None, rows: str) -> None:
    """Spark, a rollup partitioned by month: overwrite only the months of the touched dates.

    The new content of those months — their stored rows outside the touched (store, date)
    partitions, plus the touched partitions recomputed from the base tables (narrowed to the same
    months where that is exact, ``_pruning``) — is cached first (a few months of a daily rollup),
    then written by one dynamic partition overwrite; a month left with no row is dropped (an
    overwrite writes only the months that have rows). Every month when ``parts`` has a store with
    every date (a ``skus`` load, a rebuild)."""
    target, part = q(table.name), q(SPARK_MONTH)
    cols = ", ".join(q(c) for c in table.column_names)
    months = _months(parts)
    stored = {p.split("=", 1)[1] for (p,) in session.execute(f"SHOW PARTITIONS {target}").fetchall()}
    if months is None:
        months, in_months = stored, "true"
    else:
        in_months = in_partitions(part, months)
    kept = f"SELECT {cols}, {part} FROM {target} WHERE {in_months} AND NOT {_scope(parts, 'store_id', q('date'))}"
    new = f"SELECT x.*, {spark_month('x.', 'date')} FROM ({rows}) x"
    cache = f"_rollup_{table.name}_{uuid.uuid4().hex[:8]}"
    session.execute(f"CACHE TABLE {q(cache)} AS SELECT * FROM ({kept} UNION ALL {new}) u")
    try:
        written = {m for (m,) in session.execute(f"SELECT DISTINCT {part} FROM {q(cache)}").fetchall()}
        if written:
            session.execute(f"INSERT OVERWRITE TABLE {target} PARTITION ({part}) "
                            f"SELECT * FROM {q(cache)} DISTRIBUTE BY {part}")
        for month in sorted((months & stored) - written):
            session.execute(f"ALTER TABLE {target} DROP IF EXISTS PARTITION ({part} = {partition_literal(month)})")
    finally:
        session.execute(f"UNCACHE TABLE IF EXISTS {q(cache)}")
        session.execute(f"DROP VIEW IF EXISTS {q(cache)}")


def ensure(con: BaseBackend) -> None:
    """Create the rollups that do not exist yet, filled from the base tables."""
    if getattr(con, "_shopops_rollups", False):
        return
    present = set(con.list_tables())
    session = Session(con)
    for table in ROLLUP_TABLES.values():
        if table.name in present:
            if set(table.column_names) - set(con.table(table.name).columns):
                # a rollup made before a column was added (``product_daily.costed_gmv``): the column is
                # added, then the rollup refilled from the base tables once (its stored rows lack it)
                session.ensure_table(table)
                _fill_if_bases(session, table, present)
            continue
        session.ensure_table(table)
        _fill_if_bases(session, table, present)
    con._shopops_rollups = True


def _fill_if_bases(session: Session, table: Table, present: set[str]) -> None:
    bases = ({"orders", "order_lines", "traffic_daily", "reviews", "skus", "inventory_snapshots"}
             if table is PRODUCT_DAILY else {"orders", "refunds"})
    if bases <= present:
        with session.transaction():
            _replace(session, table, None)


def rebuild(con: BaseBackend, stores: Iterable[str] | None = None) -> None:
    """Refill the rollups from the base tables (of ``stores``, or all): after facts were written
    without the loader (a benchmark filling tables by SQL, a test appending rows on Spark)."""
    ensure(con)
    session = Session(con)
    parts = None if stores is None else {str(s): None for s in stores}
    with session.transaction():
        for table in ROLLUP_TABLES.values():
            _replace(session, table, parts)


def available(con: BaseBackend) -> bool:
    """Whether this connection's warehouse has the rollups (made by ``ensure``, at connect or first load)."""
    ok = getattr(con, "_shopops_rollups", None)
    if ok is None:
        ok = all(t in con.list_tables() for t in ROLLUP_TABLES)
        try:
            con._shopops_rollups = ok
        except AttributeError:  # a backend object that takes no attributes: ask each time
            pass
    return bool(ok)
