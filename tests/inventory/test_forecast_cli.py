"""``shopops forecast backtest`` on a user's file: the seasonal-naive figure against numpy, the output
shape, GBK files and bad rows named (file, row, column, value)."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from shopops.inventory.forecasting.backtest_file import backtest, read_series

START = dt.date(2023, 1, 6)  # a Friday: weekly rows like Walmart's


def _write(path, rows, encoding="utf-8"):
    path.write_text("id,date,value\n" + "\n".join(f"{i},{d.isoformat()},{v}" for i, d, v in rows) + "\n", encoding=encoding)


def test_weekly_backtest_prints_models_and_the_chosen_line(tmp_path, capsys):
    from shopops.cli import main

    rng = np.random.default_rng(3)
    weeks, h = 130, 8
    t = np.arange(weeks)
    values = {f"店{k}": rng.poisson(40 + 20 * np.sin(2 * np.pi * t / 52 + k) + 0.1 * t) for k in range(6)}
    rows = [(k, START + dt.timedelta(days=7 * j), int(v[j])) for k, v in values.items() for j in range(weeks)]
    path = tmp_path / "weekly.csv"
    _write(path, rows, encoding="gbk")
    assert main(["forecast", "backtest", "--series", str(path), "--freq", "W", "--horizon", str(h)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    m = re.fullmatch(r"chosen: mean MASE ([0-9.]+) \(seasonal naive ([0-9.]+)\)", out[-1])
    assert m, out[-1]
    assert any(line.startswith("SeasonalNaive: mean MASE") for line in out)
    # the seasonal naive figure by numpy: season 52 (two years and more of weeks)
    mases = []
    for v in values.values():
        train, actual = v[:weeks - h].astype(float), v[weeks - h:].astype(float)
        scale = np.abs(train[52:] - train[:-52]).mean()
        mases.append(np.abs(np.resize(train[-52:], h) - actual).mean() / scale)
    assert float(m.group(2)) == pytest.approx(np.mean(mases), abs=5e-4)


def test_bad_rows_are_named(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("id,date,value\na,2025-01-01,3\na,2025-01-02,-1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv: row 3, column value: '-1' is not a number ≥ 0"):
        read_series(path)
    path.write_text("id,date,value\na,2025-13-01,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2, column date: '2025-13-01' is not a date"):
        read_series(path)
    path.write_text("sku,date,qty\na,2025-01-01,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        read_series(path)


def test_too_short_history_is_refused(tmp_path):
    path = tmp_path / "short.csv"
    _write(path, [("a", START, 3)])
    with pytest.raises(ValueError, match="no series has history before"):
        backtest(read_series(path), freq="D", horizon=7)
