"""The demo's sample cases as stories: where, what, who filed them and the workflow steps since (data only)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from cases.choices import CaseSource

# --- sample cases ------------------------------------------------------------------------------
#
# Each sample case is a story: where it is, who filed it and the workflow actions that brought it
# to its state, each taken some time after the one before. `seed_cases` replays the stories
# through cases/workflow.py under `clock.at(...)`, so the cases carry the events, deadlines,
# late flags, photos and tally entries that real use would have left.

# When a story starts: (days ago, "HH:MM" local time) for older cases, or minutes ago for fresh ones.
Start = tuple[int, str] | int


@dataclass(frozen=True)
class Step:
    """One workflow action of a story, taken by `actor` (a username) `after` the previous step."""

    action: str
    actor: str
    after: datetime.timedelta
    args: dict[str, Any]


def then(action: str, actor: str, *, d: int = 0, h: int = 0, m: int = 0, **args: Any) -> Step:
    """A step `d` days, `h` hours and `m` minutes after the previous one; `args` go to the action."""
    after = datetime.timedelta(days=d, hours=h, minutes=m)
    if after <= datetime.timedelta(0):
        raise ValueError(f"demo step {action!r} must come after the step before it")
    return Step(action, actor, after, args)


@dataclass(frozen=True)
class Story:
    """A sample case: place, category, wording, who filed it and the steps since.

    `title` and `description` may name `{place}` (the compound, the frontage unit or the house
    number on the road), `{building}` (building and entrance in a compound), `{road}` and
    `{community}`. Without `by`, the case comes in through an outside `source` with a resident
    reporter. `key` lets a later story refer to this one (`same_place_as`, `duplicate_of`).
    """

    street: str
    category: str
    title: str
    description: str
    start: Start
    by: str | None = None
    steps: tuple[Step, ...] = ()
    source: str = ""
    road: str = ""
    frontage: bool = False
    key: str = ""
    same_place_as: str = ""

    def __post_init__(self) -> None:
        # Every step must lie in the past at whatever time of day seeding runs: a story that
        # starts days ago must end before today's midnight, a fresh one before now.
        total = sum((step.after for step in self.steps), datetime.timedelta())
        if isinstance(self.start, int):
            budget = datetime.timedelta(minutes=self.start - 1)
        else:
            days, hhmm = self.start
            hours, minutes = map(int, hhmm.split(":"))
            budget = datetime.timedelta(days=days, hours=-hours, minutes=-minutes)
        if total >= budget:
            raise ValueError(f"demo story {self.title!r} would end in the future")


B, D = "binhe", "danan"  # staff's and staff2's streets
ZF, HW, ZJ, JJ, SJ, ZX, SW = "城管执法", "环卫", "住建", "交警", "市场监管", "城管中心", "商务"

STORIES: list[Story] = [
    # --- reported (待受理): from the 12345 hotline, volunteers and the mobile app ---------------
    Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆放杂物堵塞通道",
        "市民来电反映：{place}{building}一至三楼楼道内堆放旧家具、纸壳和废旧自行车，堵塞消防通道，"
        "存在安全隐患，请求尽快清理。",
        95,
        source=CaseSource.HOTLINE,
    ),
    Story(
        B,
        "illegal-poster",
        "{road}沿街墙面、电杆小广告泛滥",
        "志愿者巡查发现：{place}至路口一段沿街墙面、电线杆上张贴大量办证、疏通下水道小广告，部分为喷涂，影响市容。",
        300,
        source=CaseSource.VOLUNTEER,
        road="文艺路",
    ),
    Story(
        B,
        "missing-lighting",
        "{place}院内路灯不亮",
        "居民通过手机APP反映：{place}院内{building}门前路灯已损坏多日，夜间漆黑，老人出行不便。",
        (1, "20:40"),
        source=CaseSource.OPEN311,
    ),
    Story(
        D,
        "exposed-garbage",
        "{place}垃圾箱周边暴露垃圾",
        "市民来电反映：{place}{building}北侧垃圾箱满溢，周边散落生活垃圾，天热异味大。",
        180,
        source=CaseSource.HOTLINE,
    ),
    Story(
        "huangcheng",
        "specialist-market",
        "{road}小商品市场门前货物占道",
        "市民来电反映：{place}附近小商品市场商户将货物摆放至人行道，行人只能走机动车道，秩序混乱。",
        240,
        source=CaseSource.HOTLINE,
        road="中街路",
    ),
    Story(
        "beizhan",
        "zombie-car",
        "{road}路边僵尸车长期占用车位",
        "市民来电反映：{place}路边一辆白色轿车落满灰尘、轮胎亏气，停放半年以上无人挪动。",
        (1, "16:30"),
        source=CaseSource.HOTLINE,
        road="北站路",
    ),
    # --- registered (已立案), waiting for dispatch --------------------------------------------
    Story(
        B,
        "missing-lighting",
        "{place}{building}单元门口照明灯缺失",
        "巡查发现：{place}{building}单元门口及一楼楼道照明灯缺失，灯座裸露。",
        150,
        by="staff",
    ),
    Story(
        B,
        "property-neglect",
        "{place}保障型物业保洁、维修不到位",
        "市民来电反映：{place}保障型物业近一个月未组织楼道保洁，报修的单元门闭门器至今无人维修。",
        (1, "15:20"),
        source=CaseSource.HOTLINE,
        steps=(then("accept", "staff", m=40, note="已电话联系来电人核实情况，需住建部门督导物业整改。"),),
    ),
    Story(
        D,
        "stairwell-door-window",
        "{place}{building}楼道窗户玻璃破碎",
        "巡查发现：{place}{building}三楼、五楼楼道窗户玻璃破碎，窗框松动，存在坠落隐患。",
        200,
        by="staff2",
    ),
    # --- rejected (不予立案): a duplicate and a complaint outside the drive ---------------------
    Story(
        B,
        "zombie-car",
        "{place}院内僵尸车",
        "巡查发现：{place}{building}楼下一辆灰色面包车长期停放，车身破损、无号牌，占用消防通道。",
        (2, "09:30"),
        by="staff",
        key="zombie",
        steps=(
            then("dispatch", "staff", m=25, lead=ZF, assist=(JJ,), note="请城管执法牵头处置，交警配合核查车辆信息。"),
            then("report_in", "officer", h=1, m=10),
            then("comment", "officer", h=3, note="已在车身张贴限期挪车告知书，正通过交警核查车主信息。"),
        ),
    ),
    Story(
        B,
        "zombie-car",
        "{place}有辆破面包车好久没人开",
        "市民来电反映：{place}楼下一辆面包车停了大半年，车上全是灰，挡着消防通道。",
        (1, "11:05"),
        source=CaseSource.HOTLINE,
        same_place_as="zombie",
        steps=(
            then(
                "reject",
                "staff",
                m=35,
                reason="经核实，与{duplicate}号案件为同一辆僵尸车，该案件已派遣城管执法处置，本件不予重复立案。",
                duplicate_of="zombie",
            ),
        ),
    ),
    Story(
        B,
        "property-neglect",
        "{place}{building}楼上住户夜间装修噪音扰民",
        "市民来电反映：{place}{building}楼上住户连续多日晚间十点后装修，噪音扰民。",
        (4, "19:10"),
        source=CaseSource.HOTLINE,
        steps=(
            then(
                "reject",
                "staff",
                h=14,
                reason="装修噪音扰民不属于环境整治案件受理范围，已告知来电人向属地派出所反映。",
            ),
        ),
    ),
    # --- dispatched (已派遣), the report-in deadline still ahead ---------------------------------
    Story(
        B,
        "street-stall",
        "{place}门前占道经营",
        "巡查发现：{place}门前摆放水果摊位，占用人行道约15米，行人绕行。",
        55,
        by="staff",
        road="青年大街",
        frontage=True,
        steps=(then("dispatch", "staff", m=8, lead=ZF),),
    ),
    Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放纸壳、泡沫箱等杂物，影响通行。",
        100,
        by="staff",
        steps=(then("dispatch", "staff", m=15, lead=HW),),
    ),
    Story(
        B,
        "damaged-road",
        "{place}人行道方砖破损塌陷",
        "巡查发现：{place}人行道方砖破损、局部塌陷约20平方米，雨后积水，易绊倒行人。",
        240,
        by="staff",
        road="东滨河路",
        steps=(then("dispatch", "staff", m=30, lead=ZJ, cc=(ZX,)),),
    ),
    Story(
        D,
        "courtyard-sanitation",
        "{place}卫生死角堆积垃圾",
        "巡查发现：{place}院内东北角堆积生活垃圾和建筑垃圾，蚊蝇滋生。",
        130,
        by="staff2",
        steps=(then("dispatch", "staff2", m=20, lead=HW),),
    ),
    # --- dispatched, the department has not reported in by its deadline ---------------------
    Story(
        B,
        "street-pile",
        "{place}门前堆放建筑垃圾",
        "巡查发现：{place}门前人行道堆放装修产生的建筑垃圾，约3立方米，未苫盖。",
        (2, "14:30"),
        by="staff",
        road="惠工街",
        frontage=True,
        steps=(
            then("dispatch", "staff", m=20, lead=ZF),
            then("comment", "staff", h=4, note="已电话催促城管执法尽快报到处置。"),
        ),
    ),
    Story(
        B,
        "stairwell-wall",
        "{place}{building}楼道墙面脱落、乱涂乱画",
        "巡查发现：{place}{building}楼道墙皮大面积脱落，墙面喷涂小广告较多。",
        (4, "10:00"),
        by="staff",
        steps=(then("dispatch", "staff", m=40, lead=ZJ),),
    ),
    Story(
        B,
        "courtyard-sanitation",
        "{place}院内卫生死角",
        "巡查发现：{place}院内西侧夹道堆积落叶、垃圾和废弃花盆，长期无人清理。",
        (1, "09:20"),
        by="staff",
        steps=(then("dispatch", "staff", m=30, lead=HW),),
    ),
    Story(
        B,
        "unit-sanitation",
        "{place}后院垃圾杂物堆积",
        "巡查发现：{place}后院堆放废旧桌椅、纸箱和生活垃圾，单位卫生责任未落实。",
        (2, "11:00"),
        by="staff",
        road="文艺路",
        frontage=True,
        steps=(
            then("dispatch", "staff", m=20, lead=ZF),
            then(
                "send_back",
                "officer",
                h=2,
                reason="单位内部环境卫生由城管中心督导落实，不属于行政执法事项，请重新派遣。",
            ),
            then("dispatch", "staff", h=1, lead=ZX, note="按城管执法意见改派城管中心督导。"),
        ),
    ),
    # --- in progress (处置中), within the resolve deadline -------------------------------------
    Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道杂物清理",
        "巡查发现：{place}{building}楼道内堆放废旧家具、花盆，影响消防安全。",
        600,
        by="staff",
        steps=(then("dispatch", "staff", m=15, lead=HW), then("report_in", "officer2", m=50)),
    ),
    Story(
        B,
        "fringe-construction",
        "{place}院内私搭彩钢房",
        "巡查发现：{place}院内有住户私自搭建彩钢房约12平方米，占用公共空间。",
        (3, "09:00"),
        by="staff",
        steps=(
            then("dispatch", "staff", h=1, lead=ZF),
            then("report_in", "officer", h=3),
            then("comment", "officer", d=1, note="已下达限期拆除通知书，当事人承诺三日内自行拆除。"),
        ),
    ),
    Story(
        D,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放大量纸壳和废旧电器。",
        (1, "08:40"),
        by="staff2",
        steps=(then("dispatch", "staff2", m=30, lead=HW), then("report_in", "officer2", h=1)),
    ),
    Story(
        "wulihe",
        "exposed-garbage",
        "{road}路边暴露垃圾",
        "路长巡查发现：{place}路边绿化带内散落生活垃圾和外卖餐盒。",
        300,
        by="roadchief-wulihe",
        road="五里河街",
        steps=(then("dispatch", "roadchief-wulihe", m=5, lead=HW), then("report_in", "officer2", m=16)),
    ),
    Story(
        B,
        "compound-road",
        "{place}院内道路坑洼不平",
        "市民来电反映：{place}院内主路多处坑洼，下雨积水，老人、孩子出行不便。",
        (6, "08:50"),
        source=CaseSource.HOTLINE,
        steps=(
            then("accept", "staff", h=1),
            then("dispatch", "staff", m=30, lead=ZJ, note="请住建部门现场勘查，纳入老旧小区道路修补。"),
            then("report_in", "officer-housing", h=20),
            then(
                "comment",
                "officer-housing",
                d=1,
                h=3,
                note="已现场勘查，院内主路破损约40平方米，已列入老旧小区道路修补计划，待沥青摊铺。",
            ),
        ),
    ),
    # --- in progress past the resolve deadline -----------------------------------------------
    Story(
        B,
        "street-stall",
        "{place}门前店外经营",
        "巡查发现：{place}将货架、冰柜摆放至店外人行道经营，占道约8米。",
        (3, "16:00"),
        by="staff",
        road="文艺路",
        frontage=True,
        steps=(
            then("dispatch", "staff", m=20, lead=ZF),
            then("report_in", "officer", h=1, m=10),
            then("comment", "officer", h=20, note="经营者拒不配合，已下达责令改正通知书，明日再次检查。"),
        ),
    ),
    Story(
        B,
        "exposed-garbage",
        "{place}垃圾点暴露垃圾",
        "巡查发现：{place}垃圾点垃圾桶满溢，地面散落垃圾，未及时清运。",
        (2, "08:30"),
        by="staff",
        steps=(then("dispatch", "staff", m=15, lead=HW), then("report_in", "officer2", h=2)),
    ),
    # --- in progress with an extension: one waiting for a leader, one granted ------------------
    Story(
        B,
        "fringe-dumping",
        "{place}院内倾倒垃圾残土",
        "巡查发现：{place}院内空地被倾倒建筑垃圾残土，约20吨，扬尘严重。",
        (3, "10:30"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=20, lead=ZF),
            then("report_in", "officer", h=1, m=30),
            then(
                "request_extension",
                "officer",
                d=1,
                h=2,
                days=3,
                reason="残土量较大（约20吨），需协调渣土车分批清运，申请延期3天。",
            ),
        ),
    ),
    Story(
        B,
        "zombie-car",
        "{place}院内无牌僵尸车",
        "巡查发现：{place}院内一辆无号牌红色轿车长期停放，车窗破损，车内堆满杂物。",
        (5, "09:00"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=30, lead=ZF, assist=(JJ,)),
            then("report_in", "officer", h=2),
            then(
                "request_extension",
                "officer",
                d=2,
                days=5,
                reason="车主联系不上，需依法张贴公告满7日后方可拖移，申请延期5天。",
            ),
            then("approve_extension", "leader", h=3, note="同意延期，请严格按公告程序依法处置。"),
        ),
    ),
    # --- supervised (督办) by a leader, and a road repair deferred (缓办/挂账) into next year's plan --
    Story(
        B,
        "street-pile",
        "{place}门前长期堆放杂物",
        "巡查发现：{place}门前人行道长期堆放废旧家具和杂物，占道约15平方米，多次劝离无效。",
        (4, "09:30"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=20, lead=ZF),
            then("report_in", "officer", h=1),
            then("supervise", "leader", d=2, note="该问题居民多次反映，请城管执法局加大力度，限期清理。", days=2),
        ),
    ),
    Story(
        B,
        "damaged-road",
        "{road}路面大面积沉降破损",
        "巡查发现：{place}一带车行道路面沉降、网裂约300平方米，临时修补后反复破损，需整体翻修。",
        (6, "10:00"),
        by="staff",
        road="惠工街",
        steps=(
            then("dispatch", "staff", m=30, lead=ZJ),
            then("report_in", "officer-housing", h=6),
            then(
                "request_deferral",
                "officer-housing",
                d=1,
                reason="路基沉降，零星修补无法根治，需整体翻修，资金须纳入年度计划。",
                plan="明年道路更新改造计划（惠工街段整体翻修）",
                next_year=True,
            ),
            then("decide_deferral", "leader", h=4, note="同意挂账，纳入明年道路更新改造计划；期间做好安全警示。"),
        ),
    ),
    # --- resolved (已处置), waiting for the street office to verify -----------------------------
    Story(
        B,
        "illegal-poster",
        "{road}沿线小广告",
        "志愿者反映：{place}一带公交站亭、电箱上张贴大量小广告。",
        (1, "09:00"),
        source=CaseSource.VOLUNTEER,
        road="青年大街",
        steps=(
            then("accept", "staff", m=30),
            then("dispatch", "staff", m=10, lead=HW),
            then("report_in", "officer2", m=50),
            then("resolve", "officer2", h=5),
        ),
    ),
    Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放大量杂物，楼道墙面有小广告。",
        (2, "09:10"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=20, lead=HW),
            then("report_in", "officer2", h=2),
            then("resolve", "officer2", h=22),
        ),
    ),
    Story(
        B,
        "street-pile",
        "{place}门前乱堆乱放",
        "巡查发现：{place}门前堆放废旧木板、纸箱，占用人行道。",
        420,
        by="staff",
        road="东滨河路",
        frontage=True,
        steps=(
            then("dispatch", "staff", m=15, lead=ZF),
            then("report_in", "officer", m=40),
            then("resolve", "officer", h=4),
        ),
    ),
    Story(
        D,
        "market-garbage",
        "五爱市场周边垃圾堆积",
        "巡查发现：{place}一带市场周边商户将包装垃圾堆放在路边，未及时清运。",
        (1, "07:40"),
        by="staff2",
        road="五爱街",
        steps=(
            then("dispatch", "staff2", m=20, lead=HW),
            then("report_in", "officer2", h=1, m=10),
            then("resolve", "officer2", h=4),
        ),
    ),
    Story(
        "huangcheng",
        "street-stall",
        "{road}步行街商户出店经营",
        "路长巡查发现：{place}一带多家商户在店外摆放促销台，占用步行街通道。",
        (1, "10:00"),
        by="roadchief-huangcheng",
        road="中街路",
        steps=(
            then("dispatch", "roadchief-huangcheng", m=5, lead=ZF, cc=(SJ,)),
            then("report_in", "officer", m=20),
            then("resolve", "officer", h=3),
        ),
    ),
    Story(
        B,
        "exposed-garbage",
        "{place}垃圾点周边暴露垃圾",
        "巡查发现：{place}垃圾点周边散落生活垃圾，垃圾桶破损。",
        (9, "08:10"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=15, lead=HW),
            then("report_in", "officer2", m=40),
            then("resolve", "officer2", h=5),
            then("verify", "staff", d=1),
            then(
                "reopen", "staff", d=5, h=2, reason="巡查发现该垃圾点再次出现暴露垃圾，居民反映清运不及时，重新派遣。"
            ),
            then("report_in", "officer2", m=45),
            then("resolve", "officer2", h=6, note="已更换破损垃圾桶，垃圾点每日清运由一次增加为两次。"),
        ),
    ),
    Story(
        D,
        "street-pile",
        "{place}门前乱堆乱放反弹",
        "巡查发现：{place}门前堆放纸箱、货架等杂物，占用人行道。",
        (12, "09:30"),
        by="staff2",
        road="小南街",
        frontage=True,
        steps=(
            then("dispatch", "staff2", m=30, lead=ZF),
            then("report_in", "officer", h=1),
            then("resolve", "officer", h=6),
            then("verify", "staff2", h=18),
            then("reopen", "leader", d=10, h=1, reason="区领导督查发现小南街沿线堆物问题反弹，责成重新处置。"),
        ),
    ),
    Story(
        B,
        "compound-road",
        "{place}{building}门前路面塌陷、台阶破损",
        "巡查发现：{place}{building}单元门前路面塌陷约30平方米，入户台阶多处破损缺角，雨天积水，老人出入不便。",
        (5, "09:30"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=25, lead=ZJ),
            then("report_in", "officer-housing", h=6),
            then("comment", "officer-housing", d=1, note="施工队伍已进场，先行设置围挡和警示标志。"),
            then("resolve", "officer-housing", d=2, tally={"road_repaired": 35, "steps": 8}),
        ),
    ),
    Story(
        D,
        "specialist-market",
        "{road}服装市场商户货物占道",
        "巡查发现：{place}一带服装批发市场商户将货架、货包摆放至人行道，堵塞市场消防通道。",
        (2, "10:00"),
        by="staff2",
        road="五爱街",
        steps=(
            then("dispatch", "staff2", m=20, lead=SJ),
            then("report_in", "officer-market", h=2),
            then("resolve", "officer-market", h=26),
        ),
    ),
    # --- closed (已结案), with the residents' call-back where there was a reporter --------------
    Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "市民来电反映：{place}{building}楼道内邻居堆放大量废品，堵塞通道。",
        (8, "09:40"),
        source=CaseSource.HOTLINE,
        steps=(
            then("accept", "staff", m=30),
            then("dispatch", "staff", m=10, lead=HW),
            then("report_in", "officer2", h=1),
            then("resolve", "officer2", h=20),
            then("verify", "staff", h=3, satisfaction="satisfied", note="回访来电人，对处置结果表示满意。"),
        ),
    ),
    Story(
        B,
        "courtyard-sanitation",
        "{place}大院卫生死角",
        "志愿者反映：{place}院内夹道、煤棚周边堆积垃圾杂物，夏季异味大。",
        (10, "15:00"),
        source=CaseSource.VOLUNTEER,
        steps=(
            then("accept", "staff", m=20),
            then("dispatch", "staff", m=15, lead=HW),
            then("report_in", "officer2", h=2),
            then("resolve", "officer2", h=26),
            then(
                "verify",
                "staff",
                h=18,
                satisfaction="basically_satisfied",
                note="回访：大院卫生明显好转，希望保持常态保洁。",
            ),
        ),
    ),
    Story(
        B,
        "street-stall",
        "{road}早市摊贩占道",
        "市民来电反映：{place}附近每天早上有摊贩占道卖菜，早高峰车辆通行困难。",
        (12, "07:50"),
        source=CaseSource.HOTLINE,
        road="文艺路",
        steps=(
            then("accept", "staff", m=25),
            then("dispatch", "staff", m=10, lead=ZF),
            then("report_in", "officer", m=50),
            then("resolve", "officer", h=6),
            then(
                "verify",
                "staff",
                d=1,
                satisfaction="dissatisfied",
                note="回访：来电人反映早市时段仍有摊贩占道，对处置效果不满意，已列入日常巡查重点。",
            ),
        ),
    ),
    Story(
        D,
        "illegal-poster",
        "{road}居民楼外墙小广告",
        "市民来电反映：{place}附近居民楼外墙、单元门上贴满开锁、办证小广告。",
        (6, "10:00"),
        source=CaseSource.HOTLINE,
        road="大南街",
        steps=(
            then("accept", "staff2", m=40),
            then("dispatch", "staff2", m=10, lead=HW),
            then("report_in", "officer2", h=1, m=20),
            then("resolve", "officer2", h=7),
            then("verify", "staff2", d=1, satisfaction="satisfied", note="回访来电人，表示满意。"),
        ),
    ),
    Story(
        B,
        "exposed-garbage",
        "{place}暴露垃圾",
        "巡查发现：{place}{building}楼下堆放生活垃圾袋，无人清运。",
        (14, "08:30"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=10, lead=HW),
            then("report_in", "officer2", h=1, m=30),
            then("resolve", "officer2", h=6),
            then("verify", "staff", h=20),
        ),
    ),
    Story(
        B,
        "street-pile",
        "{place}门前堆放杂物",
        "巡查发现：{place}门前堆放废旧轮胎、铁架等杂物。",
        (16, "14:00"),
        by="staff",
        road="惠工街",
        frontage=True,
        steps=(
            then("dispatch", "staff", m=15, lead=ZF),
            then("report_in", "officer", h=1),
            then("resolve", "officer", h=29),
            then("verify", "staff", h=20),
        ),
    ),
    Story(
        B,
        "zombie-car",
        "{place}院内僵尸车",
        "巡查发现：{place}院内两辆废旧轿车长期停放，轮胎瘪气，车身锈蚀。",
        (18, "09:00"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=30, lead=ZF, assist=(JJ,)),
            then("report_in", "officer", h=3),
            then("comment", "officer", d=1, note="已张贴限期挪车公告，公告期满后依法拖移。"),
            then("resolve", "officer", d=2, h=2, tally={"zombie_cars_removed": 2}),
            then("verify", "staff", h=22),
        ),
    ),
    Story(
        B,
        "market-stall",
        "{road}早市周边占道",
        "巡查发现：{place}早市摊贩越线经营，占用机动车道。",
        (9, "06:50"),
        by="staff",
        road="文艺路",
        steps=(
            then("dispatch", "staff", m=20, lead=ZF, cc=(SJ,)),
            then("report_in", "officer", m=45),
            then("resolve", "officer", h=3),
            then("verify", "staff", h=6),
        ),
    ),
    Story(
        B,
        "fringe-dumping",
        "{place}院内空地倾倒垃圾残土",
        "巡查发现：{place}院内空地被倾倒建筑垃圾和生活垃圾混合物，约5吨。",
        (19, "10:00"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=30, lead=ZF),
            then("report_in", "officer", h=2),
            then("resolve", "officer", d=2),
            then("verify", "staff", h=20),
        ),
    ),
    Story(
        B,
        "illegal-poster",
        "{road}电箱、电杆小广告",
        "巡查发现：{place}沿线电箱、电杆上张贴和喷涂小广告较多。",
        (7, "13:30"),
        by="staff",
        road="东滨河路",
        steps=(
            then("dispatch", "staff", m=15, lead=HW),
            then("report_in", "officer2", h=1),
            then("resolve", "officer2", h=5),
            then("verify", "staff", h=19),
        ),
    ),
    Story(
        D,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放旧沙发、床垫等大件杂物。",
        (11, "09:00"),
        by="staff2",
        steps=(
            then("dispatch", "staff2", m=20, lead=HW),
            then("report_in", "officer2", h=2),
            then("resolve", "officer2", d=1),
            then("verify", "staff2", h=5),
        ),
    ),
    Story(
        B,
        "recycling-station",
        "{road}废品收购站占道堆放废品",
        "巡查发现：{place}一处废品收购站将收购的纸壳、废旧金属堆放在人行道上，且无消防器材。",
        (15, "10:20"),
        by="staff",
        road="惠工街",
        steps=(
            then("dispatch", "staff", m=30, lead=ZF, assist=(SW,)),
            then("report_in", "officer", h=3),
            then("resolve", "officer", d=2),
            then("verify", "staff", d=1),
        ),
    ),
    # --- closed: the 住建 department's repairs in old residential compounds (小区整治) ------------
    Story(
        B,
        "compound-road",
        "{place}院内道路破损、坑槽积水",
        "巡查发现：{place}院内主路沥青路面破损、坑槽较多，{building}门前台阶塌陷，雨后积水严重。",
        (17, "09:00"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=30, lead=ZJ, note="纳入老旧小区基础设施专项维修。"),
            then("report_in", "officer-housing", h=5),
            then("resolve", "officer-housing", d=4, tally={"road_repaired": 48, "steps": 12}),
            then("verify", "staff", h=20, note="现场核查，路面和台阶修补平整，予以结案。"),
        ),
    ),
    Story(
        D,
        "compound-road",
        "{place}院内道路年久失修",
        "市民来电反映：{place}院内道路破损多年，坑洼不平，{building}门前台阶松动，老人多次摔倒，希望尽快修补。",
        (14, "16:20"),
        source=CaseSource.HOTLINE,
        steps=(
            then("accept", "staff2", h=16),
            then("dispatch", "staff2", m=20, lead=ZJ, note="请住建部门纳入老旧小区基础设施专项维修。"),
            then("report_in", "officer-housing", h=3),
            then("resolve", "officer-housing", d=5, tally={"road_repaired": 62, "steps": 15}),
            then("verify", "staff2", d=1, satisfaction="satisfied", note="回访来电人，对道路修补结果表示满意。"),
        ),
    ),
    Story(
        B,
        "damaged-road",
        "{place}门前人行道方砖松动破损",
        "路长巡查发现：{place}门前人行道方砖松动、破碎约12平方米，相邻路面有坑槽，行人易绊倒。",
        (11, "10:40"),
        by="roadchief",
        road="文艺路",
        steps=(
            then("dispatch", "roadchief", m=5, lead=ZJ),
            then("report_in", "officer-housing", m=40),
            then("resolve", "officer-housing", d=3, tally={"road_repaired": 6, "sidewalk_tiles": 12}),
            then("verify", "staff", h=20),
        ),
    ),
    Story(
        B,
        "stairwell-wall",
        "{place}{building}楼道墙皮脱落、小广告遍布",
        "志愿者反映：{place}{building}一至六楼楼道墙皮大面积脱落，墙面写满开锁、疏通小广告，居民希望重新粉刷。",
        (15, "14:00"),
        source=CaseSource.VOLUNTEER,
        steps=(
            then("accept", "staff", m=30),
            then("dispatch", "staff", m=15, lead=ZJ),
            then("report_in", "officer-housing", h=4),
            then("resolve", "officer-housing", d=3, tally={"stairwell_walls": 280, "posters_removed": 36}),
            then(
                "verify",
                "staff",
                d=1,
                satisfaction="basically_satisfied",
                note="回访：楼道墙面已粉刷一新，居民希望其他单元一并整治。",
            ),
        ),
    ),
    Story(
        B,
        "stairwell-door-window",
        "{place}{building}楼道窗户破损、单元门关不严",
        "巡查发现：{place}{building}楼道二至四楼窗户玻璃缺失，单元门闭门器损坏，入冬前需修复。",
        (8, "10:10"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=20, lead=ZJ),
            then("report_in", "officer-housing", h=4),
            then("resolve", "officer-housing", d=2, h=3),
            then("verify", "staff", h=22),
        ),
    ),
    Story(
        D,
        "missing-lighting",
        "{place}{building}楼道照明灯缺失",
        "巡查发现：{place}{building}等多个单元楼道声控灯损坏、缺失，夜间居民上下楼摸黑。",
        (9, "19:30"),
        by="staff2",
        steps=(
            then("dispatch", "staff2", h=14, lead=ZJ),
            then("report_in", "officer-housing", h=3),
            then("resolve", "officer-housing", d=1, h=4),
            then("verify", "staff2", d=1),
        ),
    ),
    # --- closed: the other departments' own cases ------------------------------------------
    Story(
        B,
        "zombie-car",
        "{road}路边僵尸车占用车位",
        "巡查发现：{place}路边一辆银色轿车长期停放，轮胎亏气，车身积灰，车内堆放杂物。",
        (13, "09:40"),
        by="staff",
        road="惠工街",
        steps=(
            then("dispatch", "staff", m=20, lead=JJ),
            then("report_in", "officer-traffic", h=2),
            then(
                "comment",
                "officer-traffic",
                h=3,
                note="经核查车辆登记信息联系到车主，车主表示车辆已报废，同意拖移处理。",
            ),
            then(
                "resolve",
                "officer-traffic",
                d=1,
                tally={"zombie_cars_removed": 1},
                note="经车主同意，已将僵尸车拖移至报废汽车回收企业，清理僵尸车1辆，路边停车泊位恢复使用。",
            ),
            then("verify", "staff", h=20),
        ),
    ),
    Story(
        B,
        "market-stall",
        "{road}农贸市场场外马路市场",
        "巡查发现：{place}附近农贸市场商户在场外搭设摊床，形成马路市场，市场开办方管理不到位。",
        (10, "08:00"),
        by="staff",
        road="东滨河路",
        steps=(
            then(
                "dispatch",
                "staff",
                m=20,
                lead=SJ,
                assist=(ZF,),
                note="请市场监管督促市场开办方落实入场经营，城管执法配合清理场外摊床。",
            ),
            then("report_in", "officer-market", m=50),
            then("report_in", "officer", m=30),
            then(
                "resolve",
                "officer-market",
                h=20,
                note="已约谈市场开办方，场外摊床全部清理，商户引导入场经营，开办方安排专人每日巡查。",
            ),
            then("verify", "staff", d=1, h=2),
        ),
    ),
    Story(
        B,
        "unit-sanitation",
        "{place}后院垃圾杂物堆积",
        "巡查发现：{place}后院堆放废弃装修材料和生活垃圾，单位门前三包和院内卫生责任未落实。",
        (12, "13:30"),
        by="staff",
        road="青年大街",
        frontage=True,
        steps=(
            then("dispatch", "staff", m=25, lead=ZX),
            then("report_in", "officer-centre", h=3),
            then("resolve", "officer-centre", d=1, h=2),
            then("verify", "staff", h=20),
        ),
    ),
    Story(
        D,
        "recycling-station",
        "{road}废品收购站无序经营",
        "巡查发现：{place}附近一处废品收购站院内外废品露天堆放，未设围挡，消防器材缺失。",
        (16, "09:20"),
        by="staff2",
        road="小南街",
        steps=(
            then("dispatch", "staff2", m=30, lead=SW, assist=(ZF,)),
            then("report_in", "officer-commerce", h=4),
            then("report_in", "officer", h=1),
            then("resolve", "officer-commerce", d=2),
            then("verify", "staff2", d=1),
        ),
    ),
    # --- reworked once, then closed ----------------------------------------------------------
    Story(
        B,
        "stairwell-debris",
        "{place}多个单元楼道堆物",
        "巡查发现：{place}3号楼各单元楼道内普遍堆放杂物，部分单元堆放废旧自行车。",
        (13, "09:00"),
        by="staff",
        steps=(
            then("dispatch", "staff", m=20, lead=HW),
            then("report_in", "officer2", h=1),
            then("resolve", "officer2", d=1),
            then(
                "rework",
                "staff",
                h=3,
                reason="核查发现3号楼4单元、5单元楼道内仍堆放废旧自行车和纸壳，清理不彻底，退回返工。",
            ),
            then("resolve", "officer2", h=5, note="已对4单元、5单元楼道补充清理，废旧自行车已通知住户自行处理。"),
            then("verify", "staff", h=18, note="复查合格，予以结案。"),
        ),
    ),
    # --- sent back by the wrong department, dispatched again and closed ------------------------
    Story(
        B,
        "market-stall",
        "{road}农贸市场门前占道经营",
        "巡查发现：{place}农贸市场门前摊贩出摊占道，市场周边秩序混乱。",
        (5, "07:30"),
        by="staff",
        road="文艺路",
        steps=(
            then("dispatch", "staff", m=20, lead=HW),
            then(
                "send_back",
                "officer2",
                h=1,
                m=30,
                reason="农贸市场周边占道经营属城管执法职责，非环卫作业范围，请重新派遣。",
            ),
            then("dispatch", "staff", m=30, lead=ZF, cc=(SJ,)),
            then("report_in", "officer", m=40),
            then("resolve", "officer", h=5),
            then("verify", "staff", d=1),
        ),
    ),
    # --- road chiefs blow the whistle (路长吹哨、部门报到) ---------------------------------------
    Story(
        B,
        "street-stall",
        "{road}夜市摊点占道经营",
        "路长巡查发现：{place}一带夜市摊点占用人行道和非机动车道，地面遗留垃圾较多。",
        (4, "18:40"),
        by="roadchief",
        road="青年大街",
        steps=(
            then("dispatch", "roadchief", m=5, lead=ZF, assist=(HW,), note="请城管执法、环卫立即到场处置。"),
            then("report_in", "officer", m=18),
            then("report_in", "officer2", m=9),
            then("resolve", "officer", h=2),
            then("verify", "staff", h=14),
        ),
    ),
    Story(
        B,
        "street-pile",
        "{place}门前装修垃圾占道",
        "路长巡查发现：{place}门前堆放装修垃圾和渣土，占用人行道，需清运并追查责任人。",
        (1, "10:20"),
        by="roadchief",
        road="惠工街",
        frontage=True,
        steps=(
            then("dispatch", "roadchief", m=4, lead=ZF, assist=(HW,)),
            then("report_in", "officer", m=22),
            then("comment", "roadchief", h=3, note="环卫部门至今未报到，已再次电话通知。"),
        ),
    ),
    Story(
        B,
        "zombie-car",
        "{road}路边僵尸车",
        "路长巡查发现：{place}路边一辆黑色轿车长期停放，积灰严重，前挡风玻璃贴满罚单。",
        20,
        by="roadchief",
        road="东滨河路",
        steps=(then("dispatch", "roadchief", m=4, lead=JJ, assist=(ZF,)),),
    ),
    Story(
        D,
        "street-stall",
        "{road}流动摊贩占道",
        "路长巡查发现：{place}一带流动摊贩聚集，占用人行道经营。",
        (3, "15:10"),
        by="roadchief-danan",
        road="五爱街",
        steps=(
            then("dispatch", "roadchief-danan", m=5, lead=ZF),
            then("report_in", "officer", m=45),
            then("resolve", "officer", h=3),
            then("verify", "staff2", h=18),
        ),
    ),
    Story(
        B,
        "exposed-garbage",
        "{road}路口暴露垃圾",
        "路长巡查发现：{place}路口垃圾桶外散落大量垃圾，早高峰前需清理。",
        (6, "07:20"),
        by="roadchief",
        road="文艺路",
        steps=(
            then("dispatch", "roadchief", m=3, lead=HW, assist=(ZF,)),
            then("report_in", "officer2", m=15),
            then("report_in", "officer", m=12),
            then("resolve", "officer2", h=2),
            then("verify", "staff", h=4),
        ),
    ),
]

# What the department writes when it reports the fix; `{metric code}` is the quantity it records.
RESOLVE_NOTES = {
    "street-stall": "执法队员到场劝离占道摊贩，对经营者进行教育并责令退店经营，现场已恢复通行秩序。",
    "illegal-poster": "已组织保洁人员对墙面、电杆小广告进行铲除和覆盖，共清除小招贴、喷涂{posters_removed}处。",
    "street-pile": "已督促责任人清理门前堆放杂物，清理三堆杂物{debris_piles_removed}处，落实“门前三包”责任。",
    "exposed-garbage": "环卫作业人员已清运暴露垃圾{garbage_cleared}吨，并对垃圾点周边进行冲洗消杀。",
    "zombie-car": "公告期满车主未处理，联合交警依法将僵尸车拖移至指定停车场，清理僵尸车{zombie_cars_removed}辆。",
    "market-stall": "执法队员对早市周边占道摊贩进行劝导，引导入市经营，占道问题已整改。",
    "market-garbage": "已清运市场周边垃圾{garbage_cleared}吨，增加保洁频次，督促商户落实门前三包。",
    "fringe-dumping": "已调派铲车和渣土车清运垃圾残土{garbage_cleared}吨，现场已平整并设置禁止倾倒警示牌。",
    "fringe-construction": "当事人已按限期拆除通知书自行拆除私搭彩钢房，现场恢复原貌。",
    "recycling-station": "督促废品收购站清理占道堆放物{debris_piles_removed}处，规范入室经营并配齐消防器材。",
    "stairwell-debris": "组织保洁人员和党员志愿者清理单元楼道{stairwells_cleaned}个，"
    "清理三堆杂物{debris_piles_removed}处，楼道已恢复畅通。",
    "courtyard-sanitation": "对大院卫生死角集中清理，清运垃圾{garbage_cleared}吨，"
    "清理三堆杂物{debris_piles_removed}处。",
    "unit-sanitation": "已督促单位清理院内垃圾杂物，并建立日常保洁制度。",
    "damaged-road": "已对破损人行道翻修，更换步道方砖{sidewalk_tiles}平方米，修补路面坑槽{road_repaired}平方米。",
    "compound-road": "已组织施工队伍对院内破损路面铣刨、摊铺修补，修补道路{road_repaired}平方米、台阶{steps}平方米，"
    "施工现场已清理。",
    "stairwell-wall": "已铲除脱落墙皮、清除墙面小广告后重新粉刷，整治楼道墙面{stairwell_walls}平方米，"
    "清除小招贴、喷涂{posters_removed}处。",
    "stairwell-door-window": "已补装破损窗户玻璃、加固窗框，更换单元门闭门器，门窗开关正常。",
    "missing-lighting": "已督促保障型物业更换、补装楼道及单元门口照明灯，夜间照明恢复正常。",
    "property-neglect": "已约谈保障型物业企业，督促其限期完成楼道保洁和报修项目整改。",
    "specialist-market": "已约谈市场开办方，督促商户将货物收回店内经营，落实市场内部秩序管理责任。",
}
DEFAULT_RESOLVE_NOTE = "问题已处置完毕，现场已整改到位。"

# The quantity one resolution records per metric: (low, high, decimal places).
TALLY_RANGES = {
    "road_repaired": (15, 60, 0),
    "sidewalk_tiles": (6, 30, 0),
    "steps": (3, 15, 0),
    "stairwell_walls": (60, 300, 0),
    "stairwells_cleaned": (4, 16, 0),
    "posters_removed": (15, 80, 0),
    "debris_piles_removed": (2, 12, 0),
    "garbage_cleared": (0.5, 6, 1),
    "zombie_cars_removed": (1, 2, 0),
}

# Problems of these categories are in courtyards (大杂院); the others in old residential compounds.
COURTYARD_CATEGORIES = {"courtyard-sanitation", "fringe-dumping", "fringe-construction"}
