"""Demo party branches, their point-to-point pairings and volunteers for `seed_demo`."""

from __future__ import annotations

import datetime
import random

from communities.demo import person_name
from communities.models import Community
from volunteers.choices import PairingKind
from volunteers.models import BranchPairing, PartyBranch, Volunteer

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
PAIRINGS_START = datetime.date(2021, 8, 20)


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


def seed_pairings(branches: list[PartyBranch], communities: list[Community]) -> list[BranchPairing]:
    """Pair the i-th branch with the i-th community from before the drive, once.

    A branch or community that has any pairing already is left as it is: pairings changed
    since (a branch that moved) are real history, not demo data to put back.
    """
    paired_branches = set(BranchPairing.objects.values_list("branch_id", flat=True))
    paired_communities = set(BranchPairing.objects.values_list("community_id", flat=True))
    for branch, community in zip(branches, communities, strict=True):
        if branch.pk not in paired_branches and community.pk not in paired_communities:
            BranchPairing.objects.create(
                branch=branch, community=community, starts_on=PAIRINGS_START, kind=PairingKind.POINT_TO_POINT
            )
    return list(
        BranchPairing.objects.filter(ends_on__isnull=True, branch__in=branches)
        .select_related("branch", "community")
        .order_by("branch__name")
    )


def seed_volunteers(branches: list[PartyBranch], communities: list[Community], rng: random.Random) -> list[Volunteer]:
    """Four volunteers per community: two party members of its demo branch, two residents."""
    skills = ["楼道清理", "垃圾分类宣传", "小广告清除", "水电维修", "文明劝导", "老年人帮扶"]
    volunteers = []
    for index, (branch, community) in enumerate(zip(branches, communities, strict=True)):
        for slot in range(4):
            surname, given_name = person_name(rng)
            is_party_member = slot < 2
            volunteer, _ = Volunteer.objects.get_or_create(
                phone=f"139{index:04d}{slot:04d}",
                defaults={
                    "name": surname + given_name,
                    "community": community,
                    "is_party_member": is_party_member,
                    "branch": branch if is_party_member else None,
                    "skills": "、".join(rng.sample(skills, 2)),
                    "joined_on": PAIRINGS_START + datetime.timedelta(days=slot),
                },
            )
            volunteers.append(volunteer)
    return volunteers
