"""The demo drive, its seven campaigns, the tally metrics and the problem categories (DESIGN.md §5)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.calendar_import import DEMO_CALENDAR_FILE, import_calendar_file
from cases.choices import Clock
from cases.models import Campaign, Category, Drive, Metric
from communities.models import Department

# The demo drive is running when the demo is first seeded: it began on the Tuesday 32 days before the
# last Saturday (as the 2021 drive began on Tuesday 24 August and its first clean-ups were that weekend),
# so its weekends of clean-ups, its cases and its bulletins fall in the same weeks. Later runs keep it.
DRIVE_SLUG = "remediation-month"
DRIVE_DAYS_BEFORE_LAST_SATURDAY = 32
DRIVE_LENGTH_DAYS = 45
DRIVE = {
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


def drive_dates(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a demo drive seeded on `today`: it started some five weeks before."""
    last_saturday = today - datetime.timedelta(days=(today.weekday() - 5) % 7 or 7)
    starts_on = last_saturday - datetime.timedelta(days=DRIVE_DAYS_BEFORE_LAST_SATURDAY)
    return starts_on, starts_on + datetime.timedelta(days=DRIVE_LENGTH_DAYS)


def seed_drive(today: datetime.date | None = None) -> tuple[Drive, dict[str, Campaign]]:
    """The demo drive (环境整治攻坚月, running now) and its seven campaigns, keyed by slug."""
    starts_on, ends_on = drive_dates(today or timezone.localdate())
    drive, _ = Drive.objects.get_or_create(
        slug=DRIVE_SLUG,
        defaults={**DRIVE, "name": f"{starts_on.year} 环境整治攻坚月", "starts_on": starts_on, "ends_on": ends_on},
    )
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


# Categories whose deadlines count in working time (DESIGN.md §11): the road repairs, planned work by 住建
# that waits for working days. The urgent ones (garbage, piles, markets, whistles) count around the clock.
WORKING_CLOCK_CATEGORIES = frozenset({"damaged-road", "compound-road"})


def seed_calendar() -> int:
    """The working-time calendar of the State Council's published notices (cases/data/calendar_cn.csv).

    Returns the number of days added; a second run adds none.
    """
    return import_calendar_file(DEMO_CALENDAR_FILE).created


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
                "clock": Clock.WORKING if code in WORKING_CLOCK_CATEGORIES else Clock.CALENDAR,
                "after_photo_required": photo,
                "order": order,
            },
        )
        if created:
            category.metrics.set([metrics[metric_code] for metric_code in metric_codes])
        categories.append(category)
    return categories
