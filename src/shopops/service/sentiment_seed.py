"""A small labelled seed corpus written for this project, for the fallback sentiment model (no Django).

Used only when no trained model file is present and the shared training data are absent
(a fresh clone without ``../shared``): phrases of the form *thing + verdict* (质量 + 很好,
物流 + 太慢了 …) and whole-review verdicts (好评, 不会再买了 …), combined into short
reviews. Good enough to tell the demo store's reviews apart; the real model is trained from
``../shared/data`` (docs/reviews.md).
"""

from __future__ import annotations

import itertools

THINGS = ("质量", "做工", "面料", "材质", "物流", "快递", "发货", "客服", "服务", "态度", "售后", "价格", "颜色", "款式",
          "包装", "尺码", "大小", "东西", "宝贝", "衣服", "鞋子", "效果", "手感", "味道", "版型", "速度")
GOOD = ("很好", "不错", "挺好的", "非常好", "很满意", "很棒", "超赞", "很合适", "好看", "很划算", "很快", "很正",
        "没得说", "很舒服", "很耐心", "值得", "跟描述一致", "超出预期", "很精致", "刚刚好")
BAD = ("很差", "太差了", "不好", "太慢了", "很失望", "有问题", "不满意", "一般", "太贵了", "不合适", "很难看",
       "偏小", "偏大", "不行", "很糟糕", "很敷衍", "和描述不符", "有瑕疵", "很粗糙", "不耐心", "破损了",
       "脏了")
OVERALL_GOOD = ("好评", "五星好评", "推荐购买", "会回购的", "下次还来", "很满意", "值得入手", "物超所值", "喜欢", "点赞")
OVERALL_BAD = ("差评", "不推荐", "不会再买了", "已经退货了", "上当了", "失望", "后悔买了", "垃圾", "再也不来了", "浪费钱")


def seed_corpus() -> tuple[list[str], list[int]]:
    """(texts, labels): 1 positive, 0 negative."""
    texts: list[str] = []
    labels: list[int] = []
    for label, verdicts, overall in ((1, GOOD, OVERALL_GOOD), (0, BAD, OVERALL_BAD)):
        for i, (thing, verdict) in enumerate(itertools.product(THINGS, verdicts)):
            texts.append(f"{thing}{verdict}")
            labels.append(label)
            texts.append(f"{thing}{verdict}，{overall[i % len(overall)]}")
            labels.append(label)
        texts.extend(overall)
        labels.extend([label] * len(overall))
    return texts, labels
