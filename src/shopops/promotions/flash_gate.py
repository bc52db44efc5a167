"""An optional Redis gate in front of flash-sale reservations (``SHOPOPS_REDIS_URL``).

In a 秒杀 most attempts arrive after the stock is gone or from buyers at their limit. The
gate answers those from Redis (one atomic Lua call, no database round trip) and lets through
only the attempts that can succeed; each admitted attempt is then recorded by the same
PostgreSQL statement as without the gate (``services._RESERVE_SQL``), which checks every rule
again. PostgreSQL stays the record: the gate can refuse (it never decides a reservation on
its own), and an admitted attempt the database refuses gives its units back to the gate.

Keys per sale (``shopops:fs:<id>:``): ``stock`` (units the gate may still admit) and
``buyers`` (units per buyer) plus ``meta`` (window and limit). They are primed from the
database the first time a sale is seen (under the sale row's lock, so no reservation can
slip between the read and the write), kept in step by releases and expiries, and rebuilt
by ``resync`` (the expiry job calls it; so can an operator after a Redis restart).

Errors talking to Redis never refuse a buyer: the reservation goes the database-only way.
The gate can only ever be more cautious than the database (a give-back lost in a Redis
outage makes it admit less until the next resync), never less: PostgreSQL still refuses.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from redis.exceptions import NoScriptError

log = logging.getLogger(__name__)

PREFIX = "shopops:fs:"

# KEYS: stock, buyers, meta. ARGV: buyer, quantity, now (epoch seconds).
# Returns {code, remaining, limit}: 1 admitted, 0 not primed, -1 not running, -2 over the limit,
# -3 sold out (remaining = what the gate holds).
_ADMIT = """
local stock = redis.call('GET', KEYS[1])
if not stock then return {0, 0, 0} end
stock = tonumber(stock)
local q = tonumber(ARGV[2])
local meta = redis.call('HMGET', KEYS[3], 'starts', 'ends', 'limit')
local now = tonumber(ARGV[3])
local limit = tonumber(meta[3])
if now < tonumber(meta[1]) or now >= tonumber(meta[2]) then return {-1, stock, limit} end
if q > limit then return {-2, stock, limit} end
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if held + q > limit then return {-2, stock, limit} end
if stock < q then return {-3, stock, limit} end
redis.call('DECRBY', KEYS[1], q)
redis.call('HINCRBY', KEYS[2], ARGV[1], q)
return {1, stock - q, limit}
"""

# KEYS: stock, buyers. ARGV: buyer, quantity. Only while primed (a missing key is primed later
# from the database, which already counts the give-back).
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[2])
if redis.call('HINCRBY', KEYS[2], ARGV[1], -tonumber(ARGV[2])) <= 0 then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1
"""

# KEYS: stock, buyers, meta. ARGV: remaining, starts, ends, limit, then buyer, units pairs.
# Writes nothing when the sale is primed already (another process won the race).
_PRIME = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2])
for i = 5, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('HSET', KEYS[3], 'starts', ARGV[2], 'ends', ARGV[3], 'limit', ARGV[4])
redis.call('SET', KEYS[1], ARGV[1])
return 1
"""

ADMITTED, NOT_PRIMED, NOT_RUNNING, OVER_LIMIT, SOLD_OUT = 1, 0, -1, -2, -3


@dataclass(frozen=True)
class SaleState:
    """What the database holds for one sale, to prime the gate with."""

    remaining: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    per_buyer_limit: int
    buyers: dict[str, int]


class FlashGate:
    """The Redis side of the gate; ``client`` is a ``redis.Redis``."""

    def __init__(self, client) -> None:
        self.client = client
        self._admit = client.register_script(_ADMIT)
        self._admit_sha = self._admit.sha  # EVALSHA straight (no Script wrapper per attempt); no server call here
        self._give_back = client.register_script(_GIVE_BACK)
        self._prime = client.register_script(_PRIME)

    @staticmethod
    def keys(flash_sale_id: int) -> list[str]:
        base = f"{PREFIX}{flash_sale_id}:"
        return [base + "stock", base + "buyers", base + "meta"]

    def admit(self, flash_sale_id: int, buyer_id: str, quantity: int, now: dt.datetime) -> tuple[int, int, int]:
        """(code, units the gate still holds, the per-buyer limit)."""
        keys = self.keys(flash_sale_id)
        try:
            code, remaining, limit = self.client.execute_command(
                "EVALSHA", self._admit_sha, 3, *keys, buyer_id, quantity, int(now.timestamp()))
        except NoScriptError:  # the server restarted and lost its scripts: load again
            code, remaining, limit = self._admit(keys=keys, args=[buyer_id, quantity, int(now.timestamp())])
        return int(code), int(remaining), int(limit)

    def give_back(self, flash_sale_id: int, buyer_id: str, quantity: int) -> None:
        self._give_back(keys=self.keys(flash_sale_id)[:2], args=[buyer_id, quantity])

    def prime(self, flash_sale_id: int, state: SaleState) -> bool:
        # whole seconds: a sale's window is set in minutes
        args: list = [state.remaining, int(state.starts_at.timestamp()), int(state.ends_at.timestamp()),
                      state.per_buyer_limit]
        for buyer, units in state.buyers.items():
            if units > 0:
                args += [buyer, units]
        return bool(self._prime(keys=self.keys(flash_sale_id), args=args))

    def forget(self, flash_sale_id: int) -> None:
        self.client.delete(*self.keys(flash_sale_id))

    def remaining(self, flash_sale_id: int) -> int | None:
        value = self.client.get(self.keys(flash_sale_id)[0])
        return None if value is None else int(value)


_gates: dict[str, FlashGate] = {}


def gate_for(url: str) -> FlashGate | None:
    """The gate for ``url`` (one client per process and URL); None when ``url`` is empty."""
    if not url:
        return None
    gate = _gates.get(url)
    if gate is None:
        import redis

        gate = _gates[url] = FlashGate(redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5))
    return gate
