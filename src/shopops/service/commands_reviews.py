"""``shopops reviews score FILE.csv`` and ``shopops reviews train``: the sentiment model from the command line."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from shopops.core.errors import ValidationError
from shopops.core.xlsx import csv_cell

ENCODINGS = ("utf-8-sig", "gb18030")


def _read(path: Path) -> tuple[list[str], list[int] | None]:
    if not path.exists():
        raise ValidationError(f"{path}: no such file")
    raw = path.read_bytes()
    for enc in ENCODINGS:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(f"{path}: not UTF-8 or GB18030 text")
    rows = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (rows.fieldnames or [])]
    if "review" not in header:
        raise ValidationError(f"{path}: no `review` column (columns: {', '.join(header) or 'none'}); "
                              "expected a CSV with a `review` column and optionally `label` (1 positive, 0 negative)")
    rows.fieldnames = header
    reviews: list[str] = []
    labels: list[int] = []
    has_label = "label" in header
    for n, row in enumerate(rows, start=2):
        reviews.append(row.get("review") or "")
        if has_label:
            value = (row.get("label") or "").strip()
            if value not in ("0", "1", "0.0", "1.0"):
                raise ValidationError(f"{path}: row {n}, column label: {value!r} is not 1 (positive) or 0 (negative)")
            labels.append(int(float(value)))
    return reviews, (labels if has_label else None)


def score(args: argparse.Namespace) -> int:
    from shopops.service.review_model import sentiment_model
    from shopops.service.review_scoring import score_texts
    from shopops.service.sentiment import ADAPT_MIN_TEXTS

    reviews, labels = _read(Path(args.file))
    model = sentiment_model(echo=lambda m: print(m, file=sys.stderr))
    adapt = not args.no_adapt
    scored = score_texts(reviews, model, adapt=adapt)
    if adapt:
        if scored.adapted:
            print(f"sentiment adapted to the {len(set(reviews)):,} distinct reviews of this file "
                  "(self-training on their text, anchored to the trained model; labels are not read)", file=sys.stderr)
        elif model.curvature is None:
            print("sentiment from the model alone: this model file was saved without its curvature, which the "
                  "adaptation needs; retrain it (`shopops reviews train`)", file=sys.stderr)
        else:
            print(f"sentiment from the model alone (adaptation needs ≥ {ADAPT_MIN_TEXTS} distinct reviews and "
                  "some predicted on each side)", file=sys.stderr)
    out = open(args.out, "w", encoding="utf-8", newline="") if args.out else sys.stdout
    try:
        w = csv.writer(out)
        w.writerow(["review", "sentiment", "predicted", "aspects", "negative_aspects", *(["label"] if labels else [])])
        for i, text in enumerate(reviews):
            w.writerow([csv_cell(text), f"{scored.sentiment[i]:.4f}", int(scored.sentiment[i] >= 0.5),
                        csv_cell(scored.aspects[i]), csv_cell(scored.negative_aspects[i]),
                        *([labels[i]] if labels else [])])
    finally:
        if args.out:
            out.close()
    print(f"model {model.version} ({model.meta.get('data', '?')})", file=sys.stderr)
    if model.meta.get("data", "").startswith("seed"):
        print("warning: these scores come from the seed model, not a model trained on real reviews "
              "(see the warning above)", file=sys.stderr)
    if labels is not None:
        hits = sum(int(p >= 0.5) == y for p, y in zip(scored.sentiment, labels, strict=True))
        print(f"accuracy {hits / len(labels):.4f}" if labels else "accuracy nan")
    return 0


def train(args: argparse.Namespace) -> int:
    from shopops.service.review_model import sentiment_train

    model, path = sentiment_train(data=Path(args.data) if args.data else None,
                                  out=Path(args.out) if args.out else None, echo=print)
    print(f"saved {path} (version {model.version}, {model.meta.get('rows', 0):,} reviews, "
          f"{model.meta.get('seconds', '?')} s)")
    return 0


def add_parser(sub) -> None:
    p = sub.add_parser("reviews", help="review sentiment: score a CSV of reviews, train the model")
    actions = p.add_subparsers(dest="action", required=True)
    s = actions.add_parser("score", help="score FILE.csv (a `review` column, optionally `label` 1/0); "
                                         "with labels the last line is `accuracy <x>`")
    s.add_argument("file")
    s.add_argument("--out", help="write the scored CSV here instead of standard output")
    s.add_argument("--no-adapt", action="store_true",
                   help="score with the trained model alone; by default the model is adapted to the file's reviews "
                        "(≥ 300 distinct: self-training on their text anchored to the trained weights; labels are "
                        "never used; see docs/reviews.md)")
    s.add_argument("--adapt", action="store_true", help=argparse.SUPPRESS)  # the default since 2026-12-05
    s.set_defaults(func=score)
    t = actions.add_parser("train", help="train the sentiment model from the shared corpora (../shared/data)")
    t.add_argument("--data", help="folder holding waimai_10k/ and online_shopping_7cats/")
    t.add_argument("--out", help="where to save it (default <var>/models/sentiment.npz)")
    t.set_defaults(func=train)
