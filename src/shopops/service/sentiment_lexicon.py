"""A small sentiment lexicon of general Chinese words, as extra features of the sentiment model (no Django).

Written for this project from general language (praise, blame, disappointment, defects any goods
can have), not from the reviews it is measured on. What it is for: a character n-gram model learns
a weight only for the strings its training reviews hold; a word of the lexicon that the training
corpora never hold (a clothing defect such as 起球, for a model trained on electronics, fruit and
hotels) still counts through the lexicon's counts, whose weights the model learns from the words the
corpora do hold. A negation just before a word (不, 没, 没有, 不太, 一点都不 …) flips it; 不如 / 没有想象
(not as good as …) count as blame. Matching is a regular expression over characters (no jieba), so
it costs little at training and scoring time.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

import numpy as np

POSITIVE = (
    "好", "很好", "不错", "满意", "喜欢", "推荐", "值得", "划算", "实惠", "超值", "便宜", "好用", "好看", "好吃", "好喝",
    "漂亮", "精致", "舒服", "舒适", "合适", "合身", "柔软", "结实", "耐用", "耐穿", "方便", "实用", "流畅", "清晰",
    "稳定", "快", "及时", "耐心", "热情", "周到", "贴心", "给力", "棒", "赞", "完美", "优秀", "惊喜", "放心", "信赖",
    "靠谱", "正品", "新鲜", "干净", "整洁", "细腻", "精美", "大方", "时尚", "显瘦", "保暖", "透气", "好闻", "清香",
    "满分", "五星", "好评", "回购", "再来", "还会", "支持", "感谢", "谢谢", "开心", "高兴", "物美价廉", "物超所值",
    "性价比高", "没得说", "没话说", "一如既往", "无可挑剔", "挺好", "很棒", "非常好", "超级好", "值", "爱了", "喜爱",
    "愉快", "省心", "省事", "安心", "温馨", "到位", "专业", "高效", "迅速", "神速", "完好", "严实", "用心", "可口",
)
NEGATIVE = (
    "差", "很差", "太差", "差劲", "垃圾", "失望", "后悔", "上当", "骗", "欺骗", "忽悠", "坑", "坑人", "假", "假货",
    "山寨", "劣质", "次品", "残次", "瑕疵", "破", "破损", "破洞", "坏", "坏了", "故障", "问题", "毛病", "退货", "退款",
    "换货", "投诉", "差评", "慢", "太慢", "拖", "拖延", "贵", "太贵", "不值", "浪费", "难用", "难看", "难吃", "难喝",
    "难闻", "臭", "异味", "刺鼻", "恶心", "粗糙", "起球", "掉色", "褪色", "缩水", "开线", "脱线", "线头", "变形",
    "发霉", "烂", "腐烂", "过期", "漏", "脏", "旧", "二手", "卡", "卡顿", "死机", "发热", "发烫", "噪音", "吵", "闪退",
    "失灵", "不灵", "敷衍", "推脱", "不理", "冷漠", "恶劣", "态度差", "无语", "郁闷", "生气", "气人", "糟糕", "糟心",
    "麻烦", "折腾", "闹心", "坑爹", "鸡肋", "一般", "凑合", "勉强", "将就", "不行", "不好", "不满", "不爽", "不符",
    "色差", "偏小", "偏大", "太小", "太大", "太薄", "扎", "痒", "过敏", "掉", "裂", "划痕", "污渍", "霉", "馊",
    "再也不", "不会再", "别买", "慎买", "慎重", "坑货", "黑心", "奸商", "无良", "骗子", "垃圾货", "呵呵",
)
NEGATIONS = ("一点都不", "一点也不", "并不", "不太", "不怎么", "不够", "不是", "没有", "不", "没", "别", "无", "未", "毫无")
# "not as good as …": blame whatever follows
NOT_AS_GOOD = ("不如", "没有想象", "没想象", "没有预期", "不像", "名不副实", "与描述不符", "和描述不符")
_DEGREE = "(很|太|非常|特别|十分|那么|这么|都|也|有点|有些|比较|还|蛮|挺|超|怎么)?"

N_FEATURES = 6  # positive, negative, negated positive, negated negative, not-as-good, exclamations of blame


@functools.cache
def _pattern() -> re.Pattern[str]:
    words = sorted({*POSITIVE, *NEGATIVE}, key=len, reverse=True)
    neg = "|".join(sorted(NEGATIONS, key=len, reverse=True))
    return re.compile(f"(?P<neg>{neg})?{_DEGREE}(?P<w>{'|'.join(map(re.escape, words))})")


@functools.cache
def _polarity() -> dict[str, int]:
    out = {w: 1 for w in POSITIVE}
    out.update({w: -1 for w in NEGATIVE})
    return out


_NOT_AS_GOOD = re.compile("|".join(NOT_AS_GOOD))
_BLAME = re.compile(r"[!！?？]{2,}")


def counts(text: str) -> tuple[int, int, int, int, int, int]:
    """The lexicon's counts in one normalised text."""
    pol = _polarity()
    pos = neg = npos = nneg = 0
    for m in _pattern().finditer(text):
        p = pol[m.group("w")]
        if m.group("neg"):
            if p > 0:
                npos += 1
            else:
                nneg += 1
        elif p > 0:
            pos += 1
        else:
            neg += 1
    return pos, neg, npos, nneg, len(_NOT_AS_GOOD.findall(text)), len(_BLAME.findall(text))


def features(texts: Sequence[str]) -> np.ndarray:
    """(n, N_FEATURES) float array: log(1 + count) of each kind, for normalised texts."""
    return np.log1p(np.array([counts(t) for t in texts], dtype=np.float64).reshape(len(texts), N_FEATURES))
