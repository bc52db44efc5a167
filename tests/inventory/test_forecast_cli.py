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
    path.write_text("id,date,value\na,2025-01-01,3\na,2025-01-02,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.csv: row 3, column value: '' is not a number"):
        read_series(path)
    path.write_text("id,date,value\na,2025-01-01,3\na,2025-01-02,abc\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 3, column value: 'abc' is not a number"):
        read_series(path)
    path.write_text("id,date,value\na,2025-13-01,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 2, column date: '2025-13-01' is not a date"):
        read_series(path)
    path.write_text("id,date,value\na,2025-01-01,3\na,2025-01-08,3\na,yesterday,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 4, column date: 'yesterday' is not a date"):
        read_series(path)
    path.write_text("id,date,value\na,2025-01-01,3\n,2025-01-08,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 3, column id: empty series id"):
        read_series(path)
    path.write_text("sku,date,qty\na,2025-01-01,3\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        read_series(path)
    path.write_text("id,date,value\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no rows after the header"):
        read_series(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="the file is empty"):
        read_series(path)
    with pytest.raises(ValueError, match="no such file"):
        read_series(tmp_path / "absent.csv")


def test_cli_prints_the_error_not_a_traceback(tmp_path, capsys):
    from shopops.cli import main

    path = tmp_path / "bad.csv"
    path.write_text("id,date,value\na,2025-01-01,x\n", encoding="utf-8")
    assert main(["forecast", "backtest", "--series", str(path), "--freq", "D", "--horizon", "7"]) == 2
    err = capsys.readouterr().err
    assert "row 2, column value: 'x' is not a number" in err and "Traceback" not in err


def test_user_files_negatives_gaps_duplicates_and_short_series(tmp_path):
    """Walmart's weekly file has negative weeks (returns) and departments without every week: kept, noted,
    scored as given; a series born inside the held-out weeks is named as not scored; a duplicated row is summed."""
    rng = np.random.default_rng(11)
    weeks, h = 120, 8
    rows = []
    for k in range(5):
        v = rng.poisson(30 + 15 * np.sin(2 * np.pi * np.arange(weeks) / 52), size=weeks).astype(float)
        for j in range(weeks):
            if k == 1 and j % 9 == 4:
                continue  # a gap: no row, a week without sales
            rows.append((f"d{k}", START + dt.timedelta(days=7 * j), v[j]))
    rows.append(("d0", START + dt.timedelta(days=7 * 50), -12.5))  # a return-heavy week (second row of that week)
    rows.append(("late", START + dt.timedelta(days=7 * (weeks - 2)), 4.0))  # only inside the held-out weeks
    path = tmp_path / "user.csv"
    _write(path, rows)
    frame = read_series(path)
    assert any("1 value(s) below 0" in n for n in frame.attrs["notes"])
    assert any("1 row(s) repeat a series and date" in n for n in frame.attrs["notes"])
    lines = backtest(frame, freq="W", horizon=h)
    assert any("1 series start inside the held-out periods" in line for line in lines)
    assert lines[0].startswith("series: 5 (5 scored)"), lines[0]
    assert re.fullmatch(r"chosen: mean MASE [0-9.]+ \(seasonal naive [0-9.]+\)", lines[-1])


def test_daily_file_of_weekly_dates_is_noted(tmp_path):
    rows = [(f"s{k}", START + dt.timedelta(days=7 * j), 10 + (j * k) % 7) for k in range(3) for j in range(40)]
    path = tmp_path / "weekly_as_daily.csv"
    _write(path, rows)
    lines = backtest(read_series(path), freq="D", horizon=14)
    assert any("every date falls on the same weekday" in line for line in lines)


def test_constant_series_cannot_be_scored(tmp_path):
    rows = [("flat", START + dt.timedelta(days=j), 5) for j in range(60)]
    path = tmp_path / "flat.csv"
    _write(path, rows)
    with pytest.raises(ValueError, match="no series can be scored"):
        backtest(read_series(path), freq="D", horizon=7)


def test_short_daily_history_uses_its_own_rate_and_weekday_shape(tmp_path):
    """32 days of history before 28 held out (too short for a backtest window): every series is 'new'; with no
    established product to borrow from, its own rate (not shrunk toward 0) shaped by the pooled weekday profile.
    The forecast's weekly total is within 15 % of the series' own mean (independent: pandas)."""
    rng = np.random.default_rng(2)
    shape = np.array([1, 1, 1, 1, 1.3, 0.4, 0.6])
    rows = []
    for k in range(20):
        lam = rng.uniform(2, 20) * shape[[(START + dt.timedelta(days=j)).weekday() for j in range(60)]]
        y = rng.poisson(lam)
        rows += [(f"s{k}", START + dt.timedelta(days=j), int(y[j])) for j in range(60)]
    path = tmp_path / "short.csv"
    _write(path, rows)
    frame = read_series(path)
    from shopops.inventory.forecasting.backtest_file import backtest_scores

    r = backtest_scores(frame, freq="D", horizon=28)
    train = frame[frame["ds"] <= START + dt.timedelta(days=31)]
    own = train.groupby("unique_id")["y"].mean().reindex(r["ids"]).to_numpy()
    assert np.allclose(r["pred"].mean(axis=1), own, rtol=0.15)
    sat = [j for j in range(28) if (START + dt.timedelta(days=32 + j)).weekday() == 5]
    fri = [j for j in range(28) if (START + dt.timedelta(days=32 + j)).weekday() == 4]
    assert (r["pred"][:, sat].mean(axis=1) < 0.6 * r["pred"][:, fri].mean(axis=1)).all()


def test_too_short_history_is_refused(tmp_path):
    path = tmp_path / "short.csv"
    _write(path, [("a", START, 3)])
    with pytest.raises(ValueError, match="no series has history before"):
        backtest(read_series(path), freq="D", horizon=7)


def test_day_first_dates_like_walmarts_store_file(tmp_path):
    """Walmart's store file writes 05-02-2010 (5 February): read day first when that reads every row; with no
    day above 12 the regular reading (weekly steps) wins over the month-first one."""
    rows = [("a", START + dt.timedelta(days=7 * j), j) for j in range(30)]
    path = tmp_path / "dayfirst.csv"
    path.write_text("id,date,value\n" + "\n".join(f"{i},{d:%d-%m-%Y},{v}" for i, d, v in rows) + "\n")
    assert list(read_series(path)["ds"]) == [d for _, d, _ in rows]
    us = rows[:5]  # month first (US): 01/13/2023 cannot be day first
    path.write_text("id,date,value\n" + "\n".join(f"{i},{d:%m/%d/%Y},{v}" for i, d, v in us) + "\n")
    assert list(read_series(path)["ds"]) == [d for _, d, _ in us]
    # 1–12 March 2023 day first: month first reads them too (3 Jan … 3 Dec); the daily reading is the regular one
    days = [dt.date(2023, 3, k) for k in range(1, 13)]
    path.write_text("id,date,value\n" + "\n".join(f"a,{d:%d-%m-%Y},1" for d in days) + "\n")
    assert list(read_series(path)["ds"]) == days
