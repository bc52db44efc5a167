"""Review text from templates: varied Chinese sentences by topic and polarity.

A review is an opener, one or two topic sentences and a closer. ``{n}`` in a
sentence is the product noun (裙子, 鞋子, 四件套 …). Sizes only apply to goods that
have sizes (clothes and shoes). No real people, shops or brands appear.
"""

from __future__ import annotations

TOPICS = ("尺码", "质量", "物流", "客服", "价格", "色差", "外观")
SIZE_TOPIC, QUALITY, LOGISTICS, SERVICE, PRICE, COLOUR, LOOKS = range(len(TOPICS))

POSITIVE: dict[int, tuple[str, ...]] = {
    SIZE_TOPIC: (
        "尺码很标准，按平时的码数拍的刚刚好", "码数正，客服推荐的尺码很合适", "大小合适，上身不紧也不松",
        "身高165体重52拍的M码，刚好", "尺码偏差不大，照着尺码表选就行", "版型和尺码都很友好，微胖也能穿",
        "长度刚好，不会显得拖沓", "码数准，第二次买直接拍同一个码", "腰围合适，不用再去改",
        "尺码跟描述一致，很合身",
    ),
    QUALITY: (
        "{n}质量很好，做工精细没有线头", "面料摸起来很舒服，手感软糯", "质量超出预期，这个价位很值",
        "{n}用料扎实，看得出是用心做的", "洗了两次没有起球也没有缩水", "走线整齐，细节处理得很好",
        "材质很亲肤，穿一整天也不闷", "{n}质感很好，看起来比价格高级", "做工不错，没有异味",
        "厚薄适中，这个季节刚好", "{n}很结实，用了一段时间依然很新",
    ),
    LOGISTICS: (
        "物流很快，隔天就到了", "发货速度快，包装也很严实", "快递小哥很负责，送货上门",
        "下单第二天就收到了，效率很高", "大促期间发货也不慢，点赞", "包装完好，没有任何破损",
        "顺丰发货，速度没得说", "物流信息更新及时，很放心",
    ),
    SERVICE: (
        "客服态度很好，耐心解答问题", "客服回复很及时，推荐的尺码也准", "售后很贴心，有问题马上处理",
        "咨询了好几个问题，客服都很耐心", "客服小姐姐很热情，服务到位", "有专属客服跟进，体验很好",
    ),
    PRICE: (
        "活动价入手，性价比很高", "赶上大促，叠加优惠后很划算", "这个价格买到这个质量，值了",
        "比实体店便宜不少", "领了券再下单，到手价很满意", "价格实惠，已经推荐给朋友",
        "双十一囤货，价格很美丽",
    ),
    COLOUR: (
        "颜色和图片一致，没有色差", "实物比图片还好看，颜色很正", "颜色很高级，很耐看",
        "颜色温柔显白，很喜欢", "色差很小，和详情页描述一样",
    ),
    LOOKS: (
        "{n}款式很好看，上身效果很显气质", "设计简约大方，怎么搭都好看", "版型很正，很显瘦",
        "{n}很有质感，出门被夸了好几次", "款式百搭，通勤休闲都可以", "细节设计很用心，很有特色",
        "整体效果比预期好很多", "{n}很好看，家人也很喜欢",
    ),
}

NEGATIVE: dict[int, tuple[str, ...]] = {
    SIZE_TOPIC: (
        "尺码偏小，按平时的码数拍的穿不上", "尺码偏大很多，只能退了", "码数不准，和尺码表差距很大",
        "袖子太长，肩膀也宽", "腰围太紧，建议拍大一码", "同一个码两次买的大小不一样",
        "裤长太短了，穿起来很奇怪", "鞋码偏小半码，挤脚",
    ),
    QUALITY: (
        "{n}质量一般，有好几处线头", "洗了一次就起球了，很失望", "面料很薄，和描述不符",
        "{n}有明显的瑕疵，质检不过关", "有股刺鼻的味道，晾了几天还在", "穿了几次就开线了",
        "{n}做工粗糙，对不起这个价格", "缩水严重，洗完小了一圈", "掉色，把别的衣服都染了",
    ),
    LOGISTICS: (
        "物流太慢了，一个星期才到", "快递包装破损，{n}都弄脏了", "发货太慢，催了好几次",
        "快递放在驿站也不通知", "发错货了，换货又等了好久", "大促发货慢，等得心累",
    ),
    SERVICE: (
        "客服回复很慢，问题一直没解决", "售后态度差，退换货很麻烦", "客服推荐的尺码不对，还不承认",
        "找客服半天没人理", "退款处理拖了很久", "客服只会复制粘贴，答非所问",
    ),
    PRICE: (
        "刚买完就降价了，也不给保价", "这个价格不值，质量配不上", "活动价还不如平时便宜",
        "优惠规则太复杂，到手价并不划算", "比别家同款贵了不少",
    ),
    COLOUR: (
        "色差太大了，和图片完全不一样", "实物颜色发暗，不是想要的颜色", "图片是米白色收到是黄色",
        "颜色和详情页差距很大", "有色差，显得很廉价",
    ),
    LOOKS: (
        "{n}版型不好，上身很显胖", "款式和图片差很多，有点失望", "实物看起来很廉价",
        "{n}设计有点奇怪，不适合日常", "穿上效果很一般，不推荐",
    ),
}

NEUTRAL: tuple[str, ...] = (
    "整体还行，中规中矩", "一般般吧，没有特别惊艳", "还可以，就是等得有点久",
    "凑合，对得起这个价格", "东西还行，有点小瑕疵能接受", "和预期差不多，没有太多惊喜",
)

OPENERS_POS = ("", "", "收到了，", "第二次回购了，", "给家人买的，", "等了好久终于到了，", "大促囤的，",
               "朋友推荐的，", "试穿了一下，", "用了一周来评价，", "老顾客了，", "第一次在这家买，")
OPENERS_NEG = ("", "", "失望，", "说实话，", "不太满意，", "很生气，", "第一次差评，", "用了几天，")
CLOSERS_POS = ("", "。", "，会回购的。", "，推荐购买！", "，五星好评。", "，很满意。", "，下次还来。",
               "，值得入手。", "。已推荐给朋友。", "，好评！")
OPENERS_NEUTRAL = ("", "", "说一下感受，", "用了几天，", "收到了，")
CLOSERS_NEUTRAL = ("", "。", "，还行吧。", "，看后续使用情况。")
CLOSERS_NEG = ("", "。", "，不会再买了。", "，不推荐。", "，已申请退货。", "，希望商家改进。", "。差评。")


def _expand(sentences: tuple[str, ...], noun: str) -> tuple[str, ...]:
    return tuple(s.replace("{n}", noun) for s in sentences)


def sentence_table(nouns: list[str]) -> tuple[list[str], dict[tuple[int, int, int], tuple[int, int]]]:
    """All sentences, and (noun index, polarity 0/1/2, topic) -> (first, count) into it.

    Polarity 0 negative, 1 neutral (topic ignored, use topic 0), 2 positive.
    """
    table: list[str] = []
    index: dict[tuple[int, int, int], tuple[int, int]] = {}
    for ni, noun in enumerate(nouns):
        for pol, source in ((0, NEGATIVE), (2, POSITIVE)):
            for topic in range(len(TOPICS)):
                items = _expand(source[topic], noun)
                index[(ni, pol, topic)] = (len(table), len(items))
                table.extend(items)
        index[(ni, 1, 0)] = (len(table), len(NEUTRAL))
        table.extend(NEUTRAL)
    return table, index
