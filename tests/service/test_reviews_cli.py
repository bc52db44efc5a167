"""``shopops reviews score FILE.csv``: scores every row; with labels the last line is the accuracy,
counted here by hand from the printed predictions."""

from __future__ import annotations

import csv
import io

from shopops.cli import main


def test_score_prints_rows_and_accuracy_last(tmp_path, review_model_file, capsys):
    f = tmp_path / "mine.csv"
    f.write_text("review,label\n质量很好，物流很快，好评,1\n太差了，不会再买了,0\n尺码偏小，客服也不理人,0\n", "utf-8")
    assert main(["reviews", "score", str(f)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    rows = list(csv.DictReader(io.StringIO("\n".join(out[:-1]))))
    assert [r["review"] for r in rows] == ["质量很好，物流很快，好评", "太差了，不会再买了", "尺码偏小，客服也不理人"]
    assert rows[2]["aspects"] == "size,service"
    hits = sum(r["predicted"] == r["label"] for r in rows)
    assert out[-1] == f"accuracy {hits / 3:.4f}"


def test_bad_label_is_named(tmp_path, review_model_file, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("review,label\n好,1\n差,好评\n", "utf-8")
    assert main(["reviews", "score", str(f)]) == 2
    assert "row 3, column label: '好评' is not 1 (positive) or 0 (negative)" in capsys.readouterr().err
    f.write_text("text\n好\n", "utf-8")
    assert main(["reviews", "score", str(f)]) == 2
    assert "no `review` column (columns: text)" in capsys.readouterr().err
