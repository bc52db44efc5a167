"""The optional Redis gate in front of flash-sale reservations, on a real Redis and PostgreSQL.

PostgreSQL only (the gate runs only there): the ``--appdb-only`` pass of ``make test``.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import pytest
import redis
from django.db import connection

from shopops.promotions import flash_gate, services
from shopops.promotions.models import FlashSale, FlashSaleBuyer, Reservation
from support.threads import in_threads

NOW = dt.datetime(2026, 11, 11, 0, 0, tzinfo=dt.timezone.utc)
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the flash-sale gate runs with a PostgreSQL app DB (make test's --appdb-only pass); "
                    f"the app DB here is {connection.vendor}")


def _sale(quantity: int, limit: int) -> FlashSale:
    return services.flash_sale_create(sku="TEE", price=Decimal("9.90"), quantity=quantity, per_buyer_limit=limit,
                                      starts_at=NOW, ends_at=NOW + dt.timedelta(hours=1))


def _gate_stock(url: str, sale: FlashSale) -> int | None:
    value = redis.Redis.from_url(url).get(f"shopops:fs:{sale.pk}:stock")
    return None if value is None else int(value)


def _burst(sale: FlashSale) -> list[int]:
    """64 buyer threads x 200 attempts of one unit; the units each got."""
    def buyer(k: int) -> int:
        got = 0
        for _ in range(200):
            try:
                services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id=f"b{k}", quantity=1, now=NOW)
                got += 1
            except services.FlashSaleError:
                pass
        return got

    return in_threads(64, buyer)


def test_64_buyers_200_attempts_through_the_gate_sell_exactly_1000(redis_url):
    sale = _sale(1000, 20)
    per_buyer = _burst(sale)
    sale.refresh_from_db()
    assert sum(per_buyer) == 1000 and max(per_buyer) <= 20
    assert sale.remaining == 0
    assert Reservation.objects.filter(flash_sale=sale).count() == 1000
    assert all(row.units <= 20 for row in FlashSaleBuyer.objects.filter(flash_sale=sale))
    assert _gate_stock(redis_url, sale) == 0


def test_the_gate_refuses_without_the_database_but_never_admits_past_it(redis_url):
    sale = _sale(5, 2)
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="a", quantity=1, now=NOW)  # primes the gate
    client = redis.Redis.from_url(redis_url)
    stock_key = f"shopops:fs:{sale.pk}:stock"
    assert int(client.get(stock_key)) == 4

    # the gate says sold out while the database still has 4: refused by the gate alone
    client.set(stock_key, 0)
    with pytest.raises(services.FlashSaleError, match="sold out"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b", quantity=1, now=NOW)
    assert FlashSale.objects.get(pk=sale.pk).remaining == 4

    # the gate holds more than the database (a stale gate): the database refuses, the gate gets it back
    client.set(stock_key, 50)
    services._gate().announce_restock(sale.pk)  # state changed by hand: this process's sold-out memo drops
    FlashSale.objects.filter(pk=sale.pk).update(remaining=0)
    with pytest.raises(services.FlashSaleError, match="sold out"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="c", quantity=1, now=NOW)
    assert int(client.get(stock_key)) == 50
    assert Reservation.objects.filter(flash_sale=sale).count() == 1


def test_limit_window_release_and_resync(redis_url):
    sale = _sale(10, 2)
    r1 = services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="a", quantity=2, now=NOW)
    with pytest.raises(services.FlashSaleError, match="reached the limit of 2"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="a", quantity=1, now=NOW)
    with pytest.raises(services.FlashSaleError, match="at most 2 per buyer"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b", quantity=3, now=NOW)
    with pytest.raises(services.FlashSaleError, match="not running"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b", quantity=1, now=NOW + dt.timedelta(hours=2))
    assert _gate_stock(redis_url, sale) == 8

    # a release gives the units back to the database and, after commit, to the gate
    assert services.flash_sale_release(reservation_id=r1.pk, buyer_id="a", now=NOW)
    assert FlashSale.objects.get(pk=sale.pk).remaining == 10
    assert _gate_stock(redis_url, sale) == 10
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="a", quantity=2, now=NOW)

    # Redis lost everything (a restart): the next attempt primes the gate from the database,
    # buyer a's two units included
    redis.Redis.from_url(redis_url).flushdb()
    with pytest.raises(services.FlashSaleError, match="reached the limit of 2"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="a", quantity=1, now=NOW)
    assert _gate_stock(redis_url, sale) == 8
    # an operator's resync rebuilds it from the database too
    redis.Redis.from_url(redis_url).set(f"shopops:fs:{sale.pk}:stock", 1)
    assert services.flash_sale_gate_resync(flash_sale_id=sale.pk)
    assert _gate_stock(redis_url, sale) == 8


def test_redis_down_the_database_decides_alone(redis_url, settings, tmp_path):
    settings.SHOPOPS_REDIS_URL = f"unix://{tmp_path}/nobody-listens.sock"
    sale = _sale(1, 1)
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="a", quantity=1, now=NOW)
    with pytest.raises(services.FlashSaleError, match="sold out"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b", quantity=1, now=NOW)
    assert Reservation.objects.filter(flash_sale=sale).count() == 1


def test_gate_script_rules_on_redis(redis_url):
    """The Lua rules alone, against hand-set state."""
    gate = flash_gate.FlashGate(redis.Redis.from_url(redis_url))
    state = flash_gate.SaleState(remaining=3, starts_at=NOW, ends_at=NOW + dt.timedelta(minutes=5),
                                 per_buyer_limit=2, buyers={"x": 2})
    assert gate.admit(99, "y", 1, NOW)[0] == flash_gate.NOT_PRIMED
    assert gate.prime(99, state) and not gate.prime(99, state)  # the second prime writes nothing
    assert gate.admit(99, "x", 1, NOW) == (flash_gate.OVER_LIMIT, 3, 2)
    assert gate.admit(99, "y", 1, NOW - dt.timedelta(seconds=1))[0] == flash_gate.NOT_RUNNING
    assert gate.admit(99, "y", 1, NOW + dt.timedelta(minutes=5))[0] == flash_gate.NOT_RUNNING
    assert gate.admit(99, "y", 2, NOW) == (flash_gate.ADMITTED, 1, 2)
    assert gate.admit(99, "z", 2, NOW) == (flash_gate.SOLD_OUT, 1, 2)
    gate.give_back(99, "y", 2)
    assert gate.remaining(99) == 3
    assert gate.client.hget("shopops:fs:99:buyers", "y") is None


def test_a_new_sale_does_not_inherit_a_gate_left_under_its_id(redis_url):
    # a database restored or recreated gives ids out again; Redis still holds the gate of the old sale under
    # that id (here sold out): the new sale must sell (the bench, recreating its database each run, sold
    # nothing through the gate from its second run on and read it as "faster than raw")
    with connection.cursor() as cur:
        cur.execute("SELECT last_value, is_called FROM promotions_flashsale_id_seq")
        last, called = cur.fetchone()
    next_id = last + 1 if called else last
    client = redis.Redis.from_url(redis_url)
    client.set(f"shopops:fs:{next_id}:stock", 0)
    client.hset(f"shopops:fs:{next_id}:meta", mapping={"starts": 0, "ends": 2**40, "limit": 5})
    sale = _sale(10, 5)
    assert sale.pk == next_id
    assert _gate_stock(redis_url, sale) is None  # forgotten once the sale committed
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="b1", quantity=1, now=NOW)
    sale.refresh_from_db()
    assert sale.remaining == 9 and _gate_stock(redis_url, sale) == 9


def _until(condition, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _listening_gate() -> flash_gate.FlashGate:
    gate = services._gate()
    gate._memo_refuses(0, 1)  # starts this process's listener when it has none yet
    assert gate.memo_seconds > 0 and _until(lambda: gate._listening), "the restock listener did not subscribe"
    return gate


def _sold_out_sale(quantity: int = 1) -> FlashSale:
    sale = _sale(quantity, quantity)
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="first", quantity=quantity, now=NOW)
    with pytest.raises(services.FlashSaleError, match="sold out"):  # Redis answers, the memo is written
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="second", quantity=1, now=NOW)
    return sale


def test_sold_out_memo_refuses_without_redis_until_another_process_announces_a_restock(redis_url):
    gate = _listening_gate()
    sale = _sold_out_sale()
    # Redis now holds 3 units again, changed behind this process's back: the memo still refuses, so the
    # refusal did not ask Redis (which would admit) — nor the database, which is sold out as well
    client = redis.Redis.from_url(redis_url)
    client.set(f"shopops:fs:{sale.pk}:stock", 3)
    FlashSale.objects.filter(pk=sale.pk).update(quantity=4, remaining=3)
    refused_before = gate.memo_refusals
    with pytest.raises(services.FlashSaleError, match="sold out"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="third", quantity=1, now=NOW)
    assert gate.memo_refusals == refused_before + 1
    assert int(client.get(f"shopops:fs:{sale.pk}:stock")) == 3
    # another process (its own gate, no memo) announces the restock: this process's listener drops the memo
    other = flash_gate.FlashGate(redis.Redis.from_url(redis_url))
    other.announce_restock(sale.pk)
    assert _until(lambda: sale.pk not in gate._memo), "the restock message did not drop the memo"
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="third", quantity=1, now=NOW)
    assert int(client.get(f"shopops:fs:{sale.pk}:stock")) == 2
    assert FlashSale.objects.get(pk=sale.pk).remaining == 2


def test_a_release_drops_the_memo_and_the_unit_sells_again(redis_url):
    _listening_gate()
    sale = _sold_out_sale()
    first = Reservation.objects.get(flash_sale=sale, buyer_id="first")
    assert services.flash_sale_release(reservation_id=first.pk, buyer_id="first", now=NOW)
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="second", quantity=1, now=NOW)
    assert FlashSale.objects.get(pk=sale.pk).remaining == 0


def test_a_memo_answered_before_a_restock_is_void(redis_url):
    """The restock message may arrive before the thread that read "sold out" writes its memo: the memo
    carries the generation it was answered under, and a later generation voids it."""
    gate = _listening_gate()
    sale = _sold_out_sale()
    gen, limit, deadline, epoch = gate._memo[sale.pk]
    assert gate._memo_refuses(sale.pk, 1) is not None
    gate._restocked_now(sale.pk, gen + 1)  # the message of a give-back after that answer
    gate._memo[sale.pk] = (gen, limit, deadline, epoch)  # the late writer
    assert gate._memo_refuses(sale.pk, 1) is None
    gate._memo[sale.pk] = (gen + 1, limit, deadline, epoch)  # answered after the give-back: valid
    assert gate._memo_refuses(sale.pk, 1) is not None
    gate._memo[sale.pk] = (gen + 1, limit, time.monotonic() - 1, epoch)  # lived out its seconds
    assert gate._memo_refuses(sale.pk, 1) is None


def test_memos_are_off_while_the_listener_is_not_subscribed(redis_url):
    """A restock message lost while the subscription is down must not leave a memo refusing: when Redis
    drops the listener's connection every memo goes and none is used until it has subscribed again."""
    gate = _listening_gate()
    sale = _sold_out_sale()
    assert sale.pk in gate._memo
    epoch = gate._epoch
    redis.Redis.from_url(redis_url).execute_command("CLIENT", "KILL", "TYPE", "pubsub")
    assert _until(lambda: gate._epoch != epoch), "the listener did not notice its connection dropped"
    assert sale.pk not in gate._memo
    assert _until(lambda: gate._listening), "the listener did not subscribe again"
    # the memo comes back only from a new answer by Redis
    with pytest.raises(services.FlashSaleError, match="sold out"):
        services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="second", quantity=1, now=NOW)
    assert gate._memo[sale.pk][3] == gate._epoch


def test_memo_off_asks_redis_every_time(redis_url, settings):
    settings.SHOPOPS_FLASH_MEMO_SECONDS = 0
    sale = _sold_out_sale()
    gate = services._gate()
    assert gate.memo_seconds == 0 and not gate._memo
    redis.Redis.from_url(redis_url).set(f"shopops:fs:{sale.pk}:stock", 1)
    FlashSale.objects.filter(pk=sale.pk).update(remaining=1)
    services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="third", quantity=1, now=NOW)


def test_a_burst_through_the_gate_opens_a_handful_of_connections_not_one_per_thread(redis_url):
    """Refused attempts never touch PostgreSQL, and admitted ones are written by the group commit on the
    shared writer pool: 64 buyer threads open a few connections in all (the store check, the gate's prime
    and one writer), where each leading thread used to open its own (~54 of 64 in the bench)."""
    from django.db.backends.signals import connection_created

    sale = _sale(1000, 200)
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(connection.alias)

    connection_created.connect(count)
    try:
        per_buyer = _burst(sale)
    finally:
        connection_created.disconnect(count)
    assert sum(per_buyer) == 1000 and FlashSale.objects.get(pk=sale.pk).remaining == 0
    assert 1 <= len(opened) <= 4, f"{len(opened)} connections opened by 64 threads"


def test_a_writer_connection_killed_while_idle_is_replaced(redis_url, monkeypatch):
    from shopops.promotions import writers

    monkeypatch.setattr(writers, "HEALTH_CHECK_AFTER_S", 0.0)  # check on every borrow here
    sale = _sale(10, 5)

    def reserve_in_a_thread(buyer: str) -> None:  # outside the test's thread: the group-commit path
        in_threads(1, lambda k: services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id=buyer, quantity=1, now=NOW))

    reserve_in_a_thread("a")
    assert len(writers._idle) == 1
    pid = writers._idle[0][0].connection.info.backend_pid
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
    assert _until(lambda: not _backend_alive(pid))
    opened = writers.opened
    reserve_in_a_thread("b")
    assert writers.opened == opened + 1
    assert Reservation.objects.filter(flash_sale=sale).count() == 2


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cur.fetchone()[0] == 1


def test_a_forked_worker_has_no_memo_until_its_own_listener_subscribed(redis_url):
    gate = _listening_gate()
    sale = _sold_out_sale()
    assert gate._memo_refuses(sale.pk, 1) is not None
    flash_gate._after_fork_in_child()  # what os.register_at_fork runs in a child process
    assert not gate._listening and not gate._memo and gate._listener_pid is None
    assert gate._memo_refuses(sale.pk, 1) is None  # starts the child's listener, asks Redis meanwhile
    assert _until(lambda: gate._listening)


def test_a_forked_worker_does_not_borrow_the_parents_writer_connections(redis_url):
    from shopops.promotions import writers

    sale = _sale(10, 5)
    in_threads(1, lambda k: services.flash_sale_reserve(flash_sale_id=sale.pk, buyer_id="a", quantity=1, now=NOW))
    assert len(writers._idle) == 1
    parents = writers._idle[0][0]
    writers._after_fork_in_child()  # what os.register_at_fork runs in a child process
    assert not writers._idle
    assert parents.connection is not None and not parents.connection.closed  # left to the parent, not closed
    parents.close()
