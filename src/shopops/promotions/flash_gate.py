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

**The sold-out memo** (``SHOPOPS_FLASH_MEMO_SECONDS``, default 1 s; 0 turns it off). Once the
gate has answered "sold out" for a sale, this process refuses that sale's next attempts on its
own, without the Redis round trip — the local sold-out flag of the usual 秒杀 design. Stock
comes back only through a give-back (release, expiry, an admitted attempt the database
refused) or a forget/resync; each of those bumps the sale's ``gen`` key and publishes
``<id>:<gen>`` on ``shopops:fs:restock`` in the same Lua call, and a listener thread per process
drops the memo of that sale. A memo remembers the ``gen`` it was answered under, so a restock
announced between the Redis answer and the memo being written still wins. The memo is used only
while the listener is subscribed (a dropped subscription clears every memo and turns them off
until it is back) and lives at most ``SHOPOPS_FLASH_MEMO_SECONDS`` (a Redis flushed or restarted
without announcing). A memo only ever refuses — like the gate, it can be more cautious than the
database for the time a restock message takes to arrive, never let an attempt through.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
import time
from dataclasses import dataclass

from redis.exceptions import NoScriptError

log = logging.getLogger(__name__)

PREFIX = "shopops:fs:"
RESTOCK_CHANNEL = PREFIX + "restock"  # messages "<sale id>:<gen>": the sale's stock may have come back

# KEYS: stock, buyers, meta, gen. ARGV: buyer, quantity, now (epoch seconds).
# Returns {code, remaining, limit, gen}: 1 admitted, 0 not primed, -1 not running, -2 over the
# limit, -3 sold out (remaining = what the gate holds; gen = the sale's restock generation).
_ADMIT = """
local stock = redis.call('GET', KEYS[1])
if not stock then return {0, 0, 0, 0} end
stock = tonumber(stock)
local q = tonumber(ARGV[2])
local meta = redis.call('HMGET', KEYS[3], 'starts', 'ends', 'limit')
local now = tonumber(ARGV[3])
local limit = tonumber(meta[3])
if now < tonumber(meta[1]) or now >= tonumber(meta[2]) then return {-1, stock, limit, 0} end
if q > limit then return {-2, stock, limit, 0} end
local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if held + q > limit then return {-2, stock, limit, 0} end
if stock < q then return {-3, stock, limit, tonumber(redis.call('GET', KEYS[4]) or '0')} end
redis.call('DECRBY', KEYS[1], q)
redis.call('HINCRBY', KEYS[2], ARGV[1], q)
return {1, stock - q, limit, 0}
"""

# Bump the sale's generation and tell every process (their sold-out memos of the sale drop).
# KEYS[last]: gen. ARGV[1]: the sale id.
_ANNOUNCE = """
local gen = redis.call('INCR', KEYS[#KEYS])
redis.call('PUBLISH', '""" + RESTOCK_CHANNEL + """', ARGV[1] .. ':' .. gen)
"""

# KEYS: stock, buyers, gen. ARGV: sale id, buyer, quantity. Only while primed (a missing key is
# primed later from the database, which already counts the give-back).
_GIVE_BACK = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('INCRBY', KEYS[1], ARGV[3])
if redis.call('HINCRBY', KEYS[2], ARGV[2], -tonumber(ARGV[3])) <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
""" + _ANNOUNCE + """
return 1
"""

# KEYS: stock, buyers, meta, gen. ARGV: sale id. The gen key stays (it only ever goes up).
_FORGET = """
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])
""" + _ANNOUNCE + """
return 1
"""

_RESTOCK = _ANNOUNCE + "return 1"

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
    """The Redis side of the gate; ``client`` is a ``redis.Redis``.

    ``memo_seconds`` > 0 turns on the sold-out memo (module docstring) and starts its listener
    thread (``listen_client``: a client without a read timeout, for the subscription)."""

    def __init__(self, client, *, memo_seconds: float = 0.0, listen_client=None) -> None:
        self.client = client
        self._admit = client.register_script(_ADMIT)
        self._admit_sha = self._admit.sha  # EVALSHA straight (no Script wrapper per attempt); no server call here
        self._give_back = client.register_script(_GIVE_BACK)
        self._prime = client.register_script(_PRIME)
        self._forget = client.register_script(_FORGET)
        self._restock = client.register_script(_RESTOCK)
        self.memo_seconds = memo_seconds
        self._listen_client = listen_client if listen_client is not None else client
        # sale id -> (gen answered under, per-buyer limit, monotonic deadline, listener epoch)
        self._memo: dict[int, tuple[int, int, float, int]] = {}
        self._restocked: dict[int, int] = {}  # sale id -> highest gen announced
        self._epoch = 0  # goes up whenever the subscription starts or drops: older memos are void
        self._listening = False
        self._listener_pid: int | None = None
        self._lock = threading.Lock()
        self.memo_refusals = 0  # attempts refused by the memo (for tests and the bench)

    @staticmethod
    def keys(flash_sale_id: int) -> list[str]:
        base = f"{PREFIX}{flash_sale_id}:"
        return [base + "stock", base + "buyers", base + "meta", base + "gen"]

    def admit(self, flash_sale_id: int, buyer_id: str, quantity: int, now: dt.datetime) -> tuple[int, int, int]:
        """(code, units the gate still holds, the per-buyer limit)."""
        if self.memo_seconds > 0:
            refused = self._memo_refuses(flash_sale_id, quantity)
            if refused is not None:
                return refused
            epoch = self._epoch if self._listening else None
        keys = self.keys(flash_sale_id)
        try:
            code, remaining, limit, gen = self.client.execute_command(
                "EVALSHA", self._admit_sha, 4, *keys, buyer_id, quantity, int(now.timestamp()))
        except NoScriptError:  # the server restarted and lost its scripts: load again
            code, remaining, limit, gen = self._admit(keys=keys, args=[buyer_id, quantity, int(now.timestamp())])
        if self.memo_seconds > 0 and code == SOLD_OUT and int(remaining) == 0 and epoch is not None:
            self._memo[flash_sale_id] = (int(gen), int(limit), time.monotonic() + self.memo_seconds, epoch)
        return int(code), int(remaining), int(limit)

    def _memo_refuses(self, flash_sale_id: int, quantity: int) -> tuple[int, int, int] | None:
        """The gate's answer from the memo, or None (ask Redis)."""
        if self._listener_pid != os.getpid():  # first use, or a forked worker: no listener thread here yet
            self._start_listener()
            return None
        memo = self._memo.get(flash_sale_id)
        if memo is None:
            return None
        gen, limit, deadline, epoch = memo
        if (not self._listening or epoch != self._epoch or time.monotonic() >= deadline
                or self._restocked.get(flash_sale_id, 0) > gen):
            self._memo.pop(flash_sale_id, None)
            return None
        self.memo_refusals += 1  # not exact across threads (a counter for the bench)
        return (OVER_LIMIT if quantity > limit else SOLD_OUT), 0, limit

    def _start_listener(self) -> None:
        with self._lock:
            if self._listener_pid == os.getpid():
                return
            self._listener_pid = os.getpid()
            self._listening = False
            self._epoch += 1
            self._memo.clear()
        threading.Thread(target=self._listen, name="shopops-flash-gate-listener", daemon=True).start()

    def _drop_memos(self) -> None:
        with self._lock:
            self._listening = False
            self._epoch += 1
            self._memo.clear()

    def _restocked_now(self, flash_sale_id: int, gen: int) -> None:
        with self._lock:
            if gen > self._restocked.get(flash_sale_id, 0):
                self._restocked[flash_sale_id] = gen
            self._memo.pop(flash_sale_id, None)

    def _listen(self) -> None:
        """The listener thread: restock messages drop memos; any error turns memos off until resubscribed."""
        pid = os.getpid()
        while self._listener_pid == pid:
            pubsub = None
            try:
                pubsub = self._listen_client.pubsub()
                pubsub.subscribe(RESTOCK_CHANNEL)
                while self._listener_pid == pid:
                    message = pubsub.get_message(timeout=5.0)
                    if message is None:
                        continue
                    if message["type"] == "subscribe":
                        with self._lock:
                            self._epoch += 1
                            self._listening = True
                    elif message["type"] == "message":
                        sale, _, gen = message["data"].decode().partition(":")
                        self._restocked_now(int(sale), int(gen))
            except Exception as exc:  # noqa: BLE001 — any failure: no memo until the subscription is back
                log.debug("flash-sale gate: restock listener stopped (%s); memos off, retrying", exc)
                self._drop_memos()
                time.sleep(1.0)
            finally:
                if pubsub is not None:
                    try:
                        pubsub.close()
                    except Exception:  # noqa: BLE001
                        pass

    def give_back(self, flash_sale_id: int, buyer_id: str, quantity: int) -> None:
        self._memo.pop(flash_sale_id, None)
        keys = self.keys(flash_sale_id)
        self._give_back(keys=[keys[0], keys[1], keys[3]], args=[flash_sale_id, buyer_id, quantity])

    def announce_restock(self, flash_sale_id: int) -> None:
        """Tell every process that the sale's stock may have come back (their memos of it drop) —
        after changing a sale's gate state by hand."""
        self._memo.pop(flash_sale_id, None)
        self._restock(keys=self.keys(flash_sale_id)[3:], args=[flash_sale_id])

    def prime(self, flash_sale_id: int, state: SaleState) -> bool:
        # whole seconds: a sale's window is set in minutes
        args: list = [state.remaining, int(state.starts_at.timestamp()), int(state.ends_at.timestamp()),
                      state.per_buyer_limit]
        for buyer, units in state.buyers.items():
            if units > 0:
                args += [buyer, units]
        return bool(self._prime(keys=self.keys(flash_sale_id), args=args))

    def forget(self, flash_sale_id: int) -> None:
        self._memo.pop(flash_sale_id, None)
        self._forget(keys=self.keys(flash_sale_id), args=[flash_sale_id])

    def remaining(self, flash_sale_id: int) -> int | None:
        value = self.client.get(self.keys(flash_sale_id)[0])
        return None if value is None else int(value)


_gates: dict[tuple[str, float], FlashGate] = {}
_gates_lock = threading.Lock()


def gate_for(url: str, memo_seconds: float = 0.0) -> FlashGate | None:
    """The gate for ``url`` (one client per process, URL and memo setting); None when ``url`` is empty."""
    if not url:
        return None
    gate = _gates.get((url, memo_seconds))
    if gate is None:
        import redis

        with _gates_lock:
            gate = _gates.get((url, memo_seconds))
            if gate is None:
                gate = _gates[(url, memo_seconds)] = FlashGate(
                    redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5),
                    memo_seconds=memo_seconds,
                    listen_client=redis.Redis.from_url(url, socket_connect_timeout=0.5, health_check_interval=10))
    return gate


def _after_fork_in_child() -> None:
    """A forked worker has none of the parent's threads: its gates start their own listener on next use
    (until then no memo), with fresh locks (one held by a parent's thread at the fork would never be released)."""
    global _gates_lock
    _gates_lock = threading.Lock()
    for gate in _gates.values():
        gate._lock = threading.Lock()
        gate._listener_pid = None
        gate._listening = False
        gate._epoch += 1
        gate._memo.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
