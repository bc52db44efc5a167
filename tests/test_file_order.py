"""The test files go to the xdist workers as units, longest first (tests/support/file_order.py), by hand."""

from __future__ import annotations

from support.file_order import load_seconds, order, spark_files, write_seconds


def test_measured_seconds_first_then_tests_times_the_mean():
    seconds = {"a.py": (80.0, 1), "b.py": (10.0, 9)}  # mean 9 s per test
    units = {"b.py": {"b.py": 9}, "many.py": {"many.py": 5}, "a.py": {"a.py": 1}, "new.py": {"new.py": 12},
             "one.py": {"one.py": 1}}
    # a 80; new 12 × 9 = 108; many 45; b 10 (measured, not 9 × 9); one 9
    assert order(units, seconds) == ["new.py", "a.py", "many.py", "b.py", "one.py"]


def test_a_unit_of_several_files_costs_their_sum():
    seconds = {"s1.py": (30.0, 3), "s2.py": (40.0, 5), "big.py": (60.0, 2)}  # mean 130 / 10 = 13 s
    units = {"big.py": {"big.py": 2}, "spark": {"s1.py": 3, "s2.py": 5, "s3.py": 1}}
    assert order(units, seconds) == ["spark", "big.py"]  # 30 + 40 + 1 × 13 = 83 > 60


def test_without_measurements_more_tests_first_and_ties_keep_their_order():
    assert order({"x.py": {"x.py": 2}, "y.py": {"y.py": 3}, "z.py": {"z.py": 2}}, {}) == ["y.py", "x.py", "z.py"]


def test_spark_files_by_their_engine_parameter_or_name():
    ids = ["tests/a.py::test_x[duckdb]", "tests/a.py::test_x[spark]",
           "tests/b.py::test_y[spark-product_day]", "tests/c.py::test_sparkline[duckdb]",
           "tests/d.py::test_z[postgres-spark_like]", "tests/w/test_spark_restart.py::test_two",
           "tests/e.py::test_plain"]
    assert spark_files(ids) == {"tests/a.py", "tests/b.py", "tests/w/test_spark_restart.py"}


def test_written_seconds_read_back_and_a_missing_or_broken_file_reads_as_none(tmp_path):
    path = tmp_path / "s.json"
    write_seconds(path, {"b.py": (1.26, 2), "a.py": (30.04, 1)})
    assert path.read_text() == '{\n"a.py": [30.0, 1],\n"b.py": [1.3, 2]\n}\n'
    assert load_seconds(path) == {"a.py": (30.0, 1), "b.py": (1.3, 2)}
    assert load_seconds(tmp_path / "missing.json") == {}
    path.write_text("{not json")
    assert load_seconds(path) == {}
