"""The test files go to the xdist workers longest first (tests/support/file_order.py), by hand."""

from __future__ import annotations

from support.file_order import load_seconds, order, write_seconds


def test_measured_seconds_first_then_tests_times_the_mean():
    seconds = {"a.py": (80.0, 1), "b.py": (10.0, 9)}  # mean 9 s per test
    files = {"b.py": 9, "many.py": 5, "a.py": 1, "new.py": 12, "one.py": 1}
    # a 80; new 12 × 9 = 108; many 45; b 10 (measured, not 9 × 9); one 9
    assert order(files, seconds) == ["new.py", "a.py", "many.py", "b.py", "one.py"]


def test_without_measurements_more_tests_first_and_ties_keep_their_order():
    assert order({"x.py": 2, "y.py": 3, "z.py": 2}, {}) == ["y.py", "x.py", "z.py"]


def test_written_seconds_read_back_and_a_missing_or_broken_file_reads_as_none(tmp_path):
    path = tmp_path / "s.json"
    write_seconds(path, {"b.py": (1.26, 2), "a.py": (30.04, 1)})
    assert path.read_text() == '{\n"a.py": [30.0, 1],\n"b.py": [1.3, 2]\n}\n'
    assert load_seconds(path) == {"a.py": (30.0, 1), "b.py": (1.3, 2)}
    assert load_seconds(tmp_path / "missing.json") == {}
    path.write_text("{not json")
    assert load_seconds(path) == {}
