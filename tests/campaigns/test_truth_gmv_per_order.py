"""The campaign truth's GMV per order (``demo.generator.truth``) is the generator's own expectation:
the exact expected subtotal equals the mean of many orders the generator's ``OrderModel`` samples,
and the control-variate estimate from a few hundred orders a day equals a plain average of many
thousands (within the large sample's own error) — the counterfactual the 复盘 is judged against is
no longer noisy (docs/campaigns.md, "The truth it is measured against")."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from shopops.demo.generator.calendar import build_calendar
from shopops.demo.generator.catalogue import build_catalogue, product_day_weights, store_affinity
from shopops.demo.generator.orders import OrderModel
from shopops.demo.generator.people import Skeleton, build_people
from shopops.demo.generator.spec import SCALES, STORES, stream
from shopops.demo.generator.truth import expected_amount, expected_subtotal

END = dt.date(2025, 9, 20)  # 99划算节 (09-07 … 09-09) and ordinary days around it


@pytest.fixture(scope="module")
def model():
    start = END - dt.timedelta(days=59)
    cal = build_calendar(start, END)
    cat = build_catalogue(41, cal.days)
    people, _ = build_people(41, cal, SCALES["small"])
    weights = store_affinity(cat)[:, None, :] * product_day_weights(cat, cal.month, cal.days)[None, :, :]
    return OrderModel(cal, cat, people, weights), people


def _sample(model, people, days, k, seed):
    n_stores = len(STORES)
    store = np.repeat(np.arange(n_stores), days.size * k)
    day = np.tile(np.repeat(days, k), n_stores)
    order = np.argsort(day, kind="stable")
    sk = Skeleton(day=day[order], store=store[order], account=people.store_offsets[store[order]],
                  paid=np.ones(store.size, dtype=bool), presale=np.zeros(store.size, dtype=bool),
                  deposit_day=day[order])
    oc = model.build(stream(seed, "oracle"), sk, 0, store.size, np.zeros(n_stores, dtype=np.int64))
    subtotal = np.bincount(oc.line_order, (oc.line_unit * oc.line_qty).astype(np.float64), minlength=oc.store.size)
    return oc, subtotal


def test_exact_subtotal_is_the_mean_of_many_sampled_orders(model):
    m, people = model
    days = np.array([5, 30, 46, 47, 48, 58])  # ordinary days and the sale's (level 1 and 2)
    assert {int(v) for v in m.cal.level[0, days]} >= {0, 1, 2}
    exact = expected_subtotal(m, days)
    oc, subtotal = _sample(m, people, days, 20_000, 1)
    z = []
    for s in range(len(STORES)):
        for j, d in enumerate(days):
            x = subtotal[(oc.store == s) & (oc.day == d)]
            z.append((x.mean() - exact[s, j]) / (x.std() / np.sqrt(x.size)))
    z = np.array(z)
    # 30 independent z-scores of a correct expectation: each within ±4.5, their mean near 0
    assert np.abs(z).max() < 4.5, z.round(2)
    assert abs(z.mean()) < 3 / np.sqrt(z.size), z.round(2)


def test_control_variate_estimate_equals_a_large_plain_average(model):
    m, people = model
    days = np.array([12, 47, 48])
    cv = expected_amount(m, people, days, stream(2, "truth"), samples=300)
    oc, _ = _sample(m, people, days, 40_000, 3)
    for s in range(len(STORES)):
        for j, d in enumerate(days):
            x = oc.amount[(oc.store == s) & (oc.day == d)].astype(np.float64)
            se = x.std() / np.sqrt(x.size)
            assert abs(cv[s, j] - x.mean()) < 4.5 * se, (STORES[s].store_id, int(d), cv[s, j], x.mean(), se)
    # and it is far less noisy than a plain average of the same 300 orders: two independent runs agree
    again = expected_amount(m, people, days, stream(4, "truth"), samples=300)
    plain = expected_amount(m, people, days, stream(4, "truth"), samples=300, control=False)
    assert np.abs(again / cv - 1).max() < 0.01
    assert np.abs(again / cv - 1).mean() < np.abs(plain / cv - 1).mean() / 4
