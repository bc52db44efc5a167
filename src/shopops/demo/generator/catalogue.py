"""The brand's catalogue: ~300 products (SPU) and ~1,200 SKUs, listed in every store.

Each store has its own platform ids for the same goods; the merchant code (商家编码)
is shared across stores. Popularity is long-tailed (Zipf-like), seasonal per
subcategory (羽绒服 in winter, T恤 in summer), new products launch during the year
with a launch boost, and a few products go off the shelf.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shopops.demo.generator.spec import BRAND, STORES, stream

# Size ladders (a product uses a contiguous run of one of them).
SIZES = {
    "w": ("S", "M", "L", "XL", "XXL"),
    "m": ("M", "L", "XL", "XXL", "XXXL"),
    "shoe_w": ("35", "36", "37", "38", "39", "40"),
    "shoe_m": ("39", "40", "41", "42", "43", "44"),
    "bra": ("75B", "75C", "80B", "80C", "85B"),
    "one": ("均码",),
    "bed": ("1.5m床", "1.8m床", "2.0m床"),
    "quilt": ("150x200cm", "200x230cm", "220x240cm"),
    "towel": ("单条装", "两条装"),
}
COLOURS = ("黑色", "白色", "米白色", "燕麦色", "雾霾蓝", "藏青色", "卡其色", "灰色",
           "浅粉色", "墨绿色", "焦糖色", "酒红色", "奶茶色", "杏色")
HOME_COLOURS = ("奶油白", "雾蓝", "豆沙粉", "浅灰", "燕麦色", "鼠尾草绿")

ALL_YEAR, SUMMER, WINTER, SPRING_AUTUMN = 0, 1, 2, 3

# category -> (share of products, [(subcategory, price range yuan, season, sizes, noun, refund group)])
CATEGORIES: tuple[tuple[str, float, tuple[tuple[str, int, int, int, str, str], ...]], ...] = (
    ("女装", 0.33, (
        ("连衣裙", 199, 599, SUMMER, "w", "裙子"),
        ("T恤", 69, 159, SUMMER, "w", "T恤"),
        ("衬衫", 159, 359, SPRING_AUTUMN, "w", "衬衫"),
        ("针织衫", 199, 459, WINTER, "w", "针织衫"),
        ("卫衣", 159, 329, SPRING_AUTUMN, "w", "卫衣"),
        ("风衣外套", 399, 899, SPRING_AUTUMN, "w", "外套"),
        ("羽绒服", 599, 1299, WINTER, "w", "羽绒服"),
        ("半身裙", 129, 329, SUMMER, "w", "裙子"),
        ("休闲裤", 159, 399, ALL_YEAR, "w", "裤子"),
    )),
    ("男装", 0.2, (
        ("T恤", 79, 169, SUMMER, "m", "T恤"),
        ("POLO衫", 129, 299, SUMMER, "m", "POLO衫"),
        ("衬衫", 169, 359, SPRING_AUTUMN, "m", "衬衫"),
        ("卫衣", 169, 359, SPRING_AUTUMN, "m", "卫衣"),
        ("夹克", 299, 699, SPRING_AUTUMN, "m", "夹克"),
        ("羽绒服", 599, 1399, WINTER, "m", "羽绒服"),
        ("休闲裤", 169, 399, ALL_YEAR, "m", "裤子"),
        ("牛仔裤", 199, 429, ALL_YEAR, "m", "牛仔裤"),
    )),
    ("内衣家居服", 0.12, (
        ("睡衣套装", 129, 329, ALL_YEAR, "w", "睡衣"),
        ("文胸", 99, 229, ALL_YEAR, "bra", "内衣"),
        ("内裤", 49, 99, ALL_YEAR, "w", "内裤"),
        ("家居服", 149, 359, WINTER, "m", "家居服"),
        ("袜子", 29, 69, ALL_YEAR, "one", "袜子"),
    )),
    ("鞋靴", 0.12, (
        ("运动鞋", 259, 599, ALL_YEAR, "shoe_w", "鞋子"),
        ("小白鞋", 199, 399, SPRING_AUTUMN, "shoe_w", "鞋子"),
        ("乐福鞋", 239, 499, SPRING_AUTUMN, "shoe_w", "鞋子"),
        ("短靴", 359, 799, WINTER, "shoe_w", "靴子"),
        ("休闲男鞋", 259, 559, ALL_YEAR, "shoe_m", "鞋子"),
        ("拖鞋", 39, 99, SUMMER, "shoe_w", "拖鞋"),
    )),
    ("配饰", 0.09, (
        ("帽子", 59, 159, ALL_YEAR, "one", "帽子"),
        ("围巾", 99, 299, WINTER, "one", "围巾"),
        ("包袋", 199, 599, ALL_YEAR, "one", "包包"),
        ("腰带", 99, 259, ALL_YEAR, "one", "腰带"),
    )),
    ("家纺", 0.14, (
        ("四件套", 299, 899, ALL_YEAR, "bed", "四件套"),
        ("被子", 399, 1199, WINTER, "quilt", "被子"),
        ("枕头", 79, 259, ALL_YEAR, "one", "枕头"),
        ("毛巾浴巾", 39, 129, ALL_YEAR, "towel", "毛巾"),
        ("凉席", 199, 599, SUMMER, "bed", "凉席"),
        ("毛毯", 199, 499, WINTER, "quilt", "毯子"),
    )),
)

# Refund/review behaviour groups by category.
CATEGORY_GROUP = {"女装": "apparel", "男装": "apparel", "内衣家居服": "underwear",
                  "鞋靴": "shoes", "配饰": "accessory", "家纺": "home"}

_STYLE = ("法式", "复古", "简约", "宽松", "修身", "百搭", "小香风", "通勤", "休闲", "韩系",
          "日系", "高级感", "显瘦", "oversize", "基础款", "轻奢", "慵懒风", "学院风")
# materials by (category, season kind)
_MATERIAL_BY_SEASON = {
    ALL_YEAR: ("纯棉", "莫代尔", "天丝", "弹力", "精梳棉"),
    SUMMER: ("纯棉", "雪纺", "亚麻", "冰丝", "天丝", "真丝"),
    WINTER: ("羊毛", "白鸭绒", "加绒", "针织", "羊绒混纺"),
    SPRING_AUTUMN: ("纯棉", "针织", "醋酸", "华夫格", "灯芯绒"),
}
_MATERIAL_BY_CATEGORY = {
    "鞋靴": ("头层牛皮", "飞织网面", "超纤皮", "软底", "防滑"),
    "配饰": ("羊毛", "真皮", "帆布", "棉麻", "针织"),
    "家纺": ("新疆长绒棉", "磨毛", "天丝", "水洗棉", "纯棉"),
}
_SEASON_TAG = {ALL_YEAR: ("四季款", "经典款", ""), SUMMER: ("夏季新款", "夏季薄款", "春夏"),
               WINTER: ("冬季加厚", "秋冬新款", "冬季"), SPRING_AUTUMN: ("春秋款", "秋季新款", "早春")}
_SUFFIX = {"女装": "女", "男装": "男", "内衣家居服": "", "鞋靴": "", "配饰": "", "家纺": ""}

# Season factor by month (Jan..Dec) for each season kind.
SEASON_BY_MONTH = np.array([
    [1.0] * 12,
    [0.35, 0.35, 0.6, 0.95, 1.5, 1.9, 1.9, 1.6, 0.9, 0.55, 0.35, 0.35],
    [2.0, 1.3, 0.7, 0.4, 0.25, 0.2, 0.2, 0.3, 0.6, 1.3, 2.2, 2.3],
    [0.7, 0.8, 1.5, 1.6, 1.0, 0.7, 0.6, 0.8, 1.5, 1.5, 1.0, 0.7],
])
# Size popularity (by position in the product's run).
_SIZE_WEIGHT = np.array([0.18, 0.3, 0.28, 0.15, 0.07, 0.02])


@dataclass(frozen=True)
class Catalogue:
    # products
    n_products: int
    title: list[str]
    category: np.ndarray  # int index into category_names
    subcategory: np.ndarray  # int index into subcategory_names
    category_names: list[str]
    subcategory_names: list[str]
    subcategory_category: np.ndarray  # category of each subcategory
    subcategory_noun: list[str]
    subcategory_season: np.ndarray
    list_price: np.ndarray  # cents
    price: np.ndarray  # cents (regular price of the base SKU)
    launch_day: np.ndarray  # window day index (negative: before the window)
    offshelf_day: np.ndarray  # window day index after which it is off the shelf (large when never)
    popularity: np.ndarray  # Zipf-like weight
    product_merchant: list[str]
    product_ids: list[np.ndarray]  # per store, int64 platform ids (as numbers)
    # skus
    n_skus: int
    sku_product: np.ndarray
    sku_spec: list[str]
    sku_merchant: list[str]
    sku_price: np.ndarray  # cents
    sku_cost: np.ndarray  # cents
    sku_weight: np.ndarray  # within-product popularity
    sku_ids: list[np.ndarray]  # per store, int64

    def group_of_product(self) -> np.ndarray:
        groups = ("apparel", "underwear", "shoes", "accessory", "home")
        cat_group = np.array([groups.index(CATEGORY_GROUP[c]) for c in self.category_names])
        return cat_group[self.category]


def _charm_price(yuan: np.ndarray) -> np.ndarray:
    """Round to prices that end in 9 (…59, …99, …299)."""
    y = np.maximum(np.round(yuan), 19)
    return np.where(y < 100, (y // 10) * 10 + 9, (y // 10) * 10 + 9).astype(np.int64)


def build_catalogue(seed: int, n_days: int, n_products: int = 300) -> Catalogue:
    rng = stream(seed, "catalogue")
    category_names = [c[0] for c in CATEGORIES]
    sub_rows = [(ci, *sub) for ci, (_, _, subs) in enumerate(CATEGORIES) for sub in subs]
    subcategory_names = [r[1] for r in sub_rows]
    sub_cat = np.array([r[0] for r in sub_rows])
    sub_lo = np.array([r[2] for r in sub_rows], dtype=float)
    sub_hi = np.array([r[3] for r in sub_rows], dtype=float)
    sub_season = np.array([r[4] for r in sub_rows])
    sub_sizes = [r[5] for r in sub_rows]
    sub_noun = [r[6] for r in sub_rows]

    # products per category by share, then subcategory uniformly within it
    shares = np.array([c[1] for c in CATEGORIES])
    counts = np.floor(shares / shares.sum() * n_products).astype(int)
    counts[0] += n_products - counts.sum()
    category = np.repeat(np.arange(len(CATEGORIES)), counts)
    subcategory = np.empty(n_products, dtype=np.int64)
    for ci in range(len(CATEGORIES)):
        subs = np.flatnonzero(sub_cat == ci)
        idx = np.flatnonzero(category == ci)
        subcategory[idx] = subs[np.arange(idx.size) % subs.size]
    order = rng.permutation(n_products)  # interleave categories
    category, subcategory = category[order], subcategory[order]

    u = rng.beta(1.3, 2.8, n_products)
    price_yuan = _charm_price(sub_lo[subcategory] + u * (sub_hi[subcategory] - sub_lo[subcategory]))
    price = price_yuan * 100
    markup = rng.choice([1.3, 1.5, 1.6, 1.8, 2.0], n_products, p=[0.15, 0.3, 0.25, 0.2, 0.1])
    list_price = np.maximum((np.round(price_yuan * markup / 10) * 10).astype(np.int64) * 100, price)

    # launches: most before the window, about a fifth during it (season drops cluster)
    launch = -rng.integers(30, 1000, n_products)
    new = rng.random(n_products) < 0.22
    drop_days = np.arange(0, max(n_days - 14, 1))
    if drop_days.size:
        launch[new] = rng.choice(drop_days, int(new.sum()))
    offshelf = np.full(n_products, 10**6, dtype=np.int64)
    retire = (~new) & (rng.random(n_products) < 0.07)
    if n_days > 10:
        offshelf[retire] = rng.integers(int(n_days * 0.2), int(n_days * 0.95) + 1, int(retire.sum()))

    rank = rng.permutation(n_products)
    popularity = 1.0 / (rank + 4.0) ** 1.15
    popularity *= np.exp(rng.normal(0, 0.25, n_products))

    # titles and merchant codes
    titles: list[str] = []
    merchant: list[str] = []
    style_i = rng.integers(0, len(_STYLE), n_products)
    mat_i = rng.integers(0, 5, n_products)
    tag_i = rng.integers(0, 3, n_products)
    cat_code = ("WZ", "MZ", "NY", "XX", "PS", "JF")
    for p in range(n_products):
        sub = subcategory[p]
        cat = category_names[category[p]]
        tag = _SEASON_TAG[int(sub_season[sub])][tag_i[p]]
        materials = _MATERIAL_BY_CATEGORY.get(cat) or _MATERIAL_BY_SEASON[int(sub_season[sub])]
        titles.append(f"{BRAND}{tag}{_STYLE[style_i[p]]}{materials[mat_i[p] % len(materials)]}"
                      f"{subcategory_names[sub]}{_SUFFIX[cat]}")
        merchant.append(f"QM-{cat_code[category[p]]}{sub:02d}-{p + 1:04d}")

    # skus: colours x a run of sizes
    spec: list[str] = []
    sku_merchant: list[str] = []
    sku_product: list[int] = []
    sku_price: list[int] = []
    sku_weight: list[float] = []
    n_col = rng.choice([1, 2, 3], n_products, p=[0.6, 0.33, 0.07])
    for p in range(n_products):
        sub = subcategory[p]
        ladder = SIZES[sub_sizes[sub]]
        is_home = category_names[category[p]] == "家纺"
        palette = HOME_COLOURS if is_home else COLOURS
        colours = [palette[i] for i in sorted(rng.choice(len(palette), n_col[p], replace=False))]
        if len(ladder) == 1:
            sizes = list(ladder)
        else:
            run = min(len(ladder), 2 if len(ladder) <= 3 else int(rng.integers(3, 5)))
            first = int(rng.integers(0, len(ladder) - run + 1))
            sizes = list(ladder[first:first + run])
        cw = np.array([1.0 / (k + 1) for k in range(len(colours))])
        for ci, colour in enumerate(colours):
            for si, size in enumerate(sizes):
                sku_product.append(p)
                spec.append(f"颜色:{colour};{'规格' if is_home else '尺码'}:{size}")
                sku_merchant.append(f"{merchant[p]}-{ci + 1:02d}{si + 1:02d}")
                yuan = int(price_yuan[p])
                if is_home and si > 0:  # bigger beds and quilts cost more
                    yuan = int(_charm_price(np.array([yuan * (1.0 + 0.15 * si)]))[0])
                sku_price.append(yuan * 100)
                sku_weight.append(cw[ci] * (_SIZE_WEIGHT[si] if len(sizes) > 1 else 1.0))
    sku_product_a = np.array(sku_product, dtype=np.int64)
    sku_price_a = np.array(sku_price, dtype=np.int64)
    n_skus = sku_product_a.size
    cost_share = rng.uniform(0.35, 0.6, n_products)[sku_product_a]
    sku_cost = np.round(sku_price_a * cost_share / 10).astype(np.int64) * 10

    # platform ids: unique, increasing with a random gap
    product_ids, sku_ids = [], []
    bases = {"tmall": (600_000_000_000, 10_000_000_000_000), "jd": (100_012_000_000, 100_050_000_000),
             "pdd": (300_000_000_000, 500_000_000_000), "douyin": (3_500_000_000_000_000_000, 3_600_000_000_000_000_000),
             "own": (10_001, 200_001)}
    for spec_ in STORES:
        pb, sb = bases[spec_.platform]
        pid = pb + np.arange(n_products, dtype=np.int64) * 7919 + rng.integers(0, 7919, n_products)
        if spec_.platform == "jd":  # JD sells each SKU under its own id; products keep a SPU id
            sid = sb + np.arange(n_skus, dtype=np.int64) * 97 + rng.integers(0, 97, n_skus)
        elif spec_.platform == "own":
            sid = sb + np.arange(n_skus, dtype=np.int64)
            pid = pb + np.arange(n_products, dtype=np.int64)
        else:
            sid = sb + np.arange(n_skus, dtype=np.int64) * 7919 + rng.integers(0, 7919, n_skus)
        product_ids.append(pid)
        sku_ids.append(sid)

    return Catalogue(
        n_products=n_products, title=titles, category=category, subcategory=subcategory,
        category_names=category_names, subcategory_names=subcategory_names,
        subcategory_category=sub_cat, subcategory_noun=sub_noun, subcategory_season=sub_season,
        list_price=list_price, price=price, launch_day=launch, offshelf_day=offshelf,
        popularity=popularity, product_merchant=merchant, product_ids=product_ids,
        n_skus=n_skus, sku_product=sku_product_a, sku_spec=spec, sku_merchant=sku_merchant,
        sku_price=sku_price_a, sku_cost=sku_cost, sku_weight=np.array(sku_weight), sku_ids=sku_ids,
    )


def product_day_weights(cat: Catalogue, month: np.ndarray, days: int) -> np.ndarray:
    """[D, P] sales weight of each product on each window day (0 before launch / after retiring)."""
    d = np.arange(days)[:, None]
    age = d - cat.launch_day[None, :]
    alive = (age >= 0) & (d <= cat.offshelf_day[None, :])
    boost = 1.0 + 1.8 * np.exp(-np.maximum(age, 0) / 40.0)
    season = SEASON_BY_MONTH[cat.subcategory_season[cat.subcategory]][:, month - 1].T  # [D, P]
    return np.where(alive, cat.popularity[None, :] * boost * season, 0.0)


def store_affinity(cat: Catalogue) -> np.ndarray:
    """[S, P] how much each store's shoppers favour each product (price level, category)."""
    rel = cat.price / np.median(cat.price)
    out = np.empty((len(STORES), cat.n_products))
    cat_names = np.array(cat.category_names)[cat.category]
    for s, spec in enumerate(STORES):
        aff = rel ** (-spec.price_elasticity)
        if spec.platform == "jd":
            aff = aff * np.where(np.isin(cat_names, ["男装", "家纺", "鞋靴"]), 1.4, 1.0)
        elif spec.platform == "douyin":
            aff = aff * np.where(cat_names == "女装", 1.4, 1.0)
        elif spec.platform == "pdd":
            aff = aff * np.where(np.isin(cat_names, ["家纺", "内衣家居服"]), 1.5, 1.0)
        out[s] = aff
    return out
