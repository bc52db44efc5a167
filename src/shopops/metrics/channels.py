"""What each channel really provides, and the words its reports use (issue 19, 口径).

**Where visitors come from is a fact of the channel** (``stores.platform``), declared once
here: Tmall/Taobao, JD, Pinduoduo and Douyin never give a store an event stream; they give
their own reports (生意参谋, 京东商智, 拼多多 商家后台, 抖店罗盘), de-duplicated by the platform
within a day. Only the store's own site / mini-program (``own``) has an event stream (the
collector snippet or a tracking export). So:

* a **platform store**'s 访客数, 支付转化率, 加购率, 收藏率 and UV价值 are the platform's
  (catalog KPIs ``report_*`` over ``shop_traffic_daily``): a single day is exactly the
  platform's figure; a longer period is the sum of the days — visitor-days (访客人天) — and is
  labelled so, because the platform's period de-duplication is not in a daily report;
* an **own-site store**'s come from its events (``visitors``, ``conversion_rate`` …);
* across both kinds, ``channel_*`` KPIs add each store's own figure (events where the store
  has them, the platform report elsewhere).

**A whole period from the platform's period export** (``shop_traffic_period``: 生意参谋 / 京东商智
downloaded for a week, a month or a custom range) carries the platform's figures de-duplicated over
the period. When the period a page or report asks for is exactly an imported one for every selected
platform store (:func:`shopops.metrics.period_reports.whole_period_reported`), the platform figures
are the ``period_*`` KPIs (and ``channel_period_*`` across both kinds): exact, not visitor-days.

:func:`visitor_kpi` picks the KPI for a page from the platforms of the selected stores (and
``whole_period=True`` when the period export covers them).

**Traffic-source words** (item 2): each platform's report names its sources in its own words
(手淘搜索, 直通车, 万相台 …); :data:`SOURCE_WORDS` maps each word to the canonical group
(``traffic_source`` values: search, ads, feed, live, social, direct, other) used across stores,
and :func:`source_word` gives the platform's word for a group when one platform is shown.

No Django; imported by the catalog.
"""

from __future__ import annotations

from collections.abc import Iterable

# channels with an event stream of their own (the collector / a tracking export)
EVENT_STREAM_PLATFORMS: frozenset[str] = frozenset({"own"})
# the platforms' own store reports, by platform: (zh, en)
PLATFORM_REPORTS: dict[str, tuple[str, str]] = {
    "tmall": ("生意参谋", "Sycm (生意参谋)"),
    "taobao": ("生意参谋", "Sycm (生意参谋)"),
    "jd": ("京东商智", "JD Shangzhi (京东商智)"),
    "pdd": ("拼多多商家后台", "Pinduoduo merchant centre (拼多多商家后台)"),
    "douyin": ("抖店罗盘", "Douyin Compass (抖店罗盘)"),
    "kuaishou": ("快手生意通", "Kuaishou business data (快手生意通)"),
}

# the visitor-based KPIs a page asks for -> (own-site KPI, platform-report KPI, across both)
VISITOR_KPIS: dict[str, tuple[str, str, str]] = {
    "visitors": ("visitors", "report_visitors", "channel_visitors"),
    "conversion_rate": ("conversion_rate", "report_conversion_rate", "channel_conversion_rate"),
    "uv_value": ("uv_value", "report_uv_value", "channel_uv_value"),
    "add_to_cart_users": ("add_to_cart_users", "report_add_to_cart_users", "channel_add_to_cart_users"),
    "add_to_cart_rate": ("add_to_cart_rate", "report_add_to_cart_rate", "channel_add_to_cart_rate"),
    "favorite_rate": ("favorite_rate", "report_favorite_rate", "favorite_rate"),
    "favorite_users": ("favorite_users", "report_favorite_users", "favorite_users"),
}


# the platform-report KPIs and their figure from the platform's period export (exact over the period)
WHOLE_PERIOD_KPIS: dict[str, str] = {
    "report_visitors": "period_visitors",
    "report_buyers": "period_buyers",
    "report_gmv": "period_gmv",
    "report_order_buyers": "period_order_buyers",
    "report_add_to_cart_users": "period_add_to_cart_users",
    "report_favorite_users": "period_favorite_users",
    "report_conversion_rate": "period_conversion_rate",
    "report_uv_value": "period_uv_value",
    "report_add_to_cart_rate": "period_add_to_cart_rate",
    "report_favorite_rate": "period_favorite_rate",
    "channel_visitors": "channel_period_visitors",
    "channel_add_to_cart_users": "channel_period_add_to_cart_users",
    "channel_conversion_rate": "channel_period_conversion_rate",
    "channel_uv_value": "channel_period_uv_value",
    "channel_add_to_cart_rate": "channel_period_add_to_cart_rate",
}


def is_whole_period_kpi(kpi_id: str) -> bool:
    """A KPI read from the platform's period export (a value only for exactly an imported period)."""
    return kpi_id in _WHOLE_PERIOD_VALUES


def has_event_stream(platform: str | None) -> bool:
    """Whether a store on ``platform`` has its own event stream (else: the platform's reports)."""
    return (platform or "") in EVENT_STREAM_PLATFORMS


def visitor_kpi(kpi_id: str, platforms: Iterable[str], *, whole_period: bool = False) -> str:
    """The KPI to show for ``kpi_id`` when the selected stores are on ``platforms``.

    Own-site stores only: the event KPI; platform stores only: the platform-report KPI; both:
    the cross-channel KPI (each store's own 口径 added up). ``whole_period``: the period asked for
    is exactly an imported period export of every selected platform store, so the platform figures
    are the export's (``period_*`` / ``channel_period_*``, :data:`WHOLE_PERIOD_KPIS`) rather than
    visitor-days. KPIs not about visitors are returned as they are (a ``report_*`` KPI asked for by
    name is switched too)."""
    choice = VISITOR_KPIS.get(kpi_id)
    if choice is None:
        shown = kpi_id
    else:
        kinds = {has_event_stream(p) for p in platforms}
        shown = choice[0] if kinds == {True} else choice[1] if kinds == {False} else choice[2]
    return WHOLE_PERIOD_KPIS.get(shown, shown) if whole_period else shown


def visitor_kpis(kpi_ids: Iterable[str], platforms: Iterable[str], *, whole_period: bool = False) -> tuple[str, ...]:
    platforms = tuple(platforms)
    return tuple(dict.fromkeys(visitor_kpi(k, platforms, whole_period=whole_period) for k in kpi_ids))


_WHOLE_PERIOD_VALUES = frozenset(WHOLE_PERIOD_KPIS.values())


# --- traffic sources in the platforms' words ------------------------------------------------
# platform -> {the report's word: canonical group}; the first word of each group is the one
# shown for the group when only that platform is on the page.
SOURCE_WORDS: dict[str, dict[str, str]] = {
    "tmall": {
        "手淘搜索": "search", "直通车": "ads", "万相台": "ads", "引力魔方": "ads", "品销宝": "ads",
        "猜你喜欢": "feed", "首页推荐": "feed", "手淘推荐": "feed", "淘宝直播": "live", "逛逛": "live",
        "短视频": "live", "淘宝客": "ads", "站外": "other", "我的淘宝": "direct", "购物车": "direct",
        "直接访问": "direct", "其他": "other",
    },
    "jd": {
        "京东搜索": "search", "京东快车": "ads", "京准通": "ads", "京东海投": "ads", "推荐feed": "feed",
        "首页推荐": "feed", "京东直播": "live", "京东短视频": "live", "京挑客": "ads", "京东站外": "other",
        "购物车": "direct", "我的京东": "direct", "其他": "other",
    },
    "pdd": {
        "多多搜索": "search", "搜索推广": "ads", "场景推广": "ads", "全站推广": "ads", "首页推荐": "feed",
        "类目推荐": "feed", "多多直播": "live", "多多视频": "live", "多多进宝": "ads", "拼单分享": "social",
        "个人中心": "direct", "其他": "other",
    },
    "douyin": {
        "抖音商城搜索": "search", "巨量千川": "ads", "推荐feed": "feed", "商城推荐": "feed", "直播间": "live",
        "短视频": "live", "精选联盟": "social", "店铺页": "direct", "橱窗": "direct", "其他": "other",
    },
    "own": {
        "小程序搜索": "search", "朋友圈广告": "ads", "公众号推荐": "feed", "视频号直播": "live", "社群分享": "social",
        "直接打开": "direct", "其他": "other",
    },
}
SOURCE_WORDS["taobao"] = SOURCE_WORDS["tmall"]
SOURCE_WORDS_EN: dict[str, str] = {
    "手淘搜索": "Taobao app search", "直通车": "Zhitongche (search ads)", "万相台": "Wanxiangtai (AI campaigns)",
    "引力魔方": "Yinli Mofang (feed ads)", "品销宝": "Pinxiaobao (brand ads)", "猜你喜欢": "Guess you like",
    "首页推荐": "Home recommendations", "手淘推荐": "Taobao recommendations", "淘宝直播": "Taobao Live",
    "逛逛": "Guangguang (content feed)", "短视频": "Short video", "淘宝客": "Taobaoke (affiliates)",
    "站外": "Off-platform", "我的淘宝": "My Taobao", "购物车": "Cart", "直接访问": "Direct", "其他": "Other",
    "京东搜索": "JD search", "京东快车": "JD Kuaiche (search ads)", "京准通": "Jingzhuntong (ads)",
    "京东海投": "JD Haitou (ads)", "推荐feed": "Recommendation feed", "京东直播": "JD Live",
    "京东短视频": "JD short video", "京挑客": "Jingtiaoke (affiliates)", "京东站外": "Off-platform",
    "我的京东": "My JD", "多多搜索": "Pinduoduo search", "搜索推广": "Search ads", "场景推广": "Scene ads",
    "全站推广": "Full-site ads", "类目推荐": "Category recommendations", "多多直播": "Pinduoduo Live",
    "多多视频": "Pinduoduo video", "多多进宝": "Duoduo Jinbao (affiliates)", "拼单分享": "Group-buy shares",
    "个人中心": "My account", "抖音商城搜索": "Douyin Mall search", "巨量千川": "Juliang Qianchuan (ads)",
    "商城推荐": "Mall recommendations", "直播间": "Livestream room", "精选联盟": "Selection alliance (affiliates)",
    "店铺页": "Store page", "橱窗": "Showcase", "小程序搜索": "Mini-program search", "朋友圈广告": "WeChat Moments ads",
    "公众号推荐": "Official-account posts", "视频号直播": "Channels livestream", "社群分享": "Group shares",
    "直接打开": "Opened directly",
}


def source_group(platform: str | None, value: str | None) -> str:
    """The canonical group of a traffic-source value: a canonical code stays itself, a
    platform's word maps through :data:`SOURCE_WORDS`, an unknown word is ``other``."""
    value = value or ""
    if value in _GROUPS:
        return value
    words = SOURCE_WORDS.get(platform or "", {})
    if value in words:
        return words[value]
    for table in SOURCE_WORDS.values():  # a word of another platform (a mis-assigned file): still its group
        if value in table:
            return table[value]
    return "other"


def source_words(platform: str | None, group: str) -> list[str]:
    """The platform's words that make up a canonical group, in the report's order."""
    return [w for w, g in SOURCE_WORDS.get(platform or "", {}).items() if g == group]


def source_word_text(word: str, language: str) -> str:
    """One of the platforms' words in ``language`` (the Chinese word itself in zh)."""
    return SOURCE_WORDS_EN.get(word, word) if language.startswith("en") else word


def source_word(platform: str | None, group: str, language: str) -> str | None:
    """How the platform's report names a canonical group, e.g. tmall/search -> 手淘搜索;
    several words joined with " / " (tmall/ads -> 直通车 / 万相台 / 引力魔方 / 品销宝); None when
    the platform has no word for it."""
    words = source_words(platform, group)
    if not words:
        return None
    if language.startswith("en"):
        words = [SOURCE_WORDS_EN.get(w, w) for w in words]
    return " / ".join(words)


_GROUPS = frozenset({"search", "ads", "feed", "live", "social", "direct", "other", ""})
