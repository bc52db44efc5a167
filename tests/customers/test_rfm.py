"""RFM: the scoring rule by hand, and on the imported Online Retail data against pandas over the raw file."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from shopops.customers.facts import customer_facts
from shopops.customers.lifecycle import StageRules
from shopops.customers.rfm import GROUP_GRID, GROUPS, group_of, quintile_scores, score_frame


def test_quintiles_by_hand():
    # 10 values: each pair is a quintile
    assert list(quintile_scores(pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    # ties share the score of their lowest position: six 1s (ranks 0..5 -> 1), then 2 (6/10 -> 4)
    assert list(quintile_scores(pd.Series([1, 1, 1, 1, 1, 1, 2, 3, 3, 9]))) == [1, 1, 1, 1, 1, 1, 4, 4, 4, 5]
    # recency: lower is better; 0 days is the best
    assert list(quintile_scores(pd.Series([0, 400, 30, 30, 200]), higher_is_better=False)) == [5, 1, 3, 3, 2]
    # one customer: nobody is worse -> 1
    assert list(quintile_scores(pd.Series([7]))) == [1]
    with pytest.raises(ValueError, match="missing value"):
        quintile_scores(pd.Series([1.0, None], name="gmv_window"))


def test_group_grid_is_complete_and_named():
    assert len(GROUP_GRID) == 25 and set(GROUP_GRID.values()) == set(GROUPS)
    assert group_of(5, 5) == "champions" and group_of(1, 1) == "lost" and group_of(1, 5) == "cant_lose"
    assert group_of(5, 1) == "new" and group_of(4, 1) == "promising" and group_of(3, 3) == "need_attention"
    with pytest.raises(ValueError, match="R=6"):
        group_of(6, 1)


def test_score_frame_by_store():
    f = pd.DataFrame({"store_id": ["a"] * 5 + ["b"] * 5, "recency_days": [1, 2, 3, 4, 5] * 2,
                      "orders_window": [5, 4, 3, 2, 1] * 2, "gmv_window": [Decimal(x) for x in (50, 40, 30, 20, 10)] * 2})
    s = score_frame(f)
    assert list(s.r_score) == [5, 4, 3, 2, 1] * 2
    assert list(s.rfm_segment) == ["champions", "loyal", "need_attention", "hibernating", "lost"] * 2


# --- Online Retail -------------------------------------------------------------------------

AS_OF = dt.date(2011, 12, 9)  # the last invoice day


def _oracle(raw: pd.DataFrame, window: int) -> pd.DataFrame:
    """R, F, M and their 1-5 scores straight from the CSV (numpy, not pandas ranking)."""
    sales = raw[~raw.InvoiceNo.str.startswith("C") & (raw.CustomerID != "")].copy()
    sales["cust"] = sales.CustomerID.str.replace(r"\.0$", "", regex=True)
    sales["day"] = pd.to_datetime(sales.InvoiceDate.str[:10]).dt.date
    sales["amount"] = [Decimal(p).quantize(Decimal("0.01"), ROUND_HALF_UP) * int(q)
                       for p, q in zip(sales.UnitPrice, sales.Quantity)]
    inv = sales.groupby(["cust", "InvoiceNo"]).agg(day=("day", "first"), amount=("amount", lambda s: sum(s, Decimal(0))))
    inv = inv.reset_index()
    inv["ago"] = [(AS_OF - d).days for d in inv.day]
    last = inv.groupby("cust").day.max()
    w = inv[inv.ago < window]
    out = w.groupby("cust").agg(F=("InvoiceNo", "nunique"), M=("amount", lambda s: sum(s, Decimal(0))))
    out["R"] = [(AS_OF - last[c]).days for c in out.index]

    def score(values: np.ndarray, higher_is_better: bool) -> np.ndarray:
        v = values if higher_is_better else -values
        ordered = np.sort(v)
        worse = np.searchsorted(ordered, v, side="left")  # how many are strictly worse
        return 1 + (5 * worse) // len(v)

    out["r"] = score(out.R.to_numpy(dtype=float), False)
    out["f"] = score(out.F.to_numpy(dtype=float), True)
    out["m"] = score(np.array([float(x) for x in out.M]), True)
    return out.sort_index()


@pytest.mark.parametrize("window", [365, 90])
def test_rfm_on_online_retail_equals_pandas_over_the_raw_file(online_retail, online_retail_raw, window):
    want = _oracle(online_retail_raw, window)
    got = customer_facts(online_retail, as_of=AS_OF, window_days=window, rules=StageRules()).to_pandas()
    got = got[got.in_window].set_index("customer_id").sort_index()
    assert list(got.index) == list(want.index)
    assert list(got.recency_days) == list(want.R)
    assert list(got.orders_window) == list(want.F)
    assert list(got.gmv_window) == list(want.M)
    assert list(got.r_score) == list(want.r)
    assert list(got.f_score) == list(want.f)
    assert list(got.m_score) == list(want.m)
    fm = (want.f + want.m) // 2
    assert list(got.rfm_segment) == [GROUP_GRID[(r, x)] for r, x in zip(want.r, fm)]
    # the pandas path of the same scoring gives the same scores on the same R, F, M
    pd_path = score_frame(want.rename(columns={"R": "recency_days", "F": "orders_window", "M": "gmv_window"}), by=None)
    assert list(pd_path.r_score) == list(want.r) and list(pd_path.m_score) == list(want.m)
    assert list(pd_path.rfm_segment) == list(got.rfm_segment)
    # the figures a reader can check: population and group sizes
    print(f"window {window}: {len(got)} customers;", got.rfm_segment.value_counts().to_dict())
    assert len(got) > 1000 and got.rfm_segment.nunique() >= 8
