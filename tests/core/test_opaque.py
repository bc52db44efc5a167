"""Opaque keys (core.opaque): nothing of the values shows, they come back exactly, and a key
from another secret or purpose, or a tampered one, is refused."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shopops.core.opaque import OpaqueKeyError, opaque_open, opaque_seal

SECRET = "test-secret-" + "x" * 40


@given(st.tuples(st.text(max_size=600), st.text(max_size=80)))
def test_round_trip_of_any_values(values):
    key = opaque_seal(values, secret=SECRET, purpose="p")
    assert opaque_open(key, secret=SECRET, purpose="p") == values
    assert key == opaque_seal(values, secret=SECRET, purpose="p")  # stable links
    assert all(c.isalnum() or c in "-_" for c in key)


def test_the_values_do_not_show_in_the_key():
    key = opaque_seal(("jd", "jd_30000001882"), secret=SECRET, purpose="p")
    raw = base64.urlsafe_b64decode(key + "=" * (-len(key) % 4))
    assert b"30000001882" not in raw and "30000001882" not in key and b"jd_" not in raw


def test_other_secret_purpose_or_tampering_is_refused():
    key = opaque_seal(("tmall", "c1"), secret=SECRET, purpose="p")
    with pytest.raises(OpaqueKeyError):
        opaque_open(key, secret=SECRET + "!", purpose="p")
    with pytest.raises(OpaqueKeyError):
        opaque_open(key, secret=SECRET, purpose="q")
    flipped = key[:-2] + ("A" if key[-2] != "A" else "B") + key[-1]
    with pytest.raises(OpaqueKeyError):
        opaque_open(flipped, secret=SECRET, purpose="p")
    for junk in ("", "abc", "!!!!", "A" * 100):
        with pytest.raises(OpaqueKeyError):
            opaque_open(junk, secret=SECRET, purpose="p")
