"""Review aspects (尺码, 质量, 物流 …) with the sentiment of the clause that names them (no Django).

A review is cut into clauses at punctuation and at turns (但是, 不过, 就是 …). A clause
mentions an aspect when one of its jieba words is in the aspect's lexicon (the lexicon
words are added to a private jieba dictionary, so they come out whole, without changing
the words the sentiment model sees). The clause's sentiment is the model's probability
that the clause alone is positive; an aspect mentioned in several clauses takes the most
negative one (a buyer who says "质量好" and "质量差" about two parts is complaining).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

# code, zh label, en label
ASPECTS: tuple[tuple[str, str, str], ...] = (
    ("size", "尺码", "Size"),
    ("quality", "质量", "Quality"),
    ("logistics", "物流", "Logistics"),
    ("service", "客服", "Customer service"),
    ("price", "价格", "Price"),
    ("looks", "外观/颜色", "Looks / colour"),
    ("packaging", "包装", "Packaging"),
    ("as_described", "描述相符", "As described"),
)
ASPECT_CODES = tuple(a[0] for a in ASPECTS)
LABEL_ZH = {a[0]: a[1] for a in ASPECTS}
LABEL_EN = {a[0]: a[2] for a in ASPECTS}

LEXICON: dict[str, tuple[str, ...]] = {
    "size": ("尺码", "码数", "尺寸", "码子", "偏大", "偏小", "大码", "小码", "大一码", "小一码", "大一号", "小一号",
             "合身", "不合身", "太紧", "太松", "紧身", "宽松", "挤脚", "鞋码", "腰围", "袖长", "裤长",
             "肩宽", "尺码表", "码", "大小", "个头", "个子", "体积", "小巧", "长短"),
    "quality": ("质量", "品质", "做工", "面料", "材质", "用料", "线头", "起球", "开线", "脱线", "掉色", "褪色", "缩水",
                "质感", "手感", "瑕疵", "异味", "刺鼻", "结实", "耐用", "破洞", "次品", "坏", "坏了", "故障", "死机",
                "毛病", "质量问题", "做工粗糙", "划痕", "好用", "不好用", "效果", "耐穿", "性能", "口感", "味道",
                "新鲜", "烂", "难吃", "好吃"),
    "logistics": ("物流", "快递", "发货", "送货", "配送", "顺丰", "驿站", "快递员", "快递小哥", "送到", "邮寄", "送达",
                  "派送", "运费", "揽收", "发错货", "自提点"),
    "service": ("客服", "售后", "服务", "态度", "回复", "答复", "退款", "换货", "售后服务", "服务态度", "商家", "卖家",
                "店家", "掌柜", "不理"),
    "price": ("价格", "价钱", "性价比", "便宜", "贵", "划算", "降价", "保价", "优惠", "活动价", "实惠", "价位", "超值",
              "物美价廉", "差价", "原价", "折扣", "券", "涨价", "小贵", "太贵", "偏贵", "物有所值", "活动", "特价",
              "秒杀"),
    "looks": ("颜色", "色差", "款式", "外观", "外形", "好看", "难看", "版型", "设计", "漂亮", "显瘦", "显胖", "颜值",
              "样子", "造型", "色彩", "时尚", "丑", "美观", "上身", "显白", "发暗"),
    "packaging": ("包装", "盒子", "包装盒", "包装袋", "封口", "纸箱", "箱子", "外包装", "泡沫", "简陋", "塑封",
                  "压坏", "压扁", "挤压", "防震"),
    "as_described": ("描述", "图片", "详情页", "实物", "不符", "相符", "一致", "货不对板", "宣传", "名不副实",
                     "图文不符", "描述相符", "正品", "假货", "行货", "山寨"),
}

_CLAUSE = re.compile(r"[，,。.!！?？;；~～、\n\r\t…]+|\s{2,}|(?=但是|不过|可是|然而|就是|只是)")


def clauses(text: str) -> list[str]:
    """The review cut into clauses (non-empty, trimmed)."""
    return [c.strip() for c in _CLAUSE.split(text or "") if c and c.strip()]


@functools.cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    for ws in LEXICON.values():
        for w in ws:
            if len(w) > 1:
                tk.add_word(w, freq=20_000)
    return tk


@functools.cache
def _word_aspects() -> dict[str, tuple[str, ...]]:
    out: dict[str, list[str]] = {}
    for code, ws in LEXICON.items():
        for w in ws:
            out.setdefault(w, []).append(code)
    return {w: tuple(c) for w, c in out.items()}


# words that name the service only when no delivery word is near: "快递小哥服务好" praises the courier
_WEAK_SERVICE = frozenset({"服务", "态度", "服务态度"})
# "no defect" clauses (没有色差, 不贵, 没发现什么问题) praise the aspect although they hold a negation
_NO_DEFECT = re.compile(r"(没有|没|无|不|未|毫无)(发现|出现|看到)?(什么|任何|一点|明显的?)?"
                        r"(色差|线头|异味|味道|破损|瑕疵|问题|毛病|起球|掉色|褪色|划痕|缩水|烂|贵|卡|损坏|刺鼻)")


@functools.lru_cache(maxsize=200_000)  # clauses repeat a lot (好评, 物流很快)
def mentioned(clause: str) -> tuple[str, ...]:
    """The aspects a clause names, in ASPECTS order."""
    table = _word_aspects()
    found: set[str] = set()
    ws = _tokenizer().lcut(clause.lower(), HMM=False)
    for w in ws:
        if w in _WEAK_SERVICE:
            continue
        found.update(table.get(w, ()))
    if any(w in _WEAK_SERVICE for w in ws):
        found.add("logistics" if "logistics" in found else "service")
    return tuple(c for c in ASPECT_CODES if c in found)


def praises_absence(clause: str) -> bool:
    """True for a clause like 没有色差 or 不贵: it says a defect is absent."""
    return bool(_NO_DEFECT.search(clause))


@dataclass(frozen=True, slots=True)
class AspectMention:
    aspect: str
    score: float  # P(positive) of the clause
    clause: str

    @property
    def polarity(self) -> int:
        """-1 negative, 0 unclear, 1 positive."""
        return -1 if self.score < NEGATIVE_BELOW else (1 if self.score > POSITIVE_ABOVE else 0)


NEGATIVE_BELOW = 0.4
POSITIVE_ABOVE = 0.6


def extract(texts: Sequence[str], proba: Callable[[list[str]], np.ndarray]) -> list[list[AspectMention]]:
    """Aspects of each text with the sentiment of their clause; ``proba`` scores a list of clauses
    (one batched call for all texts)."""
    cut = [[(c, mentioned(c)) for c in clauses(t)] for t in texts]
    todo = [c for cs in cut for c, asp in cs if asp]
    scores = iter(proba(todo) if todo else [])
    out: list[list[AspectMention]] = []
    for cs in cut:
        best: dict[str, AspectMention] = {}
        for c, asp in cs:
            if not asp:
                continue
            s = float(next(scores))
            if praises_absence(c):
                s = max(s, 0.75)
            for a in asp:
                if a not in best or s < best[a].score:
                    best[a] = AspectMention(a, s, c)
        out.append([best[a] for a in ASPECT_CODES if a in best])
    return out
