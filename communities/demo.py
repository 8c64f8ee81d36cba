"""Demo geography and organisation of Shenhe District for `manage.py seed_demo`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser

from communities.choices import CompoundKind, DepartmentKind, PropertyManagement, Role
from communities.models import Community, Compound, Department, FrontageUnit, Road, StaffProfile, Street

DEMO_PASSWORD = "shenhe-demo"
DEMO_EMAIL_DOMAIN = "shenhe.example"  # every demo account has <username>@shenhe.example (DESIGN.md §9)

# Shenhe District's thirteen street offices (code, name).
STREETS = [
    ("binhe", "滨河街道"),
    ("danan", "大南街道"),
    ("huangcheng", "皇城街道"),
    ("shandongmiao", "山东庙街道"),
    ("zhujianlu", "朱剪炉街道"),
    ("wulihe", "五里河街道"),
    ("nanta", "南塔街道"),
    ("fengyutan", "风雨坛街道"),
    ("dongling", "东陵街道"),
    ("quanyuan", "泉园街道"),
    ("maguanqiao", "马官桥街道"),
    ("wanlian", "万莲街道"),
    ("beizhan", "北站街道"),
]

# 111 communities, as the drive pairs 111 branches with 111 communities.
COMMUNITY_NAMES = (
    "青年 文艺 惠工 五爱 大西 小西 南顺城 北顺城 正阳 中街 故宫 钟楼 鼓楼 怀远 德胜 大什字 "
    "小什字 朝阳 万柳塘 泉园 彩塔 南塔 风雨坛 天坛 汇宾 万莲 长青 东陵 马官桥 北站 市府 府前 "
    "东滨河 西滨河 小河沿 万泉 友好 迎宾 热闹 文化 南一马 南二马 南三马 北一马 二经 三经 四经 "
    "五经 一纬 二纬 三纬 团结 新华 光明 和平 建设 富民 幸福 安康 和睦 东顺城 西顺城 承德 大东 "
    "小东 方家栏 东风 红星 丽都 华府 金廊 盛京 沈州 奉天 山东庙 朱剪炉 五里河 大南 滨河 皇城 "
    "恒信 鸿运 城建 长安 兴隆 榆树 柳条 桃源 梨园 杏林 松花 银杏 海棠 丁香 玫瑰 玉兰 紫荆 翠竹 "
    "枫林 荷花 菊园 兰亭 梅园 临河 沿江 东塔 文萃 惠民 育才 新兴 永安"
).split()

ROAD_NAMES = {
    "binhe": [
        ("青年大街", "市府大路至文艺路"),
        ("文艺路", "青年大街至东滨河路"),
        ("东滨河路", "文艺路至万柳塘路"),
        ("惠工街", "北站路至市府大路"),
    ],
    "danan": [("大南街", "大南门至南塔街"), ("小南街", "小南门至五爱街"), ("五爱街", "小南街至文艺路")],
    "huangcheng": [("中街路", "大东门至钟楼"), ("正阳街", "中街至故宫"), ("沈阳路", "怀远门至大东门")],
    "shandongmiao": [("朝阳街", "中街路至市府大路"), ("北顺城路", "大东路至北站路")],
    "zhujianlu": [("朱剪炉街", "大西路至小西路"), ("南顺城路", "小西路至大南街")],
    "wulihe": [("五里河街", "青年大街至文化路"), ("文化路", "五里河街至万柳塘路")],
    "nanta": [("南塔街", "大南街至东陵路"), ("南塔鞋城路", "南塔街至文艺路")],
    "fengyutan": [("风雨坛街", "文艺路至青年大街"), ("天坛街", "风雨坛街至南五马路")],
    "dongling": [("东陵路", "南塔街至长青街"), ("长青街", "东陵路至浑河大街")],
    "quanyuan": [("泉园路", "万柳塘路至东陵路"), ("万柳塘路", "青年大街至泉园路")],
    "maguanqiao": [("马官桥街", "文艺路至东滨河路"), ("彩塔街", "马官桥街至青年大街")],
    "wanlian": [("万莲路", "北站路至惠工街"), ("团结路", "万莲路至市府大路")],
    "beizhan": [
        ("北站路", "北京街至惠工街"),
        ("北京街", "北站路至市府大路"),
        ("市府大路", "青年大街至北京街"),
    ],
}

FRONTAGE_KINDS = ["便利店", "饭店", "大药房", "五金商店", "理发店", "面馆", "水果店", "银行营业网点"]

DEPARTMENTS = [
    # (name, short name, kind, contact person, phone)
    ("沈河区城市管理行政执法局", "城管执法", DepartmentKind.ENFORCEMENT, "周建国", "024-22741101"),
    ("沈河区环境卫生服务中心", "环卫", DepartmentKind.SANITATION, "孙立新", "024-22741102"),
    ("沈河区住房和城乡建设局", "住建", DepartmentKind.HOUSING, "赵明", "024-22741103"),
    ("沈阳市公安局交通警察支队沈河大队", "交警", DepartmentKind.TRAFFIC_POLICE, "钱卫东", "024-22741104"),
    ("沈河区市场监督管理局", "市场监管", DepartmentKind.MARKET_REGULATION, "李红梅", "024-22741105"),
    ("沈河区城市管理指挥中心", "城管中心", DepartmentKind.CITY_MANAGEMENT_CENTRE, "吴海涛", "024-22741106"),
    ("沈河区商务局", "商务", DepartmentKind.OTHER, "郑丽", "024-22741107"),
]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN_NAMES = (
    "伟 芳 娜 秀英 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 秀兰 霞 平 刚 桂英 建华 玉兰 "
    "国庆 海燕 志强 春梅 立新 淑华 宏伟 晓东 丽华 建国 红霞 文博 子涵 思远 雨萱"
).split()


@dataclass(frozen=True)
class DemoAccount:
    """A demo login (password `DEMO_PASSWORD`), with what its staff profile needs."""

    username: str
    surname: str
    given_name: str
    role: str
    street_code: str | None = None
    department_short_name: str | None = None


DEMO_ACCOUNTS = [
    DemoAccount("admin", "系统", "管理员", Role.ADMIN),
    DemoAccount("leader", "李", "振华", Role.LEADER),
    DemoAccount("staff", "王", "晓燕", Role.STREET_STAFF, street_code="binhe"),
    DemoAccount("staff2", "陈", "立军", Role.STREET_STAFF, street_code="danan"),
    DemoAccount("roadchief", "刘", "建国", Role.ROAD_CHIEF, street_code="binhe"),
    DemoAccount("officer", "周", "海峰", Role.DEPT_OFFICER, department_short_name="城管执法"),
    DemoAccount("officer2", "孙", "丽娜", Role.DEPT_OFFICER, department_short_name="环卫"),
]

# Beyond the seven accounts of DESIGN.md §6: an officer for each other department, so that the
# demo can show (and a visitor can try) every department reporting in and resolving its cases.
EXTRA_OFFICERS = [
    DemoAccount("officer-housing", "高", "志刚", Role.DEPT_OFFICER, department_short_name="住建"),
    DemoAccount("officer-traffic", "马", "俊杰", Role.DEPT_OFFICER, department_short_name="交警"),
    DemoAccount("officer-market", "林", "雪梅", Role.DEPT_OFFICER, department_short_name="市场监管"),
    DemoAccount("officer-centre", "何", "宇航", Role.DEPT_OFFICER, department_short_name="城管中心"),
    DemoAccount("officer-commerce", "郑", "晓琳", Role.DEPT_OFFICER, department_short_name="商务"),
]


def person_name(rng: random.Random) -> tuple[str, str]:
    """A plausible Chinese (surname, given name) pair."""
    return rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)


def seed_streets() -> dict[str, Street]:
    """The thirteen streets, keyed by code."""
    streets = {}
    for order, (code, name) in enumerate(STREETS, start=1):
        streets[code], _ = Street.objects.get_or_create(
            code=code, defaults={"name": name, "order": order, "phone": f"024-2284{order:04d}"}
        )
    return streets


def seed_communities(streets: dict[str, Street], rng: random.Random) -> list[Community]:
    """111 communities spread over the streets, each with compounds and courtyards."""
    street_list = list(streets.values())
    communities = []
    for index, base in enumerate(COMMUNITY_NAMES[:111]):
        street = street_list[index % len(street_list)]
        community, _ = Community.objects.get_or_create(
            code=f"{street.code}-{index + 1:03d}",
            defaults={
                "street": street,
                "name": f"{base}社区",
                "households": rng.randrange(1800, 6500, 10),
                "latitude": round(41.78 + rng.random() * 0.05, 6),
                "longitude": round(123.42 + rng.random() * 0.06, 6),
            },
        )
        communities.append(community)
        compounds = [
            (f"{base}里小区", CompoundKind.OLD_RESIDENTIAL, PropertyManagement.GUARANTEED),
            (f"{base}大院", CompoundKind.COURTYARD, PropertyManagement.NONE),
        ]
        if index % 3 == 0:
            compounds.append((f"{base}新苑", CompoundKind.OTHER, PropertyManagement.MARKET))
        for number, (name, kind, management) in enumerate(compounds, start=1):
            Compound.objects.get_or_create(
                community=community,
                name=name,
                defaults={
                    "kind": kind,
                    "property_management": management,
                    "stairwell_units": rng.randint(6, 40) if kind != CompoundKind.COURTYARD else rng.randint(0, 4),
                    "address": f"沈河区{street.name}{base}路{number * 7 + index % 50}号",
                },
            )
    return communities


def seed_departments() -> dict[str, Department]:
    """The functional departments, keyed by short name."""
    departments = {}
    for name, short_name, kind, person, phone in DEPARTMENTS:
        departments[short_name], _ = Department.objects.get_or_create(
            name=name,
            defaults={
                "short_name": short_name,
                "kind": kind,
                "contact_person": person,
                "contact_phone": phone,
            },
        )
    return departments


@cache
def _demo_password_hash() -> str:
    # Hashing is slow on purpose (about 0.4 s); the demo password is public, so one salted
    # hash shared by the demo accounts of a run costs nothing in secrecy and keeps
    # `make run` quick.
    return make_password(DEMO_PASSWORD)


def _demo_user(username: str, surname: str, given_name: str, *, superuser: bool = False) -> AbstractUser:
    """Create a demo login once; later runs leave it (and any password change) alone."""
    user_model = get_user_model()
    user, created = user_model.objects.get_or_create(
        username=username,
        defaults={
            "last_name": surname,
            "first_name": given_name,
            "is_staff": superuser,
            "is_superuser": superuser,
            "email": f"{username}@{DEMO_EMAIL_DOMAIN}",
        },
    )
    if not user.email:  # accounts seeded before demo accounts had addresses
        user.email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user.save(update_fields=["email"])
    if created:
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    return user


def seed_accounts(streets: dict[str, Street], departments: dict[str, Department]) -> dict[str, AbstractUser]:
    """The seven demo accounts of DESIGN.md §6 and the extra officers, with their staff profiles."""
    users = {}
    for account in DEMO_ACCOUNTS + EXTRA_OFFICERS:
        user = _demo_user(account.username, account.surname, account.given_name, superuser=account.role == Role.ADMIN)
        StaffProfile.objects.get_or_create(user=user, defaults=_profile_values(account, streets, departments))
        users[account.username] = user
    return users


def reset_demo_accounts() -> None:
    """Put the seven demo accounts and the extra officers back: active, the demo password, their demo role and scope."""
    user_model = get_user_model()
    streets = {street.code: street for street in Street.objects.all()}
    departments = {department.short_name: department for department in Department.objects.all()}
    for account in DEMO_ACCOUNTS + EXTRA_OFFICERS:
        user = user_model.objects.get(username=account.username)
        user.is_active = True
        user.is_staff = user.is_superuser = account.role == Role.ADMIN
        user.password = _demo_password_hash()
        user.save()
        StaffProfile.objects.update_or_create(user=user, defaults=_profile_values(account, streets, departments))


def _profile_values(account: DemoAccount, streets: dict[str, Street], departments: dict[str, Department]) -> dict:
    department = departments[account.department_short_name] if account.department_short_name else None
    return {
        "role": account.role,
        "street": streets[account.street_code] if account.street_code else None,
        "department": department,
    }


def seed_roads(streets: dict[str, Street], users: dict[str, AbstractUser], rng: random.Random) -> list[Road]:
    """Roads with their road chiefs and frontage units; `roadchief` has the roads of `staff`'s street."""
    roads = []
    for street_code, road_specs in ROAD_NAMES.items():
        street = streets[street_code]
        if street_code == "binhe":
            chief = users["roadchief"]
        else:
            surname, given_name = person_name(rng)
            chief = _demo_user(f"roadchief-{street_code}", surname, given_name)
            StaffProfile.objects.get_or_create(
                user=chief, defaults={"role": Role.ROAD_CHIEF, "street": street, "department": None}
            )
        for road_name, section in road_specs:
            road, _ = Road.objects.get_or_create(
                street=street, name=road_name, defaults={"section": section, "road_chief": chief}
            )
            roads.append(road)
            for number, kind in enumerate(rng.sample(FRONTAGE_KINDS, 3), start=1):
                surname, given_name = person_name(rng)
                FrontageUnit.objects.get_or_create(
                    road=road,
                    name=f"{road_name}{kind}",
                    defaults={
                        "address": f"{road_name}{number * 12 + 3}号",
                        "contact_person": surname + given_name,
                        "contact_phone": f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}",
                    },
                )
    return roads
