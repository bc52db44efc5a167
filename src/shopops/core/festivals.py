"""The marketing calendar's sources: platform festivals, public holidays and 调休, lunar festivals.

Three kinds of dates, from three kinds of source:

* **Platform festivals** (年货节, 38节, 618, 99划算节, 双11, 双12 on 天猫/淘宝, 京东, 拼多多, 抖音)
  with their phases (蓄水/预热, 预售/定金, 尾款, 开门红, 正式, 返场). These are *platform
  announcements*, not law: each platform publishes its rules a few weeks ahead and the dates move
  a little from year to year. What this module gives is the **typical schedule** — a starting
  point the store edits in its campaign plan once the platform has announced the year's rules.
  Every :class:`Festival` says so in ``source``.
* **Public holidays and 调休 working days** come from the ``chinesecalendar`` package (import name
  ``chinese_calendar``), which ships the State Council's yearly notice. A year the notice has not
  been published for (or the installed package does not know yet) raises
  :class:`HolidayDataMissing` — never a guess — unless an admin has entered that year's notice
  (the campaigns module stores it and registers itself with :func:`set_entered_source`); entered
  days say so (``PublicDay.entered``) and the package wins as soon as it ships the year.
* **Lunar festivals** (除夕, 春节, 元宵, 端午, 七夕, 中秋) are converted from the lunar calendar by
  ``lunar-python``; there is no hand table of dates here.

Pure: no Django, no other shopops module.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

import chinese_calendar
from chinese_calendar.constants import Holiday
from lunar_python import Lunar

__all__ = [
    "Festival", "HolidayDataMissing", "LunarFestival", "Phase", "PhaseKind", "Platform", "PublicDay",
    "PublicDayKind", "TYPICAL_SOURCE_EN", "TYPICAL_SOURCE_ZH", "chinese_new_year", "holiday_years",
    "festivals_between", "lunar_festivals", "platform_festivals", "public_days",
    "entered_public_days", "public_days_origin", "set_entered_source",
]

TYPICAL_SOURCE_ZH = "常见排期(平台公告为准,店铺可修改)"
TYPICAL_SOURCE_EN = "typical schedule (the platform's announcement rules; editable by the store)"


class Platform(StrEnum):
    TMALL = "tmall"  # 天猫/淘宝 (one schedule: Alibaba runs both)
    JD = "jd"
    PDD = "pdd"
    DOUYIN = "douyin"

    @property
    def label_zh(self) -> str:
        return {"tmall": "天猫/淘宝", "jd": "京东", "pdd": "拼多多", "douyin": "抖音"}[self.value]

    @property
    def label_en(self) -> str:
        return {"tmall": "Tmall/Taobao", "jd": "JD", "pdd": "Pinduoduo", "douyin": "Douyin"}[self.value]


class PhaseKind(StrEnum):
    WARMUP = "warmup"  # 蓄水/预热: browsing, add to cart, coupons collected
    PRESALE = "presale"  # 预售/定金: deposits paid
    BALANCE = "balance"  # 尾款: balances of presale orders paid
    OPENING = "opening"  # 开门红: the first selling wave
    MAIN = "main"  # 正式/高潮: the peak days
    ENCORE = "encore"  # 返场

    @property
    def label_zh(self) -> str:
        return _PHASE_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return _PHASE_LABELS[self][1]


_PHASE_LABELS = {
    PhaseKind.WARMUP: ("蓄水预热", "Warm-up"), PhaseKind.PRESALE: ("预售/定金", "Presale (deposit)"),
    PhaseKind.BALANCE: ("尾款", "Balance payment"), PhaseKind.OPENING: ("开门红", "Opening wave"),
    PhaseKind.MAIN: ("正式", "Main days"), PhaseKind.ENCORE: ("返场", "Encore"),
}


@dataclass(frozen=True, slots=True)
class Phase:
    kind: PhaseKind
    first: dt.date
    last: dt.date  # inclusive

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"phase {self.kind.value} ends ({self.last}) before it starts ({self.first})")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class Festival:
    """One platform's festival in one year, with its typical phases (sorted by first day)."""

    key: str  # "double11", "618", … the same across platforms and years
    name_zh: str
    name_en: str
    platform: Platform
    year: int
    phases: tuple[Phase, ...]
    source: str = TYPICAL_SOURCE_EN

    @property
    def first(self) -> dt.date:
        return min(p.first for p in self.phases)

    @property
    def last(self) -> dt.date:
        return max(p.last for p in self.phases)

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.last


# ---------------------------------------------------------------- lunar festivals

@dataclass(frozen=True, slots=True)
class LunarFestival:
    key: str  # "spring_festival", "lantern", "dragon_boat", "qixi", "mid_autumn", "new_years_eve"
    name_zh: str
    name_en: str
    day: dt.date
    lunar_month: int
    lunar_day: int


# (key, zh, en, lunar month, lunar day) of the lunar year that starts in the Gregorian year
_LUNAR = (
    ("spring_festival", "春节", "Spring Festival", 1, 1),
    ("lantern", "元宵节", "Lantern Festival", 1, 15),
    ("dragon_boat", "端午节", "Dragon Boat Festival", 5, 5),
    ("qixi", "七夕", "Qixi", 7, 7),
    ("mid_autumn", "中秋节", "Mid-Autumn Festival", 8, 15),
)


def _solar(lunar_year: int, month: int, day: int) -> dt.date:
    s = Lunar.fromYmd(lunar_year, month, day).getSolar()  # month > 0: the regular (not leap) month
    return dt.date(s.getYear(), s.getMonth(), s.getDay())


@cache
def chinese_new_year(year: int) -> dt.date:
    """春节 (lunar 1/1) of a Gregorian year — always in late January or February."""
    return _solar(year, 1, 1)


def lunar_festivals(year: int) -> list[LunarFestival]:
    """The lunar festivals falling in Gregorian ``year``, by date: 除夕 (the eve of 春节 — the last
    day of the twelfth lunar month, 29 or 30), 春节, 元宵, 端午, 七夕, 中秋."""
    cny = chinese_new_year(year)
    eve = cny - dt.timedelta(days=1)
    prev = Lunar.fromYmd(year, 1, 1).next(-1)
    out = [LunarFestival("new_years_eve", "除夕", "New Year's Eve", eve, abs(prev.getMonth()), prev.getDay())]
    for key, zh, en, m, d in _LUNAR:
        out.append(LunarFestival(key, zh, en, _solar(year, m, d), m, d))
    return sorted(out, key=lambda f: f.day)


# ---------------------------------------------------------------- public holidays and 调休

class PublicDayKind(StrEnum):
    HOLIDAY = "holiday"  # 法定节假日 (a day off, weekends inside the holiday included)
    MAKEUP_WORKDAY = "makeup_workday"  # 调休上班: a weekend day that is a working day


class HolidayDataMissing(LookupError):
    """The State Council schedule of a year is not in the installed ``chinesecalendar``."""

    def __init__(self, year: int, covered: range):
        self.year = year
        super().__init__(
            f"no State Council holiday schedule for {year} in chinesecalendar "
            f"{getattr(chinese_calendar, '__version__', '?')} (it covers {covered.start}–{covered.stop - 1}); "
            "update the package once the year's notice is published")


_HOLIDAY_ZH = {
    Holiday.new_years_day: "元旦", Holiday.spring_festival: "春节", Holiday.tomb_sweeping_day: "清明节",
    Holiday.labour_day: "劳动节", Holiday.dragon_boat_festival: "端午节", Holiday.national_day: "国庆节",
    Holiday.mid_autumn_festival: "中秋节", Holiday.anti_fascist_70th_day: "抗战胜利70周年纪念日",
}
_BY_EN = {h.value: h for h in Holiday}


@dataclass(frozen=True, slots=True)
class PublicDay:
    day: dt.date
    kind: PublicDayKind
    name_zh: str
    name_en: str
    entered: bool = False  # from a schedule an admin entered (the package does not have the year yet)


# A year the package does not cover may come from a schedule entered by hand (the campaigns module
# stores it and registers the source at start-up): year -> its days, or None when not entered.
EnteredSource = Callable[[int], "list[PublicDay] | None"]
_entered_source: EnteredSource | None = None


_entered_generation = 0


def set_entered_source(source: EnteredSource | None) -> None:
    """Register where entered schedules come from (``None`` removes it)."""
    global _entered_source
    _entered_source = source
    entered_changed()


def entered_changed() -> None:
    """An entered schedule was saved or removed in this process: callers holding a copy re-read."""
    global _entered_generation
    _entered_generation += 1


def entered_generation() -> int:
    return _entered_generation


def entered_public_days(year: int) -> list[PublicDay] | None:
    """The entered schedule of ``year`` (None: nothing entered, or no source registered)."""
    if _entered_source is None:
        return None
    days = _entered_source(year)
    return None if days is None else sorted(days, key=lambda p: p.day)


def public_days_origin(year: int) -> str | None:
    """``"library"`` (the package has the year), ``"entered"`` (an admin entered it) or None."""
    if year in holiday_years():
        return "library"
    return "entered" if entered_public_days(year) is not None else None


def chinese_calendar_version() -> str:
    return str(getattr(chinese_calendar, "__version__", "?"))


@cache
def holiday_years() -> range:
    """The Gregorian years the installed ``chinesecalendar`` has the State Council schedule for."""
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def public_days(year: int) -> list[PublicDay]:
    """Holidays and 调休 working days of ``year``, by date: the package's when it has the year, else
    the schedule entered by hand (:func:`set_entered_source`); else :class:`HolidayDataMissing`."""
    covered = holiday_years()
    if year not in covered:
        entered = entered_public_days(year)
        if entered is not None:
            return entered
        raise HolidayDataMissing(year, covered)
    out = []
    for table, kind in ((chinese_calendar.holidays, PublicDayKind.HOLIDAY),
                        (chinese_calendar.workdays, PublicDayKind.MAKEUP_WORKDAY)):
        for day, name in table.items():
            if day.year == year:
                h = _BY_EN.get(name)
                out.append(PublicDay(day, kind, _HOLIDAY_ZH.get(h, name), name))
    return sorted(out, key=lambda p: p.day)


# ---------------------------------------------------------------- platform festivals

def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def _phases(*spec: tuple[PhaseKind, dt.date, dt.date]) -> tuple[Phase, ...]:
    return tuple(sorted((Phase(k, a, b) for k, a, b in spec), key=lambda p: (p.first, p.last)))


W, P, B, O, M, E = (PhaseKind.WARMUP, PhaseKind.PRESALE, PhaseKind.BALANCE, PhaseKind.OPENING,
                    PhaseKind.MAIN, PhaseKind.ENCORE)


def _new_year_goods(y: int, platform: Platform) -> tuple[Phase, ...]:
    # 年货节 runs about a month before 春节 and stops when couriers stop (about 12 days before).
    cny = chinese_new_year(y)
    td = dt.timedelta
    return _phases((W, cny - td(30), cny - td(24)), (M, cny - td(23), cny - td(13)))


def _schedule(y: int, key: str, platform: Platform) -> tuple[Phase, ...] | None:
    d = lambda m, day: _d(y, m, day)  # noqa: E731
    tm, jd, pdd, dy = (platform is Platform.TMALL, platform is Platform.JD, platform is Platform.PDD,
                       platform is Platform.DOUYIN)
    if key == "new_year_goods":
        return _new_year_goods(y, platform)
    if key == "38":
        return _phases((W, d(3, 1), d(3, 6)), (M, d(3, 7), d(3, 8)))
    if key == "618":
        if tm:
            return _phases((W, d(5, 20), d(5, 30)), (P, d(5, 20), d(5, 31)), (O, d(5, 31), d(6, 3)),
                           (M, d(6, 16), d(6, 18)), (B, d(6, 18), d(6, 18)), (E, d(6, 19), d(6, 20)))
        if jd:
            return _phases((W, d(5, 20), d(5, 30)), (P, d(5, 20), d(5, 31)), (O, d(5, 31), d(6, 3)),
                           (M, d(6, 16), d(6, 18)), (B, d(6, 18), d(6, 18)), (E, d(6, 19), d(6, 20)))
        if dy:
            return _phases((W, d(5, 13), d(5, 24)), (M, d(5, 25), d(6, 18)), (E, d(6, 19), d(6, 20)))
        return _phases((W, d(5, 20), d(5, 30)), (M, d(5, 31), d(6, 18)), (E, d(6, 19), d(6, 20)))
    if key == "99":
        if tm:
            return _phases((W, d(9, 5), d(9, 6)), (O, d(9, 7), d(9, 8)), (M, d(9, 9), d(9, 9)))
        return None
    if key == "double11":
        if tm:
            return _phases((W, d(10, 15), d(10, 23)), (P, d(10, 24), d(10, 31)), (O, d(10, 31), d(11, 3)),
                           (B, d(11, 1), d(11, 1)), (M, d(11, 10), d(11, 11)), (E, d(11, 12), d(11, 13)))
        if jd:
            return _phases((W, d(10, 15), d(10, 22)), (P, d(10, 23), d(10, 31)), (O, d(10, 31), d(11, 3)),
                           (M, d(11, 10), d(11, 11)), (E, d(11, 12), d(11, 13)))
        if dy:
            return _phases((W, d(10, 15), d(10, 19)), (M, d(10, 20), d(11, 11)), (E, d(11, 12), d(11, 13)))
        return _phases((W, d(10, 15), d(10, 19)), (M, d(10, 20), d(11, 11)), (E, d(11, 12), d(11, 13)))
    if key == "double12":
        return _phases((W, d(12, 5), d(12, 11)), (M, d(12, 12), d(12, 12)))
    raise KeyError(key)


# key -> (zh name per platform, en name)
_FESTIVALS = (
    ("new_year_goods", {Platform.TMALL: "天猫年货节", Platform.JD: "京东年货节", Platform.PDD: "拼多多年货节",
                        Platform.DOUYIN: "抖音好物年货节"}, "New Year goods festival"),
    ("38", {Platform.TMALL: "天猫38女王节", Platform.JD: "京东38女神节", Platform.PDD: "拼多多38节",
            Platform.DOUYIN: "抖音38好物节"}, "Women's Day (3.8) sale"),
    ("618", {Platform.TMALL: "天猫618", Platform.JD: "京东618", Platform.PDD: "拼多多618",
             Platform.DOUYIN: "抖音618好物节"}, "618 mid-year sale"),
    ("99", {Platform.TMALL: "淘宝99划算节"}, "99 bargain festival"),
    ("double11", {Platform.TMALL: "天猫双11", Platform.JD: "京东双11", Platform.PDD: "拼多多双11",
                  Platform.DOUYIN: "抖音双11好物节"}, "Double 11 (Singles' Day)"),
    ("double12", {Platform.TMALL: "淘宝双12", Platform.JD: "京东双12", Platform.PDD: "拼多多双12",
                  Platform.DOUYIN: "抖音双12好物节"}, "Double 12"),
)
FESTIVAL_KEYS = tuple(k for k, _, _ in _FESTIVALS)


def platform_festivals(year: int, platform: Platform | str | None = None) -> list[Festival]:
    """The typical big-sale schedule of ``year`` for one platform (or all four), by first day.

    A typical schedule, not the platform's announcement of the year: stores edit the dates in
    their campaign plans (the source text of each festival says so)."""
    platforms = list(Platform) if platform is None else [Platform(platform)]
    out = []
    for key, names, en in _FESTIVALS:
        for p in platforms:
            if p not in names:
                continue
            phases = _schedule(year, key, p)
            if phases:
                out.append(Festival(key, names[p], en, p, year, phases))
    return sorted(out, key=lambda f: (f.first, f.key, f.platform.value))


def festivals_between(first: dt.date, last: dt.date, platform: Platform | str | None = None) -> list[Festival]:
    """Festivals overlapping ``first``–``last`` (a 年货节 may start in December of the year before
    the 春节 it belongs to, so the next year's schedule is looked at too)."""
    out = []
    for year in range(first.year, last.year + 2):
        out.extend(f for f in platform_festivals(year, platform) if f.first <= last and f.last >= first)
    return sorted(out, key=lambda f: (f.first, f.key, f.platform.value))
