"""On a new install (no paid order yet) the campaigns warm-up job has nothing to build and says so: it failed
every 10 minutes with KeyError 'stocking', the owner's first look at the Jobs page a red 失败."""

from __future__ import annotations

import pytest

from shopops.campaigns.jobs import campaigns_warm

pytestmark = pytest.mark.django_db


def test_the_warm_up_job_on_an_empty_warehouse(warehouse):
    assert campaigns_warm() == "0 live pages, 0 复盘 warm (0 without enough history), 0 stocking plans (plan × store)"
