"""The service desk of the demo store: agents, SLA policies, reply templates (话术), tickets in every
state (some past their SLA), chat-service exports per agent and day imported through the ingest
pipeline like every other demo file, and survey answers. Run once (skipped when tickets exist)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import numpy as np
from django.conf import settings
from django.utils import timezone

from shopops.core.roles import Role

SEED = 16
AGENTS = (  # username, nickname, lead?, chat-tool names per store
    ("customer_service", "客服主管·林", True),
    ("kf_mei", "小美", False),
    ("kf_jie", "阿杰", False),
)
CHAT_FILES = {  # store -> (profile, encoding, name in the tool for a nickname)
    "tmall": ("service_qianniu", "gb18030", lambda n: f"官方旗舰店:{n}"),
    "jd": ("service_jd_dongdong", "gb18030", lambda n: f"jd_kf_{n}"),
    "pdd": ("service_pdd", "utf-8-sig", lambda n: f"pdd_kf_{n}"),
    "douyin": ("service_doudian_feige", "utf-8", lambda n: f"飞鸽-{n}"),
}
TEMPLATES = (
    ("开场问候", "greeting", "", "亲，您好，我是{agent}，很高兴为您服务～请问有什么可以帮您？"),
    ("尺码推荐", "presale", "", "亲，麻烦告诉我您的身高和体重，{agent}帮您推荐{product}最合适的尺码哦～"),
    ("发货时间", "presale", "", "亲，{product}现货 48 小时内发出，预售款以详情页时间为准哦～"),
    ("退货指引", "return", "", "{nickname}您好，订单{order_id}支持 7 天无理由退货，请在订单页申请退货，寄回时请备注订单号～"),
    ("换货流程", "exchange", "", "{nickname}您好，换货请在订单{order_id}页面申请，仓库收到后 24 小时内为您寄出新尺码～"),
    ("退款进度", "refund", "", "亲，订单{order_id}的退款已提交，原路退回一般 1–3 个工作日到账，请留意～"),
    ("投诉致歉", "complaint", "", "{nickname}您好，非常抱歉给您带来不好的体验，{agent}已记录并加急处理，稍后给您回复。"),
    ("物流催件", "logistics", "", "亲，订单{order_id}的物流我们已联系快递加急，预计 1–2 天内更新，请您放心～"),
    ("差评回访补偿", "bad_review", "", "{nickname}您好，看到您对{product}的评价，非常抱歉！送您一张优惠券 {coupon_code}，下次购物可用，我们会持续改进。"),
    ("评价回复·好评", "review_reply", "", "感谢亲的好评与支持，{store}期待您的再次光临～"),
    ("评价回复·差评", "review_reply", "", "非常抱歉这次没让您满意，客服会尽快联系您处理，给您一个满意的答复。"),
    ("京东售后说明", "return", "jd", "您好，京东订单{order_id}可在“我的订单-申请售后”中提交，上门取件免运费。"),
    ("结束语", "closing", "", "感谢{nickname}的耐心，祝您生活愉快，有问题随时找{agent}哦～"),
)


def _users() -> dict[str, object]:
    from django.contrib.auth import get_user_model

    from shopops.team.services import DEMO_PASSWORD, user_create

    User = get_user_model()
    out = {}
    for username, _nick, _lead in AGENTS:
        user = User.objects.filter(username=username).first()
        out[username] = user or user_create(username=username, password=DEMO_PASSWORD, role=Role.CUSTOMER_SERVICE)
    return out


def _policies() -> None:
    from shopops.service.models import BusinessHoursSetting, Priority, SlaPolicy

    BusinessHoursSetting.objects.get_or_create(store_id="", defaults={"opens_minute": 9 * 60, "closes_minute": 24 * 60})
    targets = {Priority.LOW: (120, 2880), Priority.NORMAL: (30, 1440), Priority.HIGH: (10, 480), Priority.URGENT: (3, 240)}
    for priority, (first, resolve) in targets.items():
        SlaPolicy.objects.get_or_create(ticket_type="", priority=priority, defaults={
            "first_response_minutes": first, "resolution_minutes": resolve})
    SlaPolicy.objects.get_or_create(ticket_type="complaint", priority=Priority.NORMAL, defaults={
        "first_response_minutes": 15, "resolution_minutes": 720})


def _chat_rows(rng: np.random.Generator, days: list[dt.date], agent_names: list[tuple[str, float]]) -> list[dict]:
    rows = []
    for day in days:
        busy = 1.6 if day.weekday() >= 5 else 1.0
        for name, skill in agent_names:
            served = int(rng.integers(60, 220) * busy)
            inquiries = int(served * rng.uniform(0.4, 0.65))
            rated = int(served * rng.uniform(0.05, 0.2))
            rows.append({
                "day": day, "name": name, "served": served, "inquiries": inquiries,
                "buyers": int(inquiries * rng.uniform(0.25, 0.5) * skill),
                "first": max(2, int(rng.normal(14 / skill, 4))), "avg": max(8, int(rng.normal(32 / skill, 8))),
                "m3": min(1.0, rng.uniform(0.9, 1.0) * (0.97 + 0.03 * skill)), "rated": rated,
                "sat": min(1.0, rng.uniform(0.8, 0.98) * (0.95 + 0.05 * skill)),
            })
    return rows


def _duration(seconds: int, style: str) -> str:
    m, s = divmod(seconds, 60)
    if style == "clock":
        return f"00:{m:02d}:{s:02d}"
    if style == "zh":
        return f"{m}分{s:02d}秒" if m else f"{s}秒"
    return str(seconds)


def _write_chat_file(path: Path, store: str, rows: list[dict]) -> None:
    profile, encoding, _name = CHAT_FILES[store]
    pct = lambda x: f"{x * 100:.2f}%"  # noqa: E731
    if profile == "service_qianniu":
        header = ["日期", "客服旺旺", "咨询人数", "接待人数", "询单人数", "询单->最终付款人数", "询单->最终付款成功率",
                  "平均首次响应(秒)", "平均响应(秒)", "3分钟响应率", "评价人数", "客户满意率", "答问比"]
        body = [[r["day"].isoformat(), r["name"], r["served"] + 6, r["served"], r["inquiries"], r["buyers"],
                 pct(r["buyers"] / max(1, r["inquiries"])), r["first"], r["avg"], pct(r["m3"]), r["rated"],
                 pct(r["sat"]) if r["rated"] else "", "1.25"] for r in rows]
    elif profile == "service_jd_dongdong":
        header = ["日期", "客服账号", "客服昵称", "咨询量", "接待量", "询单量", "询单成交人数", "询单转化率", "首次响应时间",
                  "平均响应时间", "30s应答率", "3分钟应答率", "评价数", "满意度"]
        body = [[r["day"].isoformat(), r["name"], r["name"][-2:], r["served"] + 9, r["served"], r["inquiries"], r["buyers"],
                 pct(r["buyers"] / max(1, r["inquiries"])), _duration(r["first"], "clock"), _duration(r["avg"], "clock"),
                 pct(r["m3"] * 0.9), pct(r["m3"]), r["rated"], pct(r["sat"]) if r["rated"] else ""] for r in rows]
    elif profile == "service_pdd":
        header = ["日期", "客服账号", "接待人数", "询单人数", "最终成团人数", "询单转化率", "平均首次人工响应时长",
                  "平均人工响应时长", "3分钟人工回复率", "评价人数", "满意率"]
        body = [[r["day"].isoformat(), r["name"], r["served"], r["inquiries"], r["buyers"],
                 pct(r["buyers"] / max(1, r["inquiries"])), _duration(r["first"], "zh"), _duration(r["avg"], "zh"),
                 pct(r["m3"]), r["rated"], pct(r["sat"]) if r["rated"] else ""] for r in rows]
    else:
        header = ["日期", "客服昵称", "接待人数", "询单人数", "询单转化人数", "询单转化率", "平均首响时长", "平均响应时长",
                  "3分钟回复率", "评价人数", "满意率"]
        body = [[r["day"].isoformat(), r["name"], r["served"], r["inquiries"], r["buyers"],
                 pct(r["buyers"] / max(1, r["inquiries"])), _duration(r["first"], "zh"), _duration(r["avg"], "zh"),
                 pct(r["m3"]), r["rated"], pct(r["sat"]) if r["rated"] else ""] for r in rows]
    # an import file in the platform's layout (the demo feeds the pipeline, as the generator does);
    # no value holds a comma, quote or line break
    lines = [",".join(str(v) for v in line) for line in [header, *body]]
    assert not any('"' in line for line in lines)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))


def _chat_exports(agents, last_day: dt.date, echo: Callable[[str], None]) -> int:
    from shopops.ingest.models import ImportJob
    from shopops.ingest.services import import_job_run

    rng = np.random.default_rng(SEED)
    days = [last_day - dt.timedelta(days=k) for k in range(29, -1, -1)]
    out_dir = Path(settings.VAR_DIR) / "demo" / f"service-chat-{last_day.isoformat()}"
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = 0
    skills = {"kf_mei": 1.15, "kf_jie": 0.9, "customer_service": 1.05}
    for store, (profile, _enc, name_of) in CHAT_FILES.items():
        names = [(name_of(a.nickname if a.user.username != "customer_service" else "lin"), skills[a.user.username])
                 for a in agents]
        path = out_dir / f"{profile}.csv"
        _write_chat_file(path, store, _chat_rows(rng, days, names))
        job = import_job_run(path=path, profile_id=profile, store_id=store, strict=True, source=ImportJob.Source.DEMO,
                             archive=False)
        if job.status != ImportJob.Status.LOADED:
            first = job.rejects.first()
            raise RuntimeError(f"demo file {path} was rejected: {first.row} {first.column} {first.reason}")
        rows += job.rows_read
    echo(f"service: {rows} chat-service rows (4 platforms, 30 days) imported")
    return rows


# Where each hand-made ticket's SLA clock stands when the demo is built, in business time counted back from
# that moment (``sla.subtract_business_seconds``): the queue a director opens has most tickets on track, some
# within the warning hour and a few overdue, on a weekday or a weekend alike (on a Saturday the clocks stopped
# at Friday's close and still read so; a ticket's time on the wall clock says nothing of its SLA).
# ("share", x): x of its target has run; ("left", m): m business minutes are left; ("over", m): m overdue.
NEW_CLOCKS = (("share", 0.3), ("share", 0.6), ("over", 95), ("share", 0.2), ("share", 0.5), ("share", 0.8),
              ("over", 240), ("share", 0.4), ("share", 0.7), ("share", 0.25))  # of the first-response target
OPEN_CLOCKS = (("share", 0.2), ("share", 0.45), ("left", 40), ("share", 0.3), ("over", 150), ("share", 0.6),
               ("share", 0.15), ("left", 20), ("share", 0.5), ("share", 0.35), ("over", 45), ("left", 50))  # resolution
WAITING_SHARES = (0.3, 0.5, 0.2, 0.6, 0.4, 0.25)  # of the resolution target, until the customer was asked
LATE_FIRST_REPLY = frozenset({3, 9})  # open tickets whose first reply came after its target (1.5 × it)


def clock_elapsed(clock: tuple[str, float], target_seconds: int) -> int:
    """The business seconds a ticket's clock has run for one of the clocks above."""
    kind, x = clock
    if kind == "share":
        return int(target_seconds * x)
    if kind == "left":
        return target_seconds - int(x * 60)
    return target_seconds + int(x * 60)


def _tickets(agents, rng: np.random.Generator, now: dt.datetime) -> int:
    from shopops.service.models import ReplyTemplate, TicketStatus, TicketType
    from shopops.service.selectors import business_hours_for, sla_policy_for
    from shopops.service.services import template_render, ticket_create, ticket_reply, ticket_transition, tickets_escalate
    from shopops.service.sla import add_business_seconds, subtract_business_seconds

    subjects = {
        TicketType.PRESALE: ["这件外套 170/65kg 穿什么码？", "双11 前能发货吗？", "有没有赠品？"],
        TicketType.RETURN: ["衣服偏小想退货", "颜色和图片不一样，申请退货"],
        TicketType.EXCHANGE: ["想换大一码", "换成黑色可以吗"],
        TicketType.REFUND: ["退款还没到账", "仅退款申请一直没处理"],
        TicketType.COMPLAINT: ["客服态度差", "发错货还要我自己寄回"],
        TicketType.LOGISTICS: ["快递三天没动", "显示签收但没收到"],
        TicketType.BAD_REVIEW: ["差评：质量一般，洗一次就起球", "差评：尺码偏小"],
    }
    plan = ([TicketStatus.NEW] * len(NEW_CLOCKS) + [TicketStatus.OPEN] * len(OPEN_CLOCKS)
            + [TicketStatus.WAITING] * len(WAITING_SHARES) + [TicketStatus.RESOLVED] * 8 + [TicketStatus.CLOSED] * 14)
    types = list(subjects)
    greeting = ReplyTemplate.objects.filter(title="开场问候").first()  # the first replies use it: its uses count
    products = _best_sellers()  # the tickets are about the stores' best sellers
    made = 0
    seen = {status: 0 for status in TicketStatus.values}
    for i, status in enumerate(plan):
        kind = types[i % len(types)]
        store_id = ("tmall", "jd", "pdd", "douyin")[i % 4]
        priority = int(rng.choice([1, 2, 2, 2, 3, 4]))
        hours = business_hours_for(store_id=store_id)
        policy = sla_policy_for(ticket_type=kind, priority=priority)
        first, resolve = ((policy.first_response_minutes * 60, policy.resolution_minutes * 60) if policy
                          else (1800, 86400))
        k = seen[status]
        seen[status] += 1
        reply_after = int(first * rng.uniform(0.2, 0.8))  # business seconds to the first reply: on time …
        if status == TicketStatus.NEW:
            elapsed = clock_elapsed(NEW_CLOCKS[k], first)
        elif status == TicketStatus.OPEN:
            elapsed = clock_elapsed(OPEN_CLOCKS[k], resolve)
            if k in LATE_FIRST_REPLY:
                reply_after = first * 3 // 2  # … or late
        elif status == TicketStatus.WAITING:
            elapsed = int(resolve * WAITING_SHARES[k]) + int(rng.integers(1, 8)) * 3600
        else:  # resolved or closed: came in one to six working days ago
            elapsed = int(rng.integers(1, 6)) * 15 * 3600 + int(rng.integers(0, 12 * 3600))
        created = subtract_business_seconds(now, elapsed, hours)
        agent = None if status == TicketStatus.NEW and i % 2 else agents[1 + i % 2]
        ticket, new = ticket_create(
            store_id=store_id, ticket_type=kind,
            subject=subjects[kind][i % len(subjects[kind])], priority=priority,
            source_ref=f"demo-{i}", source="manual", order_id=f"DEMO{100000 + i}", customer_id=f"demo-buyer-{i:03d}",
            customer_nickname=["晴天小猪", "tb_aaron", "Lily酱", "老王", "木子李"][i % 5],
            product_id=(products.get(store_id) or [""])[(i // 4) % len(products.get(store_id) or [""])],
            assignee=agent, now=created)
        if not new:
            continue
        made += 1
        if status == TicketStatus.NEW:
            continue
        step = add_business_seconds(created, min(reply_after, elapsed - 600), hours)
        if greeting is not None and agent is not None:
            ticket_reply(ticket=ticket, body=template_render(template=greeting, ticket=ticket, agent=agent),
                         actor=agent.user, template=greeting, now=step)
        else:
            ticket_reply(ticket=ticket, body="亲，您好，已收到您的问题，马上为您处理～", actor=agent.user if agent else None,
                         now=step)
        if status == TicketStatus.WAITING:  # the customer was asked back: the resolution clock stops
            ticket_transition(ticket=ticket, to=TicketStatus.WAITING,
                              now=subtract_business_seconds(now, elapsed - int(resolve * WAITING_SHARES[k]), hours))
        if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
            ticket_transition(ticket=ticket, to=TicketStatus.RESOLVED, now=add_business_seconds(step, 30 * 60, hours))
        if status == TicketStatus.CLOSED:
            ticket_transition(ticket=ticket, to=TicketStatus.CLOSED, now=add_business_seconds(step, 40 * 60, hours))
    tickets_escalate(now=now)
    return made


def _best_sellers(top: int = 5) -> dict[str, list[str]]:
    """Each store's ``top`` products by paid units (the demo's survey answers name them)."""
    from shopops.warehouse.connection import connect

    con = connect()
    if "order_lines" not in con.list_tables():
        return {}
    lines = con.table("order_lines")
    frame = lines.group_by(["store_id", "product_id"]).aggregate(units=lines.quantity.sum()).to_pandas()
    frame = frame.sort_values(["store_id", "units", "product_id"], ascending=[True, False, True])
    return {s: list(g["product_id"].head(top)) for s, g in frame.groupby("store_id", sort=True)}


def _survey_answers(rng: np.random.Generator, now: dt.datetime) -> int:
    from shopops.service.models import Agent, SurveyKind, SurveySend
    from shopops.service.services import survey_answer, survey_token

    answered = 0
    agents = list(Agent.objects.all())
    products = _best_sellers()  # per store: the products the answers are about (CSAT/NPS by product)
    for i in range(160):
        kind = SurveyKind.CSAT if i % 2 == 0 else SurveyKind.NPS
        sent = now - dt.timedelta(days=int(rng.integers(1, 60)), hours=int(rng.integers(0, 12)))
        store_id = ("tmall", "jd", "pdd", "douyin")[i % 4]
        choices = products.get(store_id) or [""]
        send = SurveySend.objects.create(
            kind=kind, trigger=SurveySend.Trigger.TICKET_CLOSED if kind == SurveyKind.CSAT else SurveySend.Trigger.DELIVERED,
            store_id=store_id, customer_id=f"demo-survey-{i:03d}", product_id=choices[(i // 4) % len(choices)],
            order_id=f"DS{i:05d}" if kind == SurveyKind.NPS else "",
            agent=agents[i % len(agents)] if kind == SurveyKind.CSAT else None, channel="sms", token=survey_token(),
            status=SurveySend.Status.SENT, sent_at=sent, expires_at=sent + dt.timedelta(days=7))
        if rng.random() < 0.7:
            if kind == SurveyKind.CSAT:
                score = int(rng.choice([5, 5, 5, 4, 4, 4, 3, 2, 5, 4, 1]))
            else:
                score = int(rng.choice([10, 9, 9, 8, 7, 10, 6, 9, 3, 8]))
            survey_answer(token=send.token, score=score, now=sent + dt.timedelta(hours=2))
            answered += 1
    return answered


def service_demo_ensure(*, echo: Callable[[str], None] = print) -> None:
    """Seed the service desk once (no tickets yet)."""
    from shopops.metrics.runners import last_fact_date
    from shopops.service.models import ReplyTemplate, Ticket
    from shopops.service.services import agent_ensure, reply_template_save, tickets_from_facts

    if Ticket.objects.exists():
        return
    echo("first run: seeding the service desk (agents, SLA, templates, tickets, chat data, surveys) …")
    users = _users()
    agents = []
    for username, nickname, lead in AGENTS:
        short = "lin" if username == "customer_service" else nickname
        agents.append(agent_ensure(user=users[username], nickname=nickname, is_lead=lead,
                                   chat_names=[name_of(short) for _p, _e, name_of in CHAT_FILES.values()]))
    _policies()
    for title, scenario, platform, body in TEMPLATES:
        if not ReplyTemplate.objects.filter(title=title, platform=platform).exists():
            reply_template_save(title=title, scenario=scenario, platform=platform, body=body)
    rng = np.random.default_rng(SEED)
    now = timezone.now()
    made = _tickets(agents, rng, now)
    last = last_fact_date()
    auto = {"refund": 0, "review": 0}
    if last is not None:
        _chat_exports(agents, last, echo)
        for k in range(2):
            got = tickets_from_facts(day=last - dt.timedelta(days=k), now=now)
            auto = {key: auto[key] + got[key] for key in auto}
    answered = _survey_answers(rng, now)
    echo(f"service: {made} tickets by hand, {auto['refund']} from refunds, {auto['review']} from bad reviews; "
         f"{answered} survey answers")
