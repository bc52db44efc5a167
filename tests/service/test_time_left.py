"""How the queue says the business time left of an SLA (hand-written expectations, both languages)."""

import pytest
from django.utils import translation

from shopops.service.templatetags.service_tags import time_left


@pytest.mark.parametrize(("seconds", "en", "zh"), [
    (None, "—", "—"),
    (7500, "2 h 05 min", "2 小时 05 分"),
    (600, "10 min", "10 分钟"),
    (59, "< 1 min", "不到 1 分钟"),
    (0, "< 1 min", "不到 1 分钟"),  # the deadline is now: not "0 min"
    (-30, "overdue < 1 min", "已超时 不到 1 分钟"),  # was "overdue 0 min"
    (-3900, "overdue 1 h 05 min", "已超时 1 小时 05 分"),
])
def test_time_left(seconds, en, zh):
    with translation.override("en"):
        assert time_left(seconds) == en
    with translation.override("zh-hans"):
        assert time_left(seconds) == zh
