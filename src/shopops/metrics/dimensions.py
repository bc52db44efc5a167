"""Dimension reads: the stores, for filters and labels."""

from __future__ import annotations

from dataclasses import dataclass

import ibis

from shopops.warehouse.connection import connect


@dataclass(frozen=True, slots=True)
class StoreInfo:
    store_id: str
    platform: str
    name: str
    currency: str
    time_zone: str


def store_list(con: ibis.BaseBackend | None = None) -> list[StoreInfo]:
    con = con or connect()
    if "stores" not in con.list_tables():
        return []
    frame = con.table("stores").order_by("store_id").to_pandas()
    return [StoreInfo(**row) for row in frame.to_dict("records")]
