"""The segment builder's live count on a snapshot of the customer facts (DuckDB; no Django).

Every edit in the builder asks "how many customers match, and who are the first 20?". The
customer facts behind that (orders, spend, recency, RFM quintiles, stage, VIP … one row per
customer) cost a scan of every paid order; computing them again for each edit made the
count several times slower than a hand-written count of the same rule. Here they are
computed ONCE per data version (the caller keys the snapshot by it, see
``audience.selectors``) and held as an Arrow table, and each rule is compiled ONCE to one
SQL statement over that table:

    snap = FactsSnapshot.build(customer_facts(con, as_of=day, rules=...))
    snap.count(con, tree)             # SELECT count(*) FROM <snapshot> WHERE <rule>
    snap.preview(con, tree, columns, limit=20)   # count + first rows by spend, one query

A rule's count and preview are kept on the snapshot (keyed by the normalised rule), so the
same rule again costs nothing; a new data version means a new snapshot, so nothing stale is
ever answered. Rules on computed fields (``categories``, ``coupons_redeemed``, ``clv``) read
other tables and take the ordinary path (:func:`shopops.audience.segments.compile_filter`
over the warehouse); :meth:`FactsSnapshot.answers` says which rules this one answers.

The Arrow table is registered on the connection under a name of its own (a view of the
in-memory table: nothing is copied), once per connection and again after the connection
dropped it.
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from shopops.audience.segments import COMPUTED, compile_filter, fields_used, rules_validate
from shopops.warehouse.backends.compiled import execute_compiled

_names = itertools.count(1)


def rule_key(tree: dict) -> str:
    """The normalised rule as text: equal rules (whatever their spelling) share one key."""
    return json.dumps(rules_validate(tree), sort_keys=True, separators=(",", ":"))


@dataclass(eq=False)
class FactsSnapshot:
    """Customer facts computed once, with each rule's compiled SQL and answers kept."""

    arrow: pa.Table
    name: str = field(default_factory=lambda: f"_shopops_facts_{next(_names)}")
    _sql: dict[tuple, tuple[str, ibis.Schema]] = field(default_factory=dict, repr=False)
    _answers: dict[tuple, object] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, facts: ir.Table) -> FactsSnapshot:
        return cls(facts.to_pyarrow())

    @property
    def rows(self) -> int:
        return self.arrow.num_rows

    @property
    def columns(self) -> list[str]:
        return list(self.arrow.column_names)

    def table(self) -> ir.Table:
        """An unbound Ibis table of the snapshot's schema (what rules compile against)."""
        return ibis.table(ibis.Schema.from_pyarrow(self.arrow.schema), name=self.name)

    @staticmethod
    def answers(tree: dict) -> bool:
        """Whether a rule reads only the facts (no computed field needing another table)."""
        return not (fields_used(rules_validate(tree)) & COMPUTED)

    def forget_rules(self) -> None:
        """Drop every rule's compiled SQL and answers (the facts stay): what a rule not asked
        before costs, for the benchmark."""
        with self._lock:
            self._sql.clear()
            self._answers.clear()

    def _run(self, con, compiled: tuple[str, ibis.Schema]) -> pd.DataFrame:
        """The compiled statement's result as ``execute`` would give it (Decimal money)."""
        sql, schema = compiled
        try:
            return execute_compiled(con, sql, schema)
        except duckdb.CatalogException as exc:  # not registered on this connection yet (or dropped)
            if self.name not in str(exc):
                raise
            con.con.register(self.name, self.arrow)
            return execute_compiled(con, sql, schema)

    def _compiled(self, kind: tuple, build) -> tuple[str, ibis.Schema]:
        hit = self._sql.get(kind)
        if hit is None:
            expr = build()
            hit = (str(ibis.to_sql(expr, dialect="duckdb")), expr.as_table().schema())
            with self._lock:
                self._sql[kind] = hit
        return hit

    def _answer(self, kind: tuple, compute):
        hit = self._answers.get(kind)
        if hit is None:
            hit = compute()
            with self._lock:
                self._answers[kind] = hit
        return hit

    def count(self, con, tree: dict) -> int:
        """How many customers match ``tree`` (one ``count(*)`` over the snapshot)."""
        kind = ("count", rule_key(tree))
        sql = self._compiled(kind, lambda: compile_filter(self.table(), tree).count())
        return self._answer(kind, lambda: int(self._run(con, sql).iloc[0, 0]))

    def preview(self, con, tree: dict, columns, *, limit: int = 20) -> tuple[int, pd.DataFrame]:
        """The count and the first ``limit`` rows by spend (then store, customer), in one query."""
        cols = tuple(c for c in columns if c in self.columns)
        kind = ("preview", rule_key(tree), cols, int(limit))

        def expr():
            t = compile_filter(self.table(), tree).select(*cols)
            t = t.mutate(_total=t.customer_id.count().over(ibis.window()))
            return t.order_by([t.gmv.desc(), t.store_id, t.customer_id]).limit(int(limit))

        sql = self._compiled(kind, expr)

        def compute():
            frame = self._run(con, sql)
            total = int(frame["_total"].iloc[0]) if len(frame) else 0
            return total, frame.drop(columns="_total")

        total, frame = self._answer(kind, compute)
        return total, frame.copy()
