"""The scorecards' role rows pool their people: CSAT over the answers, not a mean of the people's shares."""

from __future__ import annotations

from decimal import Decimal

import pytest

from shopops.campaigns.selectors import ScoreRow, scorecards_by_role


def test_role_csat_is_satisfied_answers_over_answers():
    # hand count: 客服 mei 9 of 10 answers 4–5, jie 1 of 2, a third agent no answers yet -> 10 / 12
    rows = [ScoreRow(1, "mei", "customer_service", "客服", [], csat=0.9, csat_answers=10),
            ScoreRow(2, "jie", "customer_service", "客服", [], csat=0.5, csat_answers=2),
            ScoreRow(3, "new", "customer_service", "客服", []),
            ScoreRow(4, "ops", "ops_specialist", "运营", ["tmall"], gmv=Decimal("900"), gmv_target=Decimal("1000"))]
    by_role = {r["role"]: r for r in scorecards_by_role(rows)}
    assert by_role["客服"]["csat"] == pytest.approx(10 / 12)  # a mean of shares would say 0.70
    assert by_role["客服"]["csat_answers"] == 12 and by_role["客服"]["people"] == 3
    assert by_role["运营"]["csat"] is None and by_role["运营"]["target_achievement"] == pytest.approx(0.9)
