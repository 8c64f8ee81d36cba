"""Demo drive, campaigns, tally metrics, problem categories and sample cases for `seed_demo`."""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from cases import clock, workflow
from cases.choices import CaseSource, PhotoStage
from cases.models import Campaign, Case, CaseNumberSequence, Category, Drive, Metric
from communities.choices import CompoundKind
from communities.demo import person_name
from communities.models import Community, Compound, Department, FrontageUnit, Road, Street
from volunteers.models import Volunteer

DRIVE = {
    "slug": "2021-remediation-month",
    "name": "2021 环境整治攻坚月",
    "starts_on": datetime.date(2021, 8, 24),
    "ends_on": datetime.date(2021, 9, 30),
    "description": "沈河区环境整治攻坚月：七项专项整治，111个支部点对点包保111个社区，"
    "健全“路长吹哨、部门报到”机制，形成问题发现、派遣、处置、核查、结案的工作闭环。",
}

# DESIGN.md §5: the seven special campaigns, in order.
CAMPAIGNS = [
    ("street-disorder", "街路沿线“十乱”整治", "占道经营、乱贴乱画、乱堆乱放、僵尸车等街路沿线“十乱”问题。"),
    (
        "residential-compounds",
        "“小区”整治",
        "老旧小区道路破损、楼道门窗、照明灯缺失等基础设施维修，督导“保障型”物业。",
    ),
    ("farmers-markets", "农贸市场周边整治", "农贸市场周边占道经营、环境卫生与秩序。"),
    ("urban-rural-fringe", "城乡接合部整治", "城乡接合部垃圾残土、私搭乱建与环境卫生。"),
    ("recycling-stations", "废品收购站整治", "废品收购站违规经营、占道堆放与消防隐患。"),
    ("stairwell-cleaning", "楼道清洁整治", "单元楼道堆物清理、墙面小招贴与喷涂清除。"),
    (
        "courtyards-and-markets",
        "社区内单位卫生及大杂院和各类专业市场整治",
        "社区内单位卫生、居民大杂院卫生死角及各类专业市场秩序。",
    ),
]

# DESIGN.md §5: the tally metrics (code, name, unit), worded as the district's 盘点 reports them.
METRICS = [
    ("road_repaired", "修补道路", "m²"),
    ("sidewalk_tiles", "步道方砖", "m²"),
    ("steps", "台阶", "m²"),
    ("stairwell_walls", "整治楼道墙面", "m²"),
    ("stairwells_cleaned", "清理单元楼道", "个"),
    ("posters_removed", "清除小招贴、喷涂", "处"),
    ("debris_piles_removed", "清理三堆杂物", "处"),
    ("garbage_cleared", "清运垃圾残土", "吨"),
    ("zombie_cars_removed", "清理僵尸车", "辆"),
]

# (code, name, campaign slug, department short name, report-in h, resolve h, whistle min,
#  after-photo required, metric codes)
CATEGORIES = [
    ("street-stall", "占道经营", "street-disorder", "城管执法", 2, 24, 30, True, []),
    ("illegal-poster", "乱贴乱画小广告", "street-disorder", "环卫", 2, 24, 30, True, ["posters_removed"]),
    ("street-pile", "乱堆乱放", "street-disorder", "城管执法", 2, 24, 30, True, ["debris_piles_removed"]),
    ("exposed-garbage", "暴露垃圾", "street-disorder", "环卫", 1, 12, 20, True, ["garbage_cleared"]),
    ("zombie-car", "僵尸车", "street-disorder", "交警", 4, 72, 30, True, ["zombie_cars_removed"]),
    (
        "damaged-road",
        "道路破损",
        "street-disorder",
        "住建",
        24,
        168,
        60,
        True,
        ["road_repaired", "sidewalk_tiles"],
    ),
    (
        "compound-road",
        "小区道路破损",
        "residential-compounds",
        "住建",
        24,
        168,
        60,
        True,
        ["road_repaired", "steps"],
    ),
    ("stairwell-door-window", "楼道门窗破损", "residential-compounds", "住建", 24, 120, 60, True, []),
    ("missing-lighting", "照明灯缺失", "residential-compounds", "住建", 24, 72, 60, True, []),
    ("property-neglect", "保障型物业管理缺位", "residential-compounds", "住建", 24, 168, 60, False, []),
    ("market-stall", "农贸市场周边占道", "farmers-markets", "市场监管", 2, 24, 30, True, []),
    ("market-garbage", "农贸市场周边卫生", "farmers-markets", "环卫", 2, 24, 30, True, ["garbage_cleared"]),
    (
        "fringe-dumping",
        "垃圾残土倾倒",
        "urban-rural-fringe",
        "城管执法",
        4,
        72,
        30,
        True,
        ["garbage_cleared"],
    ),
    ("fringe-construction", "私搭乱建", "urban-rural-fringe", "城管执法", 24, 240, 60, True, []),
    (
        "recycling-station",
        "废品收购站违规经营",
        "recycling-stations",
        "商务",
        24,
        120,
        60,
        True,
        ["debris_piles_removed"],
    ),
    (
        "stairwell-debris",
        "楼道堆物",
        "stairwell-cleaning",
        "环卫",
        4,
        48,
        30,
        True,
        ["stairwells_cleaned", "debris_piles_removed"],
    ),
    (
        "stairwell-wall",
        "楼道墙面污损",
        "stairwell-cleaning",
        "住建",
        24,
        120,
        60,
        True,
        ["stairwell_walls", "posters_removed"],
    ),
    (
        "courtyard-sanitation",
        "大杂院卫生死角",
        "courtyards-and-markets",
        "环卫",
        4,
        48,
        30,
        True,
        ["garbage_cleared", "debris_piles_removed"],
    ),
    ("unit-sanitation", "社区内单位卫生", "courtyards-and-markets", "城管中心", 24, 72, 60, False, []),
    ("specialist-market", "专业市场秩序", "courtyards-and-markets", "市场监管", 4, 72, 30, True, []),
]


def seed_drive() -> tuple[Drive, dict[str, Campaign]]:
    """The 2021 drive and its seven campaigns, keyed by slug."""
    values = dict(DRIVE)
    drive, _ = Drive.objects.get_or_create(slug=values.pop("slug"), defaults=values)
    campaigns = {}
    for order, (slug, name, description) in enumerate(CAMPAIGNS, start=1):
        campaigns[slug], _ = Campaign.objects.get_or_create(
            slug=slug,
            defaults={
                "drive": drive,
                "order": order,
                "name": name,
                "description": description,
                "starts_on": drive.starts_on,
                "ends_on": drive.ends_on,
            },
        )
    return drive, campaigns


def seed_metrics() -> dict[str, Metric]:
    """The tally metrics, keyed by code."""
    metrics = {}
    for order, (code, name, unit) in enumerate(METRICS, start=1):
        metrics[code], _ = Metric.objects.get_or_create(
            code=code, defaults={"name": name, "unit": unit, "order": order}
        )
    return metrics


def seed_categories(
    campaigns: dict[str, Campaign], departments: dict[str, Department], metrics: dict[str, Metric]
) -> list[Category]:
    """The problem categories with their departments, deadlines and tally metrics."""
    categories = []
    for order, (
        code,
        name,
        campaign,
        department,
        report_in,
        resolve,
        whistle,
        photo,
        metric_codes,
    ) in enumerate(CATEGORIES, start=1):
        category, created = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "campaign": campaigns[campaign],
                "default_department": departments[department],
                "report_in_hours": report_in,
                "resolve_hours": resolve,
                "whistle_report_in_minutes": whistle,
                "after_photo_required": photo,
                "order": order,
            },
        )
        if created:
            category.metrics.set([metrics[metric_code] for metric_code in metric_codes])
        categories.append(category)
    return categories


# --- sample cases ------------------------------------------------------------------------------
#
# Each sample case is a story: where it is, who filed it and the workflow actions that brought it
# to its state, each taken some time after the one before. `seed_cases` replays the stories
# through cases/workflow.py under `clock.at(...)`, so the cases carry the events, deadlines,
# late flags, photos and tally entries that real use would have left.

# When a story starts: (days ago, "HH:MM" local time) for older cases, or minutes ago for fresh ones.
Start = tuple[int, str] | int


@dataclass(frozen=True)
class _Step:
    """One workflow action of a story, taken by `actor` (a username) `after` the previous step."""

    action: str
    actor: str
    after: datetime.timedelta
    args: dict[str, Any]


def _then(action: str, actor: str, *, d: int = 0, h: int = 0, m: int = 0, **args: Any) -> _Step:
    """A step `d` days, `h` hours and `m` minutes after the previous one; `args` go to the action."""
    after = datetime.timedelta(days=d, hours=h, minutes=m)
    if after <= datetime.timedelta(0):
        raise ValueError(f"demo step {action!r} must come after the step before it")
    return _Step(action, actor, after, args)


@dataclass(frozen=True)
class _Story:
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
    steps: tuple[_Step, ...] = ()
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

STORIES: list[_Story] = [
    # --- reported (待受理): from the 12345 hotline, volunteers and the mobile app ---------------
    _Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆放杂物堵塞通道",
        "市民来电反映：{place}{building}一至三楼楼道内堆放旧家具、纸壳和废旧自行车，堵塞消防通道，"
        "存在安全隐患，请求尽快清理。",
        95,
        source=CaseSource.HOTLINE,
    ),
    _Story(
        B,
        "illegal-poster",
        "{road}沿街墙面、电杆小广告泛滥",
        "志愿者巡查发现：{place}至路口一段沿街墙面、电线杆上张贴大量办证、疏通下水道小广告，部分为喷涂，影响市容。",
        300,
        source=CaseSource.VOLUNTEER,
        road="文艺路",
    ),
    _Story(
        B,
        "missing-lighting",
        "{place}院内路灯不亮",
        "居民通过手机APP反映：{place}院内{building}门前路灯已损坏多日，夜间漆黑，老人出行不便。",
        (1, "20:40"),
        source=CaseSource.OPEN311,
    ),
    _Story(
        D,
        "exposed-garbage",
        "{place}垃圾箱周边暴露垃圾",
        "市民来电反映：{place}{building}北侧垃圾箱满溢，周边散落生活垃圾，天热异味大。",
        180,
        source=CaseSource.HOTLINE,
    ),
    _Story(
        "huangcheng",
        "specialist-market",
        "{road}小商品市场门前货物占道",
        "市民来电反映：{place}附近小商品市场商户将货物摆放至人行道，行人只能走机动车道，秩序混乱。",
        240,
        source=CaseSource.HOTLINE,
        road="中街路",
    ),
    _Story(
        "beizhan",
        "zombie-car",
        "{road}路边僵尸车长期占用车位",
        "市民来电反映：{place}路边一辆白色轿车落满灰尘、轮胎亏气，停放半年以上无人挪动。",
        (1, "16:30"),
        source=CaseSource.HOTLINE,
        road="北站路",
    ),
    # --- registered (已立案), waiting for dispatch --------------------------------------------
    _Story(
        B,
        "missing-lighting",
        "{place}{building}单元门口照明灯缺失",
        "巡查发现：{place}{building}单元门口及一楼楼道照明灯缺失，灯座裸露。",
        150,
        by="staff",
    ),
    _Story(
        B,
        "property-neglect",
        "{place}保障型物业保洁、维修不到位",
        "市民来电反映：{place}保障型物业近一个月未组织楼道保洁，报修的单元门闭门器至今无人维修。",
        (1, "15:20"),
        source=CaseSource.HOTLINE,
        steps=(_then("accept", "staff", m=40, note="已电话联系来电人核实情况，需住建部门督导物业整改。"),),
    ),
    _Story(
        D,
        "stairwell-door-window",
        "{place}{building}楼道窗户玻璃破碎",
        "巡查发现：{place}{building}三楼、五楼楼道窗户玻璃破碎，窗框松动，存在坠落隐患。",
        200,
        by="staff2",
    ),
    # --- rejected (不予立案): a duplicate and a complaint outside the drive ---------------------
    _Story(
        B,
        "zombie-car",
        "{place}院内僵尸车",
        "巡查发现：{place}{building}楼下一辆灰色面包车长期停放，车身破损、无号牌，占用消防通道。",
        (2, "09:30"),
        by="staff",
        key="zombie",
        steps=(
            _then("dispatch", "staff", m=25, lead=ZF, assist=(JJ,), note="请城管执法牵头处置，交警配合核查车辆信息。"),
            _then("report_in", "officer", h=1, m=10),
            _then("comment", "officer", h=3, note="已在车身张贴限期挪车告知书，正通过交警核查车主信息。"),
        ),
    ),
    _Story(
        B,
        "zombie-car",
        "{place}有辆破面包车好久没人开",
        "市民来电反映：{place}楼下一辆面包车停了大半年，车上全是灰，挡着消防通道。",
        (1, "11:05"),
        source=CaseSource.HOTLINE,
        same_place_as="zombie",
        steps=(
            _then(
                "reject",
                "staff",
                m=35,
                reason="经核实，与{duplicate}号案件为同一辆僵尸车，该案件已派遣城管执法处置，本件不予重复立案。",
                duplicate_of="zombie",
            ),
        ),
    ),
    _Story(
        B,
        "property-neglect",
        "{place}{building}楼上住户夜间装修噪音扰民",
        "市民来电反映：{place}{building}楼上住户连续多日晚间十点后装修，噪音扰民。",
        (4, "19:10"),
        source=CaseSource.HOTLINE,
        steps=(
            _then(
                "reject",
                "staff",
                h=14,
                reason="装修噪音扰民不属于环境整治案件受理范围，已告知来电人向属地派出所反映。",
            ),
        ),
    ),
    # --- dispatched (已派遣), the report-in deadline still ahead ---------------------------------
    _Story(
        B,
        "street-stall",
        "{place}门前占道经营",
        "巡查发现：{place}门前摆放水果摊位，占用人行道约15米，行人绕行。",
        55,
        by="staff",
        road="青年大街",
        frontage=True,
        steps=(_then("dispatch", "staff", m=8, lead=ZF),),
    ),
    _Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放纸壳、泡沫箱等杂物，影响通行。",
        100,
        by="staff",
        steps=(_then("dispatch", "staff", m=15, lead=HW),),
    ),
    _Story(
        B,
        "damaged-road",
        "{place}人行道方砖破损塌陷",
        "巡查发现：{place}人行道方砖破损、局部塌陷约20平方米，雨后积水，易绊倒行人。",
        240,
        by="staff",
        road="东滨河路",
        steps=(_then("dispatch", "staff", m=30, lead=ZJ, cc=(ZX,)),),
    ),
    _Story(
        D,
        "courtyard-sanitation",
        "{place}卫生死角堆积垃圾",
        "巡查发现：{place}院内东北角堆积生活垃圾和建筑垃圾，蚊蝇滋生。",
        130,
        by="staff2",
        steps=(_then("dispatch", "staff2", m=20, lead=HW),),
    ),
    # --- dispatched, the department has not reported in by its deadline ---------------------
    _Story(
        B,
        "street-pile",
        "{place}门前堆放建筑垃圾",
        "巡查发现：{place}门前人行道堆放装修产生的建筑垃圾，约3立方米，未苫盖。",
        (2, "14:30"),
        by="staff",
        road="惠工街",
        frontage=True,
        steps=(
            _then("dispatch", "staff", m=20, lead=ZF),
            _then("comment", "staff", h=4, note="已电话催促城管执法尽快报到处置。"),
        ),
    ),
    _Story(
        B,
        "stairwell-wall",
        "{place}{building}楼道墙面脱落、乱涂乱画",
        "巡查发现：{place}{building}楼道墙皮大面积脱落，墙面喷涂小广告较多。",
        (4, "10:00"),
        by="staff",
        steps=(_then("dispatch", "staff", m=40, lead=ZJ),),
    ),
    _Story(
        B,
        "courtyard-sanitation",
        "{place}院内卫生死角",
        "巡查发现：{place}院内西侧夹道堆积落叶、垃圾和废弃花盆，长期无人清理。",
        (1, "09:20"),
        by="staff",
        steps=(_then("dispatch", "staff", m=30, lead=HW),),
    ),
    _Story(
        B,
        "unit-sanitation",
        "{place}后院垃圾杂物堆积",
        "巡查发现：{place}后院堆放废旧桌椅、纸箱和生活垃圾，单位卫生责任未落实。",
        (2, "11:00"),
        by="staff",
        road="文艺路",
        frontage=True,
        steps=(
            _then("dispatch", "staff", m=20, lead=ZF),
            _then(
                "send_back",
                "officer",
                h=2,
                reason="单位内部环境卫生由城管中心督导落实，不属于行政执法事项，请重新派遣。",
            ),
            _then("dispatch", "staff", h=1, lead=ZX, note="按城管执法意见改派城管中心督导。"),
        ),
    ),
    # --- in progress (处置中), within the resolve deadline -------------------------------------
    _Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道杂物清理",
        "巡查发现：{place}{building}楼道内堆放废旧家具、花盆，影响消防安全。",
        600,
        by="staff",
        steps=(_then("dispatch", "staff", m=15, lead=HW), _then("report_in", "officer2", m=50)),
    ),
    _Story(
        B,
        "fringe-construction",
        "{place}院内私搭彩钢房",
        "巡查发现：{place}院内有住户私自搭建彩钢房约12平方米，占用公共空间。",
        (3, "09:00"),
        by="staff",
        steps=(
            _then("dispatch", "staff", h=1, lead=ZF),
            _then("report_in", "officer", h=3),
            _then("comment", "officer", d=1, note="已下达限期拆除通知书，当事人承诺三日内自行拆除。"),
        ),
    ),
    _Story(
        D,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放大量纸壳和废旧电器。",
        (1, "08:40"),
        by="staff2",
        steps=(_then("dispatch", "staff2", m=30, lead=HW), _then("report_in", "officer2", h=1)),
    ),
    _Story(
        "wulihe",
        "exposed-garbage",
        "{road}路边暴露垃圾",
        "路长巡查发现：{place}路边绿化带内散落生活垃圾和外卖餐盒。",
        300,
        by="roadchief-wulihe",
        road="五里河街",
        steps=(_then("dispatch", "roadchief-wulihe", m=5, lead=HW), _then("report_in", "officer2", m=16)),
    ),
    _Story(
        B,
        "compound-road",
        "{place}院内道路坑洼不平",
        "市民来电反映：{place}院内主路多处坑洼，下雨积水，老人、孩子出行不便。",
        (6, "08:50"),
        source=CaseSource.HOTLINE,
        steps=(
            _then("accept", "staff", h=1),
            _then("dispatch", "staff", m=30, lead=ZJ, note="请住建部门现场勘查，纳入老旧小区道路修补。"),
            _then("report_in", "officer-housing", h=20),
            _then(
                "comment",
                "officer-housing",
                d=1,
                h=3,
                note="已现场勘查，院内主路破损约40平方米，已列入老旧小区道路修补计划，待沥青摊铺。",
            ),
        ),
    ),
    # --- in progress past the resolve deadline -----------------------------------------------
    _Story(
        B,
        "street-stall",
        "{place}门前店外经营",
        "巡查发现：{place}将货架、冰柜摆放至店外人行道经营，占道约8米。",
        (3, "16:00"),
        by="staff",
        road="文艺路",
        frontage=True,
        steps=(
            _then("dispatch", "staff", m=20, lead=ZF),
            _then("report_in", "officer", h=1, m=10),
            _then("comment", "officer", h=20, note="经营者拒不配合，已下达责令改正通知书，明日再次检查。"),
        ),
    ),
    _Story(
        B,
        "exposed-garbage",
        "{place}垃圾点暴露垃圾",
        "巡查发现：{place}垃圾点垃圾桶满溢，地面散落垃圾，未及时清运。",
        (2, "08:30"),
        by="staff",
        steps=(_then("dispatch", "staff", m=15, lead=HW), _then("report_in", "officer2", h=2)),
    ),
    # --- in progress with an extension: one waiting for a leader, one granted ------------------
    _Story(
        B,
        "fringe-dumping",
        "{place}院内倾倒垃圾残土",
        "巡查发现：{place}院内空地被倾倒建筑垃圾残土，约20吨，扬尘严重。",
        (3, "10:30"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=20, lead=ZF),
            _then("report_in", "officer", h=1, m=30),
            _then(
                "request_extension",
                "officer",
                d=1,
                h=2,
                days=3,
                reason="残土量较大（约20吨），需协调渣土车分批清运，申请延期3天。",
            ),
        ),
    ),
    _Story(
        B,
        "zombie-car",
        "{place}院内无牌僵尸车",
        "巡查发现：{place}院内一辆无号牌红色轿车长期停放，车窗破损，车内堆满杂物。",
        (5, "09:00"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=30, lead=ZF, assist=(JJ,)),
            _then("report_in", "officer", h=2),
            _then(
                "request_extension",
                "officer",
                d=2,
                days=5,
                reason="车主联系不上，需依法张贴公告满7日后方可拖移，申请延期5天。",
            ),
            _then("approve_extension", "leader", h=3, note="同意延期，请严格按公告程序依法处置。"),
        ),
    ),
    # --- resolved (已处置), waiting for the street office to verify -----------------------------
    _Story(
        B,
        "illegal-poster",
        "{road}沿线小广告",
        "志愿者反映：{place}一带公交站亭、电箱上张贴大量小广告。",
        (1, "09:00"),
        source=CaseSource.VOLUNTEER,
        road="青年大街",
        steps=(
            _then("accept", "staff", m=30),
            _then("dispatch", "staff", m=10, lead=HW),
            _then("report_in", "officer2", m=50),
            _then("resolve", "officer2", h=5),
        ),
    ),
    _Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放大量杂物，楼道墙面有小广告。",
        (2, "09:10"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=20, lead=HW),
            _then("report_in", "officer2", h=2),
            _then("resolve", "officer2", h=22),
        ),
    ),
    _Story(
        B,
        "street-pile",
        "{place}门前乱堆乱放",
        "巡查发现：{place}门前堆放废旧木板、纸箱，占用人行道。",
        420,
        by="staff",
        road="东滨河路",
        frontage=True,
        steps=(
            _then("dispatch", "staff", m=15, lead=ZF),
            _then("report_in", "officer", m=40),
            _then("resolve", "officer", h=4),
        ),
    ),
    _Story(
        D,
        "market-garbage",
        "五爱市场周边垃圾堆积",
        "巡查发现：{place}一带市场周边商户将包装垃圾堆放在路边，未及时清运。",
        (1, "07:40"),
        by="staff2",
        road="五爱街",
        steps=(
            _then("dispatch", "staff2", m=20, lead=HW),
            _then("report_in", "officer2", h=1, m=10),
            _then("resolve", "officer2", h=4),
        ),
    ),
    _Story(
        "huangcheng",
        "street-stall",
        "{road}步行街商户出店经营",
        "路长巡查发现：{place}一带多家商户在店外摆放促销台，占用步行街通道。",
        (1, "10:00"),
        by="roadchief-huangcheng",
        road="中街路",
        steps=(
            _then("dispatch", "roadchief-huangcheng", m=5, lead=ZF, cc=(SJ,)),
            _then("report_in", "officer", m=20),
            _then("resolve", "officer", h=3),
        ),
    ),
    _Story(
        B,
        "exposed-garbage",
        "{place}垃圾点周边暴露垃圾",
        "巡查发现：{place}垃圾点周边散落生活垃圾，垃圾桶破损。",
        (9, "08:10"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=15, lead=HW),
            _then("report_in", "officer2", m=40),
            _then("resolve", "officer2", h=5),
            _then("verify", "staff", d=1),
            _then(
                "reopen", "staff", d=5, h=2, reason="巡查发现该垃圾点再次出现暴露垃圾，居民反映清运不及时，重新派遣。"
            ),
            _then("report_in", "officer2", m=45),
            _then("resolve", "officer2", h=6, note="已更换破损垃圾桶，垃圾点每日清运由一次增加为两次。"),
        ),
    ),
    _Story(
        D,
        "street-pile",
        "{place}门前乱堆乱放反弹",
        "巡查发现：{place}门前堆放纸箱、货架等杂物，占用人行道。",
        (12, "09:30"),
        by="staff2",
        road="小南街",
        frontage=True,
        steps=(
            _then("dispatch", "staff2", m=30, lead=ZF),
            _then("report_in", "officer", h=1),
            _then("resolve", "officer", h=6),
            _then("verify", "staff2", h=18),
            _then("reopen", "leader", d=10, h=1, reason="区领导督查发现小南街沿线堆物问题反弹，责成重新处置。"),
        ),
    ),
    _Story(
        B,
        "compound-road",
        "{place}{building}门前路面塌陷、台阶破损",
        "巡查发现：{place}{building}单元门前路面塌陷约30平方米，入户台阶多处破损缺角，雨天积水，老人出入不便。",
        (5, "09:30"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=25, lead=ZJ),
            _then("report_in", "officer-housing", h=6),
            _then("comment", "officer-housing", d=1, note="施工队伍已进场，先行设置围挡和警示标志。"),
            _then("resolve", "officer-housing", d=2, tally={"road_repaired": 35, "steps": 8}),
        ),
    ),
    _Story(
        D,
        "specialist-market",
        "{road}服装市场商户货物占道",
        "巡查发现：{place}一带服装批发市场商户将货架、货包摆放至人行道，堵塞市场消防通道。",
        (2, "10:00"),
        by="staff2",
        road="五爱街",
        steps=(
            _then("dispatch", "staff2", m=20, lead=SJ),
            _then("report_in", "officer-market", h=2),
            _then("resolve", "officer-market", h=26),
        ),
    ),
    # --- closed (已结案), with the residents' call-back where there was a reporter --------------
    _Story(
        B,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "市民来电反映：{place}{building}楼道内邻居堆放大量废品，堵塞通道。",
        (8, "09:40"),
        source=CaseSource.HOTLINE,
        steps=(
            _then("accept", "staff", m=30),
            _then("dispatch", "staff", m=10, lead=HW),
            _then("report_in", "officer2", h=1),
            _then("resolve", "officer2", h=20),
            _then("verify", "staff", h=3, satisfaction="satisfied", note="回访来电人，对处置结果表示满意。"),
        ),
    ),
    _Story(
        B,
        "courtyard-sanitation",
        "{place}大院卫生死角",
        "志愿者反映：{place}院内夹道、煤棚周边堆积垃圾杂物，夏季异味大。",
        (10, "15:00"),
        source=CaseSource.VOLUNTEER,
        steps=(
            _then("accept", "staff", m=20),
            _then("dispatch", "staff", m=15, lead=HW),
            _then("report_in", "officer2", h=2),
            _then("resolve", "officer2", h=26),
            _then(
                "verify",
                "staff",
                h=18,
                satisfaction="basically_satisfied",
                note="回访：大院卫生明显好转，希望保持常态保洁。",
            ),
        ),
    ),
    _Story(
        B,
        "street-stall",
        "{road}早市摊贩占道",
        "市民来电反映：{place}附近每天早上有摊贩占道卖菜，早高峰车辆通行困难。",
        (12, "07:50"),
        source=CaseSource.HOTLINE,
        road="文艺路",
        steps=(
            _then("accept", "staff", m=25),
            _then("dispatch", "staff", m=10, lead=ZF),
            _then("report_in", "officer", m=50),
            _then("resolve", "officer", h=6),
            _then(
                "verify",
                "staff",
                d=1,
                satisfaction="dissatisfied",
                note="回访：来电人反映早市时段仍有摊贩占道，对处置效果不满意，已列入日常巡查重点。",
            ),
        ),
    ),
    _Story(
        D,
        "illegal-poster",
        "{road}居民楼外墙小广告",
        "市民来电反映：{place}附近居民楼外墙、单元门上贴满开锁、办证小广告。",
        (6, "10:00"),
        source=CaseSource.HOTLINE,
        road="大南街",
        steps=(
            _then("accept", "staff2", m=40),
            _then("dispatch", "staff2", m=10, lead=HW),
            _then("report_in", "officer2", h=1, m=20),
            _then("resolve", "officer2", h=7),
            _then("verify", "staff2", d=1, satisfaction="satisfied", note="回访来电人，表示满意。"),
        ),
    ),
    _Story(
        B,
        "exposed-garbage",
        "{place}暴露垃圾",
        "巡查发现：{place}{building}楼下堆放生活垃圾袋，无人清运。",
        (14, "08:30"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=10, lead=HW),
            _then("report_in", "officer2", h=1, m=30),
            _then("resolve", "officer2", h=6),
            _then("verify", "staff", h=20),
        ),
    ),
    _Story(
        B,
        "street-pile",
        "{place}门前堆放杂物",
        "巡查发现：{place}门前堆放废旧轮胎、铁架等杂物。",
        (16, "14:00"),
        by="staff",
        road="惠工街",
        frontage=True,
        steps=(
            _then("dispatch", "staff", m=15, lead=ZF),
            _then("report_in", "officer", h=1),
            _then("resolve", "officer", h=29),
            _then("verify", "staff", h=20),
        ),
    ),
    _Story(
        B,
        "zombie-car",
        "{place}院内僵尸车",
        "巡查发现：{place}院内两辆废旧轿车长期停放，轮胎瘪气，车身锈蚀。",
        (18, "09:00"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=30, lead=ZF, assist=(JJ,)),
            _then("report_in", "officer", h=3),
            _then("comment", "officer", d=1, note="已张贴限期挪车公告，公告期满后依法拖移。"),
            _then("resolve", "officer", d=2, h=2, tally={"zombie_cars_removed": 2}),
            _then("verify", "staff", h=22),
        ),
    ),
    _Story(
        B,
        "market-stall",
        "{road}早市周边占道",
        "巡查发现：{place}早市摊贩越线经营，占用机动车道。",
        (9, "06:50"),
        by="staff",
        road="文艺路",
        steps=(
            _then("dispatch", "staff", m=20, lead=ZF, cc=(SJ,)),
            _then("report_in", "officer", m=45),
            _then("resolve", "officer", h=3),
            _then("verify", "staff", h=6),
        ),
    ),
    _Story(
        B,
        "fringe-dumping",
        "{place}院内空地倾倒垃圾残土",
        "巡查发现：{place}院内空地被倾倒建筑垃圾和生活垃圾混合物，约5吨。",
        (19, "10:00"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=30, lead=ZF),
            _then("report_in", "officer", h=2),
            _then("resolve", "officer", d=2),
            _then("verify", "staff", h=20),
        ),
    ),
    _Story(
        B,
        "illegal-poster",
        "{road}电箱、电杆小广告",
        "巡查发现：{place}沿线电箱、电杆上张贴和喷涂小广告较多。",
        (7, "13:30"),
        by="staff",
        road="东滨河路",
        steps=(
            _then("dispatch", "staff", m=15, lead=HW),
            _then("report_in", "officer2", h=1),
            _then("resolve", "officer2", h=5),
            _then("verify", "staff", h=19),
        ),
    ),
    _Story(
        D,
        "stairwell-debris",
        "{place}{building}楼道堆物",
        "巡查发现：{place}{building}楼道内堆放旧沙发、床垫等大件杂物。",
        (11, "09:00"),
        by="staff2",
        steps=(
            _then("dispatch", "staff2", m=20, lead=HW),
            _then("report_in", "officer2", h=2),
            _then("resolve", "officer2", d=1),
            _then("verify", "staff2", h=5),
        ),
    ),
    _Story(
        B,
        "recycling-station",
        "{road}废品收购站占道堆放废品",
        "巡查发现：{place}一处废品收购站将收购的纸壳、废旧金属堆放在人行道上，且无消防器材。",
        (15, "10:20"),
        by="staff",
        road="惠工街",
        steps=(
            _then("dispatch", "staff", m=30, lead=ZF, assist=(SW,)),
            _then("report_in", "officer", h=3),
            _then("resolve", "officer", d=2),
            _then("verify", "staff", d=1),
        ),
    ),
    # --- closed: the 住建 department's repairs in old residential compounds (小区整治) ------------
    _Story(
        B,
        "compound-road",
        "{place}院内道路破损、坑槽积水",
        "巡查发现：{place}院内主路沥青路面破损、坑槽较多，{building}门前台阶塌陷，雨后积水严重。",
        (17, "09:00"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=30, lead=ZJ, note="纳入老旧小区基础设施专项维修。"),
            _then("report_in", "officer-housing", h=5),
            _then("resolve", "officer-housing", d=4, tally={"road_repaired": 48, "steps": 12}),
            _then("verify", "staff", h=20, note="现场核查，路面和台阶修补平整，予以结案。"),
        ),
    ),
    _Story(
        D,
        "compound-road",
        "{place}院内道路年久失修",
        "市民来电反映：{place}院内道路破损多年，坑洼不平，{building}门前台阶松动，老人多次摔倒，希望尽快修补。",
        (14, "16:20"),
        source=CaseSource.HOTLINE,
        steps=(
            _then("accept", "staff2", h=16),
            _then("dispatch", "staff2", m=20, lead=ZJ, note="请住建部门纳入老旧小区基础设施专项维修。"),
            _then("report_in", "officer-housing", h=3),
            _then("resolve", "officer-housing", d=5, tally={"road_repaired": 62, "steps": 15}),
            _then("verify", "staff2", d=1, satisfaction="satisfied", note="回访来电人，对道路修补结果表示满意。"),
        ),
    ),
    _Story(
        B,
        "damaged-road",
        "{place}门前人行道方砖松动破损",
        "路长巡查发现：{place}门前人行道方砖松动、破碎约12平方米，相邻路面有坑槽，行人易绊倒。",
        (11, "10:40"),
        by="roadchief",
        road="文艺路",
        steps=(
            _then("dispatch", "roadchief", m=5, lead=ZJ),
            _then("report_in", "officer-housing", m=40),
            _then("resolve", "officer-housing", d=3, tally={"road_repaired": 6, "sidewalk_tiles": 12}),
            _then("verify", "staff", h=20),
        ),
    ),
    _Story(
        B,
        "stairwell-wall",
        "{place}{building}楼道墙皮脱落、小广告遍布",
        "志愿者反映：{place}{building}一至六楼楼道墙皮大面积脱落，墙面写满开锁、疏通小广告，居民希望重新粉刷。",
        (15, "14:00"),
        source=CaseSource.VOLUNTEER,
        steps=(
            _then("accept", "staff", m=30),
            _then("dispatch", "staff", m=15, lead=ZJ),
            _then("report_in", "officer-housing", h=4),
            _then("resolve", "officer-housing", d=3, tally={"stairwell_walls": 280, "posters_removed": 36}),
            _then(
                "verify",
                "staff",
                d=1,
                satisfaction="basically_satisfied",
                note="回访：楼道墙面已粉刷一新，居民希望其他单元一并整治。",
            ),
        ),
    ),
    _Story(
        B,
        "stairwell-door-window",
        "{place}{building}楼道窗户破损、单元门关不严",
        "巡查发现：{place}{building}楼道二至四楼窗户玻璃缺失，单元门闭门器损坏，入冬前需修复。",
        (8, "10:10"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=20, lead=ZJ),
            _then("report_in", "officer-housing", h=4),
            _then("resolve", "officer-housing", d=2, h=3),
            _then("verify", "staff", h=22),
        ),
    ),
    _Story(
        D,
        "missing-lighting",
        "{place}{building}楼道照明灯缺失",
        "巡查发现：{place}{building}等多个单元楼道声控灯损坏、缺失，夜间居民上下楼摸黑。",
        (9, "19:30"),
        by="staff2",
        steps=(
            _then("dispatch", "staff2", h=14, lead=ZJ),
            _then("report_in", "officer-housing", h=3),
            _then("resolve", "officer-housing", d=1, h=4),
            _then("verify", "staff2", d=1),
        ),
    ),
    # --- closed: the other departments' own cases ------------------------------------------
    _Story(
        B,
        "zombie-car",
        "{road}路边僵尸车占用车位",
        "巡查发现：{place}路边一辆银色轿车长期停放，轮胎亏气，车身积灰，车内堆放杂物。",
        (13, "09:40"),
        by="staff",
        road="惠工街",
        steps=(
            _then("dispatch", "staff", m=20, lead=JJ),
            _then("report_in", "officer-traffic", h=2),
            _then(
                "comment",
                "officer-traffic",
                h=3,
                note="经核查车辆登记信息联系到车主，车主表示车辆已报废，同意拖移处理。",
            ),
            _then(
                "resolve",
                "officer-traffic",
                d=1,
                tally={"zombie_cars_removed": 1},
                note="经车主同意，已将僵尸车拖移至报废汽车回收企业，清理僵尸车1辆，路边停车泊位恢复使用。",
            ),
            _then("verify", "staff", h=20),
        ),
    ),
    _Story(
        B,
        "market-stall",
        "{road}农贸市场场外马路市场",
        "巡查发现：{place}附近农贸市场商户在场外搭设摊床，形成马路市场，市场开办方管理不到位。",
        (10, "08:00"),
        by="staff",
        road="东滨河路",
        steps=(
            _then(
                "dispatch",
                "staff",
                m=20,
                lead=SJ,
                assist=(ZF,),
                note="请市场监管督促市场开办方落实入场经营，城管执法配合清理场外摊床。",
            ),
            _then("report_in", "officer-market", m=50),
            _then("report_in", "officer", m=30),
            _then(
                "resolve",
                "officer-market",
                h=20,
                note="已约谈市场开办方，场外摊床全部清理，商户引导入场经营，开办方安排专人每日巡查。",
            ),
            _then("verify", "staff", d=1, h=2),
        ),
    ),
    _Story(
        B,
        "unit-sanitation",
        "{place}后院垃圾杂物堆积",
        "巡查发现：{place}后院堆放废弃装修材料和生活垃圾，单位门前三包和院内卫生责任未落实。",
        (12, "13:30"),
        by="staff",
        road="青年大街",
        frontage=True,
        steps=(
            _then("dispatch", "staff", m=25, lead=ZX),
            _then("report_in", "officer-centre", h=3),
            _then("resolve", "officer-centre", d=1, h=2),
            _then("verify", "staff", h=20),
        ),
    ),
    _Story(
        D,
        "recycling-station",
        "{road}废品收购站无序经营",
        "巡查发现：{place}附近一处废品收购站院内外废品露天堆放，未设围挡，消防器材缺失。",
        (16, "09:20"),
        by="staff2",
        road="小南街",
        steps=(
            _then("dispatch", "staff2", m=30, lead=SW, assist=(ZF,)),
            _then("report_in", "officer-commerce", h=4),
            _then("report_in", "officer", h=1),
            _then("resolve", "officer-commerce", d=2),
            _then("verify", "staff2", d=1),
        ),
    ),
    # --- reworked once, then closed ----------------------------------------------------------
    _Story(
        B,
        "stairwell-debris",
        "{place}多个单元楼道堆物",
        "巡查发现：{place}3号楼各单元楼道内普遍堆放杂物，部分单元堆放废旧自行车。",
        (13, "09:00"),
        by="staff",
        steps=(
            _then("dispatch", "staff", m=20, lead=HW),
            _then("report_in", "officer2", h=1),
            _then("resolve", "officer2", d=1),
            _then(
                "rework",
                "staff",
                h=3,
                reason="核查发现3号楼4单元、5单元楼道内仍堆放废旧自行车和纸壳，清理不彻底，退回返工。",
            ),
            _then("resolve", "officer2", h=5, note="已对4单元、5单元楼道补充清理，废旧自行车已通知住户自行处理。"),
            _then("verify", "staff", h=18, note="复查合格，予以结案。"),
        ),
    ),
    # --- sent back by the wrong department, dispatched again and closed ------------------------
    _Story(
        B,
        "market-stall",
        "{road}农贸市场门前占道经营",
        "巡查发现：{place}农贸市场门前摊贩出摊占道，市场周边秩序混乱。",
        (5, "07:30"),
        by="staff",
        road="文艺路",
        steps=(
            _then("dispatch", "staff", m=20, lead=HW),
            _then(
                "send_back",
                "officer2",
                h=1,
                m=30,
                reason="农贸市场周边占道经营属城管执法职责，非环卫作业范围，请重新派遣。",
            ),
            _then("dispatch", "staff", m=30, lead=ZF, cc=(SJ,)),
            _then("report_in", "officer", m=40),
            _then("resolve", "officer", h=5),
            _then("verify", "staff", d=1),
        ),
    ),
    # --- road chiefs blow the whistle (路长吹哨、部门报到) ---------------------------------------
    _Story(
        B,
        "street-stall",
        "{road}夜市摊点占道经营",
        "路长巡查发现：{place}一带夜市摊点占用人行道和非机动车道，地面遗留垃圾较多。",
        (4, "18:40"),
        by="roadchief",
        road="青年大街",
        steps=(
            _then("dispatch", "roadchief", m=5, lead=ZF, assist=(HW,), note="请城管执法、环卫立即到场处置。"),
            _then("report_in", "officer", m=18),
            _then("report_in", "officer2", m=9),
            _then("resolve", "officer", h=2),
            _then("verify", "staff", h=14),
        ),
    ),
    _Story(
        B,
        "street-pile",
        "{place}门前装修垃圾占道",
        "路长巡查发现：{place}门前堆放装修垃圾和渣土，占用人行道，需清运并追查责任人。",
        (1, "10:20"),
        by="roadchief",
        road="惠工街",
        frontage=True,
        steps=(
            _then("dispatch", "roadchief", m=4, lead=ZF, assist=(HW,)),
            _then("report_in", "officer", m=22),
            _then("comment", "roadchief", h=3, note="环卫部门至今未报到，已再次电话通知。"),
        ),
    ),
    _Story(
        B,
        "zombie-car",
        "{road}路边僵尸车",
        "路长巡查发现：{place}路边一辆黑色轿车长期停放，积灰严重，前挡风玻璃贴满罚单。",
        20,
        by="roadchief",
        road="东滨河路",
        steps=(_then("dispatch", "roadchief", m=4, lead=JJ, assist=(ZF,)),),
    ),
    _Story(
        D,
        "street-stall",
        "{road}流动摊贩占道",
        "路长巡查发现：{place}一带流动摊贩聚集，占用人行道经营。",
        (3, "15:10"),
        by="roadchief-danan",
        road="五爱街",
        steps=(
            _then("dispatch", "roadchief-danan", m=5, lead=ZF),
            _then("report_in", "officer", m=45),
            _then("resolve", "officer", h=3),
            _then("verify", "staff2", h=18),
        ),
    ),
    _Story(
        B,
        "exposed-garbage",
        "{road}路口暴露垃圾",
        "路长巡查发现：{place}路口垃圾桶外散落大量垃圾，早高峰前需清理。",
        (6, "07:20"),
        by="roadchief",
        road="文艺路",
        steps=(
            _then("dispatch", "roadchief", m=3, lead=HW, assist=(ZF,)),
            _then("report_in", "officer2", m=15),
            _then("report_in", "officer", m=12),
            _then("resolve", "officer2", h=2),
            _then("verify", "staff", h=4),
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

PHOTO_SIZE = (640, 480)


@dataclass(frozen=True)
class _Place:
    """Where a sample case is, and the words its title and description use for it."""

    community: Community
    compound: Compound | None
    road: Road | None
    frontage_unit: FrontageUnit | None
    address: str
    latitude: Decimal | None
    longitude: Decimal | None
    words: dict[str, str]


@dataclass
class _Replay:
    """What replaying the stories needs, and the cases and places of stories with a key so far."""

    rng: random.Random
    streets: dict[str, Street]
    departments: dict[str, Department]
    categories: dict[str, Category]
    users: dict[str, AbstractBaseUser]
    cases: dict[str, Case] = field(default_factory=dict)
    places: dict[str, _Place] = field(default_factory=dict)
    tallies: dict[int, dict[str, int | float]] = field(default_factory=dict)


def seed_cases(
    streets: dict[str, Street],
    departments: dict[str, Department],
    categories: list[Category],
    rng: random.Random,
) -> int:
    """Sample cases in every state, played through the workflow over the last weeks; returns the number of cases.

    Only a database without any case gets them: once there are cases (demo or real), they are a
    record that a later run must neither repeat nor change, so it adds nothing at all.
    """
    if Case.objects.exists():
        return Case.objects.count()
    now = timezone.now()
    usernames = {story.by for story in STORIES if story.by} | {step.actor for story in STORIES for step in story.steps}
    users = get_user_model().objects.select_related("staff_profile").filter(username__in=usernames)
    replay = _Replay(
        rng=rng,
        streets=streets,
        departments=departments,
        categories={category.code: category for category in categories},
        users={user.username: user for user in users},
    )
    starts = [_start_moment(story.start, now, rng) for story in STORIES]
    # Case numbers count up in the order the cases came in, as they would have in real use.
    for started, story in sorted(zip(starts, STORIES, strict=True), key=lambda pair: pair[0]):
        _play(story, started, replay)
    # At the real time, as the periodic `escalate_overdue` would: overdue cases carry their escalation.
    workflow.escalate_overdue()
    return Case.objects.count()


def _start_moment(start: Start, now: datetime.datetime, rng: random.Random) -> datetime.datetime:
    """When a story starts: minutes before `now`, or a local time of day some days back."""
    if isinstance(start, int):
        return now - datetime.timedelta(minutes=start)
    days, hhmm = start
    hours, minutes = map(int, hhmm.split(":"))
    day = timezone.localdate(now) - datetime.timedelta(days=days)
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hours, minutes)))
    # A little jitter, only ever earlier, so the story still ends before midnight (_Story's check).
    return moment - datetime.timedelta(minutes=rng.randint(0, 20))


def _play(story: _Story, started: datetime.datetime, replay: _Replay) -> None:
    """File the story's case at `started` and take its steps, each at its own moment."""
    rng = replay.rng
    place = replay.places[story.same_place_as] if story.same_place_as else _place(story, replay)
    reporter_name, reporter_phone = ("", "") if story.by else _reporter(story, place, rng)
    # Hotline calls come without pictures; staff, road chiefs, volunteers and the app take one or two.
    count = 0 if story.source == CaseSource.HOTLINE else 1 + (rng.random() < 0.25)
    number = _expected_number(started)
    with clock.at(started):
        case = workflow.create_case(
            replay.users[story.by] if story.by else None,
            title=story.title.format(**place.words),
            description=story.description.format(**place.words),
            category=replay.categories[story.category],
            community=place.community,
            compound=place.compound,
            road=place.road,
            frontage_unit=place.frontage_unit,
            address=place.address,
            latitude=place.latitude,
            longitude=place.longitude,
            source=story.source or None,
            reporter_name=reporter_name,
            reporter_phone=reporter_phone,
            photos=[_photo(number, PhotoStage.BEFORE, started, rng) for _ in range(count)],
        )
    moment = started
    for step in story.steps:
        moment += step.after
        with clock.at(moment):
            case = _act(step, case, moment, replay)
    if story.key:
        replay.cases[story.key] = case
        replay.places[story.key] = place


def _act(step: _Step, case: Case, moment: datetime.datetime, replay: _Replay) -> Case:
    """Take one step through the workflow, turning the story's shorthand into the action's arguments."""
    args = dict(step.args)
    departments = replay.departments
    if step.action == "dispatch":
        args["lead_department"] = departments[args.pop("lead")]
        args["assist_departments"] = [departments[name] for name in args.pop("assist", ())]
        args["cc_departments"] = [departments[name] for name in args.pop("cc", ())]
    elif step.action == "reject" and "duplicate_of" in args:
        original = replay.cases[args["duplicate_of"]]
        args["duplicate_of"] = original
        args["reason"] = args["reason"].format(duplicate=original.number)
    elif step.action == "resolve":
        tally = args.get("tally") or _tally(case.category, replay.rng)
        if case.rework_count and case.pk in replay.tallies:
            # The fix after a rework reports all the work again (the first report was voided), a bit more.
            tally = {code: quantity + tally.get(code, 0) // 4 for code, quantity in replay.tallies[case.pk].items()}
        replay.tallies[case.pk] = tally
        needs_photo = case.category.after_photo_required or replay.rng.random() < 0.5
        args = {
            "note": args.get("note") or _resolve_note(case.category, tally),
            "tally": tally,
            "photos": [_photo(case.number, PhotoStage.AFTER, moment, replay.rng)] if needs_photo else [],
        }
    elif step.action == "request_extension":
        args["until"] = case.resolve_due_at + datetime.timedelta(days=args.pop("days"))
    action: Callable[..., Case] = workflow.ACTIONS[step.action]
    return action(replay.users[step.actor], case, **args)


def _place(story: _Story, replay: _Replay) -> _Place:
    """A place in the story's street: on its road (at a frontage unit or a house number) or in a compound."""
    rng = replay.rng
    street = replay.streets[story.street]
    community = rng.choice(list(street.communities.order_by("code")))
    building = f"{rng.randint(1, 12)}号楼{rng.randint(1, 6)}单元"
    compound = road = unit = None
    if story.road:
        road = Road.objects.get(street=street, name=story.road)
        units = list(road.frontage_units.order_by("name")) if story.frontage else []
        unit = rng.choice(units) if units else None
        house = f"{road.name}{rng.randrange(3, 120, 2)}号"
        place = unit.name if unit else house
        address = f"沈河区{unit.address}（{unit.name}）" if unit else f"沈河区{house}"
    else:
        kind = CompoundKind.COURTYARD if story.category in COURTYARD_CATEGORIES else CompoundKind.OLD_RESIDENTIAL
        compounds = list(community.compounds.order_by("name"))
        compound = next((c for c in compounds if c.kind == kind), compounds[0] if compounds else None)
        place = compound.name if compound else community.name
        # Courtyards (大杂院) have no numbered buildings; compounds are found by building and entrance.
        address = compound.address if compound else f"沈河区{street.name}{community.name}"
        if kind == CompoundKind.OLD_RESIDENTIAL:
            address += building
    latitude = longitude = None
    # Some cases come with a map point (a phone's GPS), near the community's centre.
    if community.latitude is not None and community.longitude is not None and rng.random() < 0.6:
        latitude = _nudge(community.latitude, rng)
        longitude = _nudge(community.longitude, rng)
    words = {"place": place, "building": building, "road": road.name if road else "", "community": community.name}
    return _Place(community, compound, road, unit, address, latitude, longitude, words)


def _nudge(degrees: Decimal, rng: random.Random) -> Decimal:
    """A coordinate up to about 300 m away."""
    return (Decimal(degrees) + Decimal(str(round(rng.uniform(-0.003, 0.003), 6)))).quantize(Decimal("0.000001"))


def _reporter(story: _Story, place: _Place, rng: random.Random) -> tuple[str, str]:
    """The resident who reported the problem: a volunteer of the community, or a caller."""
    if story.source == CaseSource.VOLUNTEER:
        volunteer = Volunteer.objects.filter(community=place.community).order_by("pk").first()
        if volunteer is not None:
            return volunteer.name, volunteer.phone
    surname, _ = person_name(rng)
    phone = f"1{rng.choice('3589')}{rng.randint(0, 9)}{rng.randint(10_000_000, 99_999_999)}"
    return surname + rng.choice(("女士", "先生")), phone


def _tally(category: Category, rng: random.Random) -> dict[str, int | float]:
    """Plausible quantities of work for each metric the category records."""
    tally: dict[str, int | float] = {}
    for metric in category.metrics.all():
        low, high, decimals = TALLY_RANGES.get(metric.code, (1, 10, 0))
        tally[metric.code] = round(rng.uniform(low, high), decimals) if decimals else rng.randint(low, high)
    return tally


class _Quantities(dict):
    """Quantities by metric code for a note; a metric the note names but the category lacks reads 若干."""

    def __missing__(self, key: str) -> str:
        return "若干"


def _resolve_note(category: Category, tally: dict[str, int | float]) -> str:
    note = RESOLVE_NOTES.get(category.code, DEFAULT_RESOLVE_NOTE)
    return note.format_map(_Quantities({code: f"{quantity:g}" for code, quantity in tally.items()}))


def _expected_number(moment: datetime.datetime) -> str:
    """The number `create_case` will give a case filed at `moment`, to print on its before-photos."""
    year = timezone.localtime(moment).year
    last = CaseNumberSequence.objects.filter(year=year).values_list("last_value", flat=True).first() or 0
    return f"SH-{year}-{last + 1:06d}"


@cache
def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    # Pillow's own font (no CJK glyphs), so the caption is ASCII only and needs no system font.
    return ImageFont.load_default(size=24)


def _photo(number: str, stage: str, moment: datetime.datetime, rng: random.Random) -> ContentFile:
    """A small generated street scene with the case number, stage and time as its caption."""
    width, height = PHOTO_SIZE
    image = Image.new("RGB", PHOTO_SIZE, (rng.randint(150, 200), rng.randint(185, 215), rng.randint(215, 245)))
    draw = ImageDraw.Draw(image)
    horizon = rng.randint(220, 280)
    left = 0
    while left < width:  # a row of old residential blocks with their windows
        block, top, shade = rng.randint(80, 160), rng.randint(50, horizon - 60), rng.randint(150, 205)
        draw.rectangle((left, top, left + block - 8, horizon), fill=(shade, shade - 12, shade - 30))
        for y in range(top + 14, horizon - 24, 30):
            for x in range(left + 12, left + block - 28, 26):
                draw.rectangle((x, y, x + 12, y + 16), fill=(85, 105, 125))
        left += block
    draw.rectangle((0, horizon, width, height), fill=(132, 130, 124))
    draw.line((0, horizon + 40, width, horizon + 30), fill=(200, 200, 190), width=6)  # the kerb
    if stage == PhotoStage.BEFORE:  # the problem: heaps, boxes and litter on the ground
        for _ in range(rng.randint(6, 12)):
            x, y = rng.randint(20, width - 120), rng.randint(horizon + 20, height - 110)
            colour = (rng.randint(60, 200), rng.randint(50, 160), rng.randint(30, 120))
            if rng.random() < 0.5:
                draw.ellipse((x, y, x + rng.randint(40, 110), y + rng.randint(25, 60)), fill=colour)
            else:
                draw.rectangle((x, y, x + rng.randint(30, 80), y + rng.randint(30, 70)), fill=colour)
    else:  # the fix: a clean pavement with a new bin
        draw.rectangle((width - 150, horizon + 60, width - 110, horizon + 120), fill=(40, 120, 60))
    draw.rectangle((0, height - 50, width, height), fill=(25, 25, 25))
    caption = f"{number}  {str(stage).upper()}  {timezone.localtime(moment):%Y-%m-%d %H:%M}"
    draw.text((14, height - 40), caption, font=_font(), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return ContentFile(buffer.getvalue(), name=f"{stage}.jpg")
