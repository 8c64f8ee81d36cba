"""Factories for every model the tests build; defaults make a valid, minimal object."""

import datetime

import factory
from django.contrib.auth import get_user_model

from cases import worktime
from cases.choices import AssignmentRole, CaseState
from cases.models import Assignment, Campaign, Case, Category, Drive, Metric, TallyEntry
from communities.choices import DepartmentKind, Role
from communities.models import Community, Compound, Department, FrontageUnit, Road, StaffProfile, Street
from volunteers.models import Activity, BranchPairing, PartyBranch, Volunteer

TEST_PASSWORD = "test-password-123"


class StreetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Street

    name = factory.Sequence(lambda n: f"测试{n}街道")
    code = factory.Sequence(lambda n: f"street-{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试{n}社区")
    code = factory.Sequence(lambda n: f"community-{n}")


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"测试{n}小区")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"测试{n}局")
    kind = DepartmentKind.ENFORCEMENT


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "张"
    first_name = factory.Sequence(lambda n: f"测试{n}")
    password = factory.django.Password(TEST_PASSWORD)


class StaffProfileFactory(factory.django.DjangoModelFactory):
    """A street-staff profile unless told otherwise; use the role traits for the others."""

    class Meta:
        model = StaffProfile

    user = factory.SubFactory(UserFactory)
    role = Role.STREET_STAFF
    street = factory.SubFactory(StreetFactory)
    department = None

    class Params:
        road_chief = factory.Trait(role=Role.ROAD_CHIEF)
        officer = factory.Trait(role=Role.DEPT_OFFICER, street=None, department=factory.SubFactory(DepartmentFactory))
        leader = factory.Trait(role=Role.LEADER, street=None)
        admin = factory.Trait(role=Role.ADMIN, street=None)


class RoadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Road

    street = factory.SubFactory(StreetFactory)
    name = factory.Sequence(lambda n: f"测试{n}路")


class FrontageUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrontageUnit

    road = factory.SubFactory(RoadFactory)
    name = factory.Sequence(lambda n: f"测试{n}商店")


class DriveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Drive

    name = factory.Sequence(lambda n: f"测试攻坚行动{n}")
    slug = factory.Sequence(lambda n: f"drive-{n}")
    starts_on = datetime.date(2021, 8, 24)


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    drive = factory.SubFactory(DriveFactory)
    order = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    name = factory.Sequence(lambda n: f"专项整治{n}")
    starts_on = factory.SelfAttribute("drive.starts_on")


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    code = factory.Sequence(lambda n: f"metric_{n}")
    name = factory.Sequence(lambda n: f"指标{n}")
    unit = "处"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.Sequence(lambda n: f"问题类别{n}")
    campaign = factory.SubFactory(CampaignFactory)
    default_department = factory.SubFactory(DepartmentFactory)


class PartyBranchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyBranch

    name = factory.Sequence(lambda n: f"测试第{n}党支部")
    member_count = 9


class BranchPairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BranchPairing

    branch = factory.SubFactory(PartyBranchFactory)
    community = factory.SubFactory(CommunityFactory)
    starts_on = datetime.date(2021, 8, 20)


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    name = factory.Sequence(lambda n: f"志愿者{n}")
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    community = factory.SubFactory(CommunityFactory)


def _by_clock(category, start, end, *, around_the_clock: bool = False) -> datetime.timedelta | None:
    if start is None or end is None:
        return None
    return worktime.duration_by_clock(category, start, end, around_the_clock=around_the_clock)


class CaseFactory(factory.django.DjangoModelFactory):
    """A registered case in a fresh community; set `state` and the workflow fields for other stages."""

    class Meta:
        model = Case

    number = factory.Sequence(lambda n: f"SH-2021-{n + 1:06d}")
    title = factory.Sequence(lambda n: f"测试问题{n}")
    category = factory.SubFactory(CategoryFactory)
    campaign = factory.SelfAttribute("category.campaign")
    community = factory.SubFactory(CommunityFactory)
    street = factory.SelfAttribute("community.street")
    state = CaseState.REGISTERED
    # As the workflow records it when the department resolves: by the category's clock.
    resolve_duration = factory.LazyAttribute(
        lambda o: _by_clock(o.category, getattr(o, "dispatched_at", None), getattr(o, "resolved_at", None))
    )


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    case = factory.SubFactory(CaseFactory)
    department = factory.SubFactory(DepartmentFactory)
    role = AssignmentRole.LEAD
    # As the workflow records it at report-in: by the category's clock, a whistle's around the clock.
    report_in_duration = factory.LazyAttribute(
        lambda o: _by_clock(
            o.case.category,
            getattr(o, "assigned_at", None),
            getattr(o, "reported_in_at", None),
            around_the_clock=getattr(o, "whistle", False),
        )
    )


class TallyEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TallyEntry

    metric = factory.SubFactory(MetricFactory)
    quantity = 1
    date = datetime.date(2021, 8, 28)
    community = factory.SubFactory(CommunityFactory)
    campaign = factory.SubFactory(CampaignFactory)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"周末大扫除{n}")
    starts_at = factory.LazyFunction(lambda: datetime.datetime(2021, 8, 28, 8, tzinfo=datetime.UTC))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=3))
    community = factory.SubFactory(CommunityFactory)
    campaign = factory.SubFactory(CampaignFactory)
