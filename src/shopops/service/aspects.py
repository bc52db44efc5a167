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
    "looks": ("颜色", "色差", "款式", "外观", "外形", "好看", "难看", "版型", "漂亮", "显瘦", "显胖", "颜值",
              "造型", "色彩", "时尚", "丑", "美观", "上身", "显白", "发暗"),
    "packaging": ("包装", "盒子", "包装盒", "包装袋", "封口", "纸箱", "箱子", "外包装", "泡沫", "简陋", "塑封",
                  "压坏", "压扁", "挤压", "防震"),
    "as_described": ("描述", "图片", "详情页", "实物", "不符", "相符", "一致", "货不对板", "宣传", "名不副实",
                     "图文不符", "描述相符", "正品", "假货", "行货", "山寨"),
}

# a single space between Chinese characters is a comma in many reviews ("价格合适 包装很差")
_CLAUSE = re.compile(r"[，,。.!！?？;；~～、\n\r\t…]+|\s{2,}|(?<=[\u4e00-\u9fff])\s(?=[\u4e00-\u9fff])"
                     r"|(?=但是|不过|可是|然而|就是|只是)")


def clauses(text: str) -> list[str]:
    """The review cut into clauses (non-empty, trimmed)."""
    return [c.strip() for c in _CLAUSE.split(text or "") if c and c.strip()]


@functools.cache
def _tokenizer():
    import jieba

    jieba.setLogLevel(60)
    tk = jieba.Tokenizer()
    for ws in (*LEXICON.values(), POSITIVE, NEGATIVE, NEGATIONS):
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
# the seller named as a shop ("不会再买这个商家的", "建议商家注重…") is not its customer service:
# these name the service only beside a word of what a service does
_SELLER = frozenset({"商家", "卖家", "店家", "掌柜"})
# the listing's pictures are named when the goods are compared with them (和图片一样, 没有图片中漂亮)
_PICTURE = frozenset({"图片", "实物"})
_COMPARES = frozenset({"像", "不像", "一样", "一致", "不符", "相符", "差", "不如", "没有", "差距", "区别", "差别", "符合",
                       "不一样", "相差", "上", "中", "里", "描述"})
_OPENING = frozenset({"拆开", "打开", "拆", "开", "连", "撕开", "剪开", "一开"})
_OPENED = frozenset({"包装", "盒子", "箱子", "纸箱", "外包装", "包装盒", "包装袋"})
_DISPLAY = frozenset({"屏", "屏幕", "内屏", "外屏", "显示", "显示屏", "拍照", "照片", "摄像头", "像素", "画面", "相机"})
_BODY = frozenset({"外观", "外形", "机身", "外壳", "款式", "造型", "颜值"})
# an aspect word right after one of these is another shop's or courier's ("之前被其他快递坑惨了")
_OTHER = frozenset({"其他", "其它", "别的", "别家", "别人家", "其他的", "其它的", "别人"})
_SERVICE_ACTS = frozenset({"态度", "回复", "答复", "不理", "沟通", "处理", "解决", "发错货", "发错", "退款", "换货",
                           "推脱", "耐心", "热情", "联系", "客服", "售后", "服务", "回应", "敷衍"})

# Clause polarity. Topic words name an aspect without judging it; they are masked before the
# clause is scored, so the model judges what is said about the aspect, not how often the topic
# appears in complaints (客服, 包装, 价格 are mostly named by unhappy buyers: "客服回复很及时"
# scored 0.19 as a whole). Opinion words (a short list written for this module) with a negation
# just before them flipped ("一点都不变形", "没漏") decide a clause they clearly judge; the model
# decides the rest.
TOPIC_WORDS = frozenset({
    "客服", "售后", "服务", "态度", "回复", "答复", "售后服务", "服务态度", "商家", "卖家", "店家", "掌柜",
    "价格", "价钱", "性价比", "价位", "活动", "活动价", "原价", "差价", "保价",
    "包装", "盒子", "包装盒", "包装袋", "纸箱", "箱子", "外包装", "泡沫", "封口", "塑封", "防震",
    "颜色", "款式", "外观", "外形", "版型", "造型", "色彩", "颜值", "上身",
    "尺码", "码数", "尺寸", "码子", "鞋码", "大小", "个头", "体积",
    "质量", "品质", "做工", "面料", "材质", "用料", "质感", "手感", "性能", "效果", "口感", "味道",
    "物流", "快递", "发货", "送货", "配送", "快递员", "快递小哥", "派送",
    "描述", "图片", "详情页", "实物", "宣传",
})
POSITIVE = frozenset({
    "好", "很好", "挺好", "不错", "满意", "喜欢", "棒", "赞", "给力", "及时", "耐心", "热情", "周到", "到位", "专业",
    "负责", "快", "很快", "迅速", "快捷", "便捷", "迅捷", "实惠", "便宜", "划算", "超值", "值", "值得", "厚道", "公道", "合理", "漂亮",
    "好看", "美观", "精致", "精美", "时尚", "大方", "显瘦", "显白", "完好", "完好无损", "完整", "实在", "结实", "严实", "用心",
    "仔细", "优惠", "好评", "舒服", "合适", "合身", "新颖", "经典", "干净", "鲜艳", "还行", "物美价廉", "物有所值",
    "一致", "相符", "正品", "新鲜", "好吃", "好用", "耐用", "清晰", "流畅", "服务到家", "没得说", "不到一天", "当天", "次日", "第二天", "隔天", "神速",
})
NEGATIVE = frozenset({
    "差", "太差", "很差", "差劲", "烂", "慢", "太慢", "贵", "太贵", "小贵", "偏贵", "破", "破了", "丑", "难看", "简陋",
    "简单", "压扁", "压坏", "漏", "漏了", "脏", "坑", "坑人", "骗", "骗人", "忽悠", "套路", "不理", "推脱", "敷衍",
    "踢皮球", "无语", "垃圾", "失望", "变形", "破损", "臭", "异味", "粗糙", "一般", "凑合", "普通", "过时", "色差",
    "发暗", "显胖", "不值", "亏", "差评", "恶心", "生气", "麻烦", "不符", "坏", "坏了", "烂了", "后悔", "偏大",
    "偏小", "不合身", "太紧", "太松", "挤脚", "掉色", "褪色", "起球", "开线", "缩水", "瑕疵", "划痕", "故障", "假货",
    "山寨", "名不副实", "货不对板", "难吃", "不新鲜", "low", "恶劣", "差劲", "糟糕", "不行",
})
NEGATIONS = frozenset({"不", "没", "没有", "不太", "不够", "不是", "毫无", "无", "不怎么", "并不", "一点也不", "一点都不"})
_DEGREE = frozenset({"很", "太", "非常", "特别", "十分", "那么", "这么", "都", "也", "一点", "有点", "比较", "还", "蛮", "挺", "超"})
_VALUE_FOR_MONEY = re.compile(r"性价比(很|非常|超|挺|比较|相当|还)?(高|好|不错)|性价比(很|太|比较|相当)?(低|差|不高)")
# "no defect" clauses (没有色差, 不贵, 没发现什么问题) praise the aspect although they hold a negation
_NO_DEFECT = re.compile(r"(没有|没|无|不|未|毫无)(发现|出现|看到)?(什么|任何|一点|明显的?)?"
                        r"(色差|线头|异味|味道|破损|瑕疵|问题|毛病|起球|掉色|褪色|划痕|缩水|烂|贵|卡|损坏|刺鼻)")

# "色差很小", "异味不大", "线头很少", "色差几乎没有": the defect is slight — praise, as in a 5★ review. Not 味道/气味:
# "一点味道也没有" (food) and "气味很淡" (shampoo) are complaints in the shared data
_SLIGHT_DEFECT = re.compile(r"(色差|线头|异味|起球|掉色|褪色|缩水|划痕)(也|都|还|真的?)?"
                            r"(很|非常|特别|比较|挺|超|极|基本|几乎|一点)?(小|少|轻|淡|不大|不多|不明显|没有|没)")

# "便宜没好货" (cheap goods are bad goods) is a saying about quality
_CHEAP_NO_GOOD = re.compile(r"便宜(没|无)好货")
# a clause that sets the scene ("送货的时候只有二个包裹", "发货之前不检查么") tells when, not how the aspect
# was: without an opinion word the model alone does not call it negative
_SCENE = re.compile(r"(的时候|时候|之前|以前|之后|以后|下单)")
# "比它贵一倍的机型" (the other is dearer than this one) praises this one's price
_DEARER_OTHER = re.compile(r"比(他|它|这|这个|这款|这台|本机|此)[^，,。]{0,4}贵")
# "价格不高": the price is not high
_NOT_DEAR = re.compile(r"(价格|价钱|价位|售价)(也|并|真|还|倒)?(不|没)(算|是很|太)?(高|贵)")
# "一颗星给快递", "给一分是因为送货速度超赞": the only stars given go to the courier, who is praised
_STARS_FOR = re.compile(r"(星|分).{0,6}(给|因为)(了)?(京东)?的?(快递|物流|送货|配送)")


@functools.lru_cache(maxsize=200_000)  # clauses repeat a lot (好评, 物流很快)
def mentioned(clause: str) -> tuple[str, ...]:
    """The aspects a clause names, in ASPECTS order."""
    table = _word_aspects()
    found: set[str] = set()
    ws = _tokenizer().lcut(clause.lower(), HMM=False)
    acts = any(w in _SERVICE_ACTS for w in ws)
    compares = any(w in _COMPARES for w in ws) or _PICTURE <= set(ws)
    for i, w in enumerate(ws):
        if w in _WEAK_SERVICE or (w in _SELLER and not acts):
            continue
        if i and ws[i - 1] in _OPENING and w in _OPENED:
            continue  # "拆开包装就有坏的", "连包装不到五斤": the moment or the weight, not the packaging
        if w in _PICTURE and not compares:
            continue  # "不能下载铃声和图片": a picture, not the listing's
        if i and ws[i - 1] in _OTHER:
            continue  # "其他快递": not this order's
        found.update(table.get(w, ()))
    if any(w in _WEAK_SERVICE for w in ws) and not any(ws[i - 1] in _OTHER for i, w in enumerate(ws) if i):
        found.add("logistics" if "logistics" in found else "service")
    if _CHEAP_NO_GOOD.search(clause):
        found.discard("price")  # "便宜没好货" says the goods are bad, not the price
        found.add("quality")
    if "looks" in found and any(w in _DISPLAY for w in ws) and not any(w in _BODY for w in ws):
        found.discard("looks")  # the colour of a screen or a photo is how well the device works
        found.add("quality")
    return tuple(c for c in ASPECT_CODES if c in found)


def praises_absence(clause: str) -> bool:
    """True for a clause like 没有色差, 不贵, 价格不高 (a defect is absent), 色差很小 (slight), 比它贵一倍 (the other is dearer)
    or 一颗星给快递 (the stars given go to the courier)."""
    return bool(_NO_DEFECT.search(clause) or _SLIGHT_DEFECT.search(clause) or _DEARER_OTHER.search(clause) or _NOT_DEAR.search(clause)
                or _STARS_FOR.search(clause))


@functools.lru_cache(maxsize=200_000)
def opinion(clause: str) -> tuple[int, str]:
    """The clause's opinion words counted (+1 positive, −1 negative, flipped by a negation up to
    two degree words before: 不太好 −1, 一点都不变形 +1) and the clause with its topic words
    masked (what the model scores)."""
    low = clause.lower()
    m = _VALUE_FOR_MONEY.search(low)
    ws = _tokenizer().lcut(low, HMM=False)
    total = 0 if m is None else (1 if m.group(2) else -1)
    if _CHEAP_NO_GOOD.search(low):
        return -1, "".join(w for w in ws if w not in TOPIC_WORDS).strip()
    for i, w in enumerate(ws):
        sign = 1 if w in POSITIVE else (-1 if w in NEGATIVE else 0)
        if not sign or (m is not None and w in ("高", "好", "不错", "低", "差")):
            continue
        j = i - 1
        while j >= 0 and i - j <= 3 and ws[j] in _DEGREE:
            j -= 1
        if j >= 0 and i - j <= 3 and ws[j] in NEGATIONS:
            sign = -sign
        total += sign
    masked = "".join(w for w in ws if w not in TOPIC_WORDS).strip()
    return total, masked


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
MODEL_ALONE_BELOW = 0.15  # a clause without opinion words is negative only below this


def extract(texts: Sequence[str], proba: Callable[[list[str]], np.ndarray]) -> list[list[AspectMention]]:
    """Aspects of each text with the sentiment of their clause; ``proba`` scores a list of clauses
    (one batched call for all texts)."""
    cut = [[(c, mentioned(c)) for c in clauses(t)] for t in texts]
    todo = [opinion(c)[1] for cs in cut for c, asp in cs if asp]
    scores = iter(proba(todo) if todo else [])
    out: list[list[AspectMention]] = []
    for cs in cut:
        best: dict[str, AspectMention] = {}
        for c, asp in cs:
            if not asp:
                continue
            s = float(next(scores))
            words_say = opinion(c)[0]
            if words_say > 0 or praises_absence(c):
                s = max(s, 0.75)
            elif words_say < 0:
                s = min(s, 0.25)
            elif s > MODEL_ALONE_BELOW or _SCENE.search(c):
                s = max(s, 0.5)  # no opinion word: the model alone calls a clause negative only when sure
            for a in asp:
                if a not in best or s < best[a].score:
                    best[a] = AspectMention(a, s, c)
        out.append([best[a] for a in ASPECT_CODES if a in best])
    return out
