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


def test_without_model_and_data_the_message_is_precise_and_scoring_still_runs(tmp_path, monkeypatch, settings, capsys):
    from shopops.service import review_model

    settings.VAR_DIR = str(tmp_path / "var")
    monkeypatch.delenv("SHOPOPS_SENTIMENT_MODEL", raising=False)
    monkeypatch.setenv("SHOPOPS_SHARED_DATA", str(tmp_path / "nothing-here"))
    monkeypatch.setattr(review_model.sentiment_corpus, "data_dir", lambda project_root=None: None)
    status, message = review_model.model_status()
    assert status == "unavailable"
    assert f"no trained sentiment model at {tmp_path / 'var' / 'models' / 'sentiment.npz'}" in message
    assert "'" + str(tmp_path / "nothing-here") + "', which lacks the corpora" in message
    f = tmp_path / "mine.csv"
    f.write_text("review,label\n质量很好，好评,1\n太差了,0\n", "utf-8")
    assert main(["reviews", "score", str(f)]) == 0
    captured = capsys.readouterr()
    assert "warning: no trained sentiment model at" in captured.err
    assert "these scores come from the seed model" in captured.err
    assert captured.out.strip().splitlines()[-1].startswith("accuracy ")


def test_a_large_file_is_scored_adapted_to_its_reviews_without_reading_labels(tmp_path, review_model_file, capsys):
    subjects = ("质量", "物流", "客服", "包装", "做工", "颜色", "尺码", "味道")
    says = ("很好", "太差了", "还不错", "很失望", "非常满意", "不行", "超赞", "垃圾")
    texts = [f"{a}{b}，第{i}次买" for i in range(5) for a in subjects for b in says]  # 320 distinct
    good = ("很好", "还不错", "非常满意", "超赞")
    labels = [int(b in good) for i in range(5) for a in subjects for b in says]
    with_labels, without = tmp_path / "labelled.csv", tmp_path / "plain.csv"
    with_labels.write_text("review,label\n" + "".join(f"{t},{y}\n" for t, y in zip(texts, labels)), "utf-8")
    without.write_text("review\n" + "".join(f"{t}\n" for t in texts), "utf-8")

    def run(*args):
        assert main(["reviews", "score", *args]) == 0
        cap = capsys.readouterr()
        return cap.out.strip().splitlines(), cap.err

    out_l, err_l = run(str(with_labels))
    out_p, err_p = run(str(without))
    assert "sentiment adapted to the 320 distinct reviews of this file" in err_l
    # the labels change nothing but the last line: the same predictions with and without them
    rows_l = list(csv.DictReader(io.StringIO("\n".join(out_l[:-1]))))
    rows_p = list(csv.DictReader(io.StringIO("\n".join(out_p))))
    assert [r["predicted"] for r in rows_l] == [r["predicted"] for r in rows_p]
    assert out_l[-1] == f"accuracy {sum(r['predicted'] == r['label'] for r in rows_l) / 320:.4f}"
    out_n, err_n = run(str(with_labels), "--no-adapt")  # the trained model alone
    assert "adapted" not in err_n and out_n[-1].startswith("accuracy ")
    out_a, _ = run(str(with_labels), "--adapt")  # the old flag: the default
    assert out_a == out_l


def test_a_small_file_is_scored_by_the_model_alone(tmp_path, review_model_file, capsys):
    f = tmp_path / "few.csv"
    f.write_text("review\n质量很好\n太差了\n", "utf-8")
    assert main(["reviews", "score", str(f)]) == 0
    assert "sentiment from the model alone (adaptation needs ≥ 300 distinct reviews" in capsys.readouterr().err
