"""Demo party branches, their point-to-point pairings and volunteers for `seed_demo`."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count
from django.utils import timezone

from cases.models import Campaign, Case, Drive, Metric
from communities.choices import CompoundKind
from communities.demo import person_name
from communities.models import Community, Compound
from core import clock
from volunteers import services
from volunteers.choices import PairingKind
from volunteers.models import Activity, BranchPairing, Participation, PartyBranch, Volunteer

# District organs whose branches are paired with communities (three branches each → 111).
ORGANISATIONS = (
    "区委办公室 区政府办公室 区纪委监委 区委组织部 区委宣传部 区委统战部 区委政法委 区发展和改革局 "
    "区教育局 区科学技术局 区工业和信息化局 区民政局 区司法局 区财政局 区人力资源和社会保障局 "
    "区住房和城乡建设局 区城市管理行政执法局 区交通运输局 区商务局 区文化旅游和广播电视局 "
    "区卫生健康局 区退役军人事务局 区应急管理局 区审计局 区市场监督管理局 区统计局 区医疗保障局 "
    "区信访局 区环境卫生服务中心 区机关事务服务中心 区融媒体中心 区总工会 团区委 区妇联 区工商联 "
    "区残联 区档案馆"
).split()
BRANCH_ORDINALS = ["第一", "第二", "第三"]
# The branches were paired with their communities four days before the drive began.
PAIRED_DAYS_BEFORE_DRIVE = 4


def pairings_start(drive: Drive) -> datetime.date:
    return drive.starts_on - datetime.timedelta(days=PAIRED_DAYS_BEFORE_DRIVE)


def seed_branches(rng: random.Random) -> list[PartyBranch]:
    """111 party branches of district organs (about a thousand members in all)."""
    branches = []
    for organisation in ORGANISATIONS:
        for ordinal in BRANCH_ORDINALS:
            surname, given_name = person_name(rng)
            branch, _ = PartyBranch.objects.get_or_create(
                name=f"沈河{organisation}{ordinal}党支部",
                defaults={
                    "organisation": f"沈河{organisation}",
                    "secretary": surname + given_name,
                    "member_count": rng.randint(7, 13),
                },
            )
            branches.append(branch)
    return branches


def seed_pairings(branches: list[PartyBranch], communities: list[Community], drive: Drive) -> list[BranchPairing]:
    """Pair the i-th branch with the i-th community from before the drive, once.

    A branch or community that has any pairing already is left as it is: pairings changed
    since (a branch that moved) are real history, not demo data to put back.
    """
    paired_branches = set(BranchPairing.objects.values_list("branch_id", flat=True))
    paired_communities = set(BranchPairing.objects.values_list("community_id", flat=True))
    for branch, community in zip(branches, communities, strict=True):
        if branch.pk not in paired_branches and community.pk not in paired_communities:
            BranchPairing.objects.create(
                branch=branch,
                community=community,
                starts_on=pairings_start(drive),
                kind=PairingKind.POINT_TO_POINT,
            )
    return list(
        BranchPairing.objects.filter(ends_on__isnull=True, branch__in=branches)
        .select_related("branch", "community")
        .order_by("branch__name")
    )


SKILLS = ["楼道清理", "垃圾分类宣传", "小广告清除", "水电维修", "文明劝导", "老年人帮扶"]
# Each community's volunteers: slots 0–3 came first (two party members, two residents); slots
# 4–9 add four more party members of the paired branch and two more residents, so that the
# weekend clean-ups have realistic crowds (about 1,100 volunteers in the district).
FIRST_SLOTS = range(4)
MORE_SLOTS = range(4, 10)
PARTY_MEMBER_SLOTS = {0, 1, 4, 5, 6, 7}


def volunteer_phone(index: int, slot: int) -> str:
    """The demo phone of the community's `slot`-th volunteer (unique, and the key a later run finds it by)."""
    return f"139{index:04d}{slot:04d}"


def volunteer_contact(community: Community) -> tuple[str, str] | None:
    """The name and phone of the community's first volunteer (who reports the demo's volunteer cases)."""
    volunteer = Volunteer.objects.filter(community=community).order_by("pk").first()
    return None if volunteer is None else (volunteer.name, volunteer.phone)


def seed_volunteers(
    branches: list[PartyBranch], communities: list[Community], drive: Drive, rng: random.Random
) -> list[Volunteer]:
    """Four volunteers per community: two party members of its demo branch, two residents."""
    skills = SKILLS
    volunteers = []
    for index, (branch, community) in enumerate(zip(branches, communities, strict=True)):
        for slot in FIRST_SLOTS:
            surname, given_name = person_name(rng)
            is_party_member = slot < 2
            volunteer, _ = Volunteer.objects.get_or_create(
                phone=volunteer_phone(index, slot),
                defaults={
                    "name": surname + given_name,
                    "community": community,
                    "is_party_member": is_party_member,
                    "branch": branch if is_party_member else None,
                    "skills": "、".join(rng.sample(skills, 2)),
                    "joined_on": pairings_start(drive) + datetime.timedelta(days=slot),
                },
            )
            volunteers.append(volunteer)
    return volunteers


def seed_more_volunteers(
    pairings: list[BranchPairing], communities: list[Community], drive: Drive, rng: random.Random
) -> list[Volunteer]:
    """Six more volunteers per community (four party members of its paired branch, two residents), added once."""
    # Names are drawn for every slot on every run, so the random stream (and what is seeded
    # after it) is the same whether the volunteers exist already or not.
    branch_of = {pairing.community_id: pairing.branch for pairing in pairings}
    wanted = []
    for index, community in enumerate(communities):
        branch = branch_of.get(community.pk)
        for slot in MORE_SLOTS:
            surname, given_name = person_name(rng)
            is_party_member = slot in PARTY_MEMBER_SLOTS
            wanted.append(
                Volunteer(
                    phone=volunteer_phone(index, slot),
                    name=surname + given_name,
                    community=community,
                    is_party_member=is_party_member,
                    branch=branch if is_party_member else None,
                    skills="、".join(rng.sample(SKILLS, 2)),
                    joined_on=pairings_start(drive) + datetime.timedelta(days=slot),
                )
            )
    phones = [volunteer.phone for volunteer in wanted]
    # Rows that exist already (perhaps edited since) are left as they are.
    existing = set(Volunteer.objects.filter(phone__in=phones).values_list("phone", flat=True))
    Volunteer.objects.bulk_create([v for v in wanted if v.phone not in existing], batch_size=500)
    return list(Volunteer.objects.filter(phone__in=phones).order_by("phone"))


# --- weekend activities of the 1+1 mobilisation -------------------------------------------------------


def first_weekend(drive: Drive) -> tuple[datetime.date, datetime.date]:
    """The drive's first weekend (it starts on a Tuesday, as in 2021): 111 branches and their thousand
    party members went into the old compounds and courtyards with the communities' party members,
    residents and volunteers."""
    saturday = drive.starts_on + datetime.timedelta(days=(5 - drive.starts_on.weekday()) % 7)
    return saturday, saturday + datetime.timedelta(days=1)


def later_saturdays(drive: Drive) -> list[datetime.date]:
    """The four Saturdays after the first weekend; the last is the demo's most recent weekend."""
    saturday = first_weekend(drive)[0]
    return [saturday + datetime.timedelta(weeks=week) for week in (1, 2, 3, 4)]


# (hour, minute, length in minutes), Shenyang time.
SESSIONS = [(8, 30, 180), (9, 0, 150), (14, 0, 150)]
HOURS_CHOICES = [Decimal("2"), Decimal("2.5"), Decimal("3")]
TITLE_PREFIX = "党群1+1联民 周末环境整治"


@dataclass(frozen=True)
class _Work:
    """A kind of weekend clean-up: its campaign, where it happens, its wording and its usual outcomes."""

    campaign: str
    place_kind: str
    title: str
    description: str
    # metric code: (low, high, decimals, how often the work has this outcome)
    outcomes: dict[str, tuple[float, float, int, float]]


WORKS = {
    "stairwells": _Work(
        "stairwell-cleaning",
        CompoundKind.OLD_RESIDENTIAL,
        "{place} 楼道清理",
        "支部党员和社区党员、居民、志愿者并肩作战，逐个单元清理{place}楼道内堆放的杂物，"
        "清除小招贴、喷涂，垃圾随清随运。",
        {
            "stairwells_cleaned": (6, 24, 0, 1.0),
            "debris_piles_removed": (2, 10, 0, 1.0),
            "posters_removed": (10, 60, 0, 0.9),
            "garbage_cleared": (0.5, 3.0, 1, 0.8),
        },
    ),
    "yards": _Work(
        "residential-compounds",
        CompoundKind.OLD_RESIDENTIAL,
        "{place} 庭院整治、僵尸车清理",
        "党员带头作模范，整治环境我先行：清理{place}庭院里的三堆杂物和卫生死角，联系车主挪走院内的“僵尸车”。",
        {
            "debris_piles_removed": (3, 12, 0, 1.0),
            "garbage_cleared": (1.0, 4.0, 1, 1.0),
            "zombie_cars_removed": (1, 3, 0, 1.0),
        },
    ),
    "courtyard": _Work(
        "courtyards-and-markets",
        CompoundKind.COURTYARD,
        "{place} 卫生死角清理",
        "深入{place}居民大杂院，和社区党员、居民、志愿者一起清除卫生死角，清理三堆杂物，清运垃圾残土。",
        {
            "garbage_cleared": (1.5, 5.0, 1, 1.0),
            "debris_piles_removed": (4, 15, 0, 1.0),
            "zombie_cars_removed": (1, 2, 0, 0.3),
        },
    ),
}
# Stairwells were the first weekend's main work; compounds' yards and courtyards came too.
WORK_WEIGHTS = (6, 2, 2)


@dataclass(frozen=True)
class ActivityPlan:
    """A demo activity decided before anything is written: the `index`-th community's clean-up on a day."""

    index: int
    work: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    tally: dict[str, Decimal]
    participants: tuple[tuple[int, Decimal], ...]  # (volunteer slot, hours)


def plan_activities(communities: list[Community], drive: Drive, rng: random.Random) -> list[ActivityPlan]:
    """Each community's clean-up on the drive's first weekend and, for most, on one to three later ones."""
    # Drawn whole on every run (whatever exists already), so a later run plans the same
    # activities and the random stream after it does not move.
    plans = []
    for index, _community in enumerate(communities):
        days = [rng.choice(first_weekend(drive))]
        if rng.random() < 0.85:
            saturdays = sorted(rng.sample(later_saturdays(drive), rng.randint(1, 3)))
            for saturday in saturdays:
                # Saturday or Sunday, the most recent weekend too: on a Saturday the weekly bulletin's
                # last 7 days hold only that weekend's Sunday (seed_activities leaves a day not yet over).
                days.append(saturday + datetime.timedelta(days=rng.randint(0, 1)))
        for day in days:
            work = rng.choices(list(WORKS), weights=WORK_WEIGHTS)[0]
            hour, minute, minutes = rng.choice(SESSIONS)
            starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
            ends_at = starts_at + datetime.timedelta(minutes=minutes)
            limit = services.hours_limit(starts_at, ends_at)
            hours = [choice for choice in HOURS_CHOICES if choice <= limit]
            slots = sorted(rng.sample(range(len(FIRST_SLOTS) + len(MORE_SLOTS)), rng.randint(4, 10)))
            plans.append(
                ActivityPlan(
                    index=index,
                    work=work,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    tally=_outcomes(WORKS[work], rng),
                    participants=tuple((slot, rng.choice(hours)) for slot in slots),
                )
            )
    return plans


def _outcomes(work: _Work, rng: random.Random) -> dict[str, Decimal]:
    tally = {}
    for code, (low, high, decimals, chance) in work.outcomes.items():
        # Draw the quantity either way, so that one outcome's chance does not shift the next.
        quantity = round(rng.uniform(low, high), decimals) if decimals else rng.randint(int(low), int(high))
        if rng.random() < chance:
            tally[code] = Decimal(str(quantity))
    return tally


def seed_activities(
    plans: list[ActivityPlan],
    communities: list[Community],
    admin: AbstractBaseUser,
    campaigns: dict[str, Campaign],
    metrics: dict[str, Metric],
) -> list[Activity]:
    """Record the planned activities that do not exist yet through the services, as staff would; returns all of them."""
    # An activity is found again by its community and start (no two demo activities of a
    # community start together, and a renamed compound must not make a second one); one that
    # exists is left as it is, edits included. The organising branch is the one paired with
    # the community on the day (save_activity decides), and a community's last activity claims
    # one of its resolved cases where there is one.
    by_key = {
        (activity.community_id, activity.starts_at): activity
        for activity in Activity.objects.filter(
            community__in=communities, starts_at__in={plan.starts_at for plan in plans}
        )
    }
    volunteers = {
        volunteer.phone: volunteer
        for volunteer in Volunteer.objects.filter(
            phone__in=[volunteer_phone(plan.index, slot) for plan in plans for slot, _hours in plan.participants]
        )
    }
    places = _places(communities)
    unclaimed = _unclaimed_cases(communities)
    # A clean-up is recorded once its day is over: the most recent weekend's Sunday may be today
    # (a later run records it then, with the same plan).
    today = timezone.localdate(clock.now())
    plans = [plan for plan in plans if timezone.localdate(plan.starts_at) < today]
    last_plan = {plan.index: plan for plan in plans}
    activities = []
    for plan in plans:
        community = communities[plan.index]
        existing = by_key.get((community.pk, plan.starts_at))
        if existing is not None:
            activities.append(existing)
            continue
        work = WORKS[plan.work]
        place = places.get((community.pk, work.place_kind), community.name)
        campaign = campaigns[work.campaign]
        claimed = (
            _claim(unclaimed[community.pk], campaign, plan.tally, plan.ends_at) if last_plan[plan.index] is plan else []
        )
        # Recorded by the street after the clean-up, as a user would: the tally is dated then.
        with clock.at(plan.ends_at + datetime.timedelta(hours=2)):
            activity = services.save_activity(
                admin,
                None,
                title=f"{TITLE_PREFIX}：{work.title.format(place=place)}",
                starts_at=plan.starts_at,
                ends_at=plan.ends_at,
                community=community,
                campaign=campaign,
                description=work.description.format(place=place),
                tally={metrics[code]: quantity for code, quantity in plan.tally.items()},
                cases=claimed,
            )
            participants = [
                (volunteer, hours)
                for slot, hours in plan.participants
                if (volunteer := volunteers.get(volunteer_phone(plan.index, slot))) is not None
                # A volunteer who has moved to another community since is not credited here.
                and volunteer.community_id == community.pk
            ]
            services.add_participants(admin, activity, participants)
        activities.append(activity)
    return activities


def _places(communities: list[Community]) -> dict[tuple[int, str], str]:
    """The first compound of each kind in each community, by name: where its clean-ups happen."""
    places: dict[tuple[int, str], str] = {}
    for compound in Compound.objects.filter(community__in=communities).order_by("community_id", "name"):
        places.setdefault((compound.community_id, compound.kind), compound.name)
    return places


def _unclaimed_cases(communities: list[Community]) -> dict[int, list[Case]]:
    """Each community's resolved or closed cases that no activity claims yet, oldest number first."""
    cases: dict[int, list[Case]] = defaultdict(list)
    rows = (
        Case.objects.filter(community__in=communities, state__in=services.LINKABLE_CASE_STATES)
        .annotate(claims=Count("activities"))
        .filter(claims=0)
        .prefetch_related("category__metrics")
        .order_by("number")
    )
    for case in rows:
        cases[case.community_id].append(case)
    return cases


def _claim(
    candidates: list[Case], campaign: Campaign, tally: dict[str, Decimal], ends_at: datetime.datetime
) -> list[Case]:
    """A case filed before the clean-up ended that it plausibly finished (its campaign's, else one it counts)."""
    filed = [case for case in candidates if case.created_at <= ends_at]
    for fits in (
        lambda case: case.campaign_id == campaign.pk,
        lambda case: any(metric.code in tally for metric in case.category.metrics.all()),
    ):
        case = next((case for case in filed if fits(case)), None)
        if case is not None:
            candidates.remove(case)
            return [case]
    return []


def participation_count(activities: list[Activity]) -> int:
    """People-times (participations) of the activities."""
    return Participation.objects.filter(activity__in=[activity.pk for activity in activities]).count()
