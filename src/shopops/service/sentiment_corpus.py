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
