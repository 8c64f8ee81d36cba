"""`manage.py seed_demo` builds the demo world of DESIGN.md §6, and running it again changes nothing."""

import datetime
import io
import itertools
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import serializers
from django.core.management import call_command
from django.utils import timezone, translation

from cases.choices import AssignmentRole, CaseAction, CaseSource, CaseState, PhotoStage, Satisfaction
from cases.figures import case_set_q
from cases.models import Assignment, Campaign, Case, CaseEvent, Category, Drive, Metric, Photo, TallyEntry
from cases.queries import report_in_overdue_q, visible_to
from communities.choices import Role
from communities.models import Community, Department, Road, StaffProfile
from dashboard.models import ScoringRuleSet
from notifications.choices import NotificationKind
from notifications.models import Notification
from volunteers.models import Activity, BranchPairing, Participation, PartyBranch, Volunteer

pytestmark = pytest.mark.django_db

DEMO_ACCOUNTS = {
    # username: (role label in Chinese, what the home page names as the user's scope)
    "admin": ("管理员", "沈河区"),
    "leader": ("区领导", "沈河区"),
    "staff": ("街道工作人员", "滨河街道"),
    "staff2": ("街道工作人员", "大南街道"),
    "roadchief": ("路长", "滨河街道"),
    "officer": ("职能部门人员", "城管执法"),
    "officer2": ("职能部门人员", "环卫"),
}

# Beyond DESIGN.md §6: an officer for each other department (username: department short name).
EXTRA_OFFICERS = {
    "officer-housing": "住建",
    "officer-traffic": "交警",
    "officer-market": "市场监管",
    "officer-centre": "城管中心",
    "officer-commerce": "商务",
}


def snapshot() -> dict[str, str]:
    """Every row of the demo's apps, many-to-many tables included, as serialized text."""
    return {
        model._meta.label: serializers.serialize("json", model._default_manager.order_by("pk"))
        for app in ("auth", "communities", "cases", "volunteers", "dashboard")
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
    }


def test_seed_demo_twice_changes_nothing(demo):
    first = snapshot()
    call_command("seed_demo", verbosity=0)
    assert snapshot() == first


def test_seed_demo_keeps_what_staff_changed_since(demo):
    category = Category.objects.get(code="zombie-car")
    category.resolve_hours = 96
    category.save()
    moved = BranchPairing.objects.filter(ends_on__isnull=True).first()
    moved_on = Drive.objects.get().starts_on + datetime.timedelta(days=12)
    moved.ends_on = moved_on
    moved.save()
    newcomer = PartyBranch.objects.create(name="沈河区新设党支部")
    BranchPairing.objects.create(
        branch=newcomer, community=moved.community, starts_on=moved_on + datetime.timedelta(days=1)
    )
    call_command("seed_demo", verbosity=0)
    assert Category.objects.get(code="zombie-car").resolve_hours == 96
    assert BranchPairing.objects.get(pk=moved.pk).ends_on == moved_on
    assert BranchPairing.objects.get(community=moved.community, ends_on__isnull=True).branch == newcomer


@pytest.mark.parametrize("username", ["staff", "officer-housing"])
def test_reset_passwords_brings_the_demo_accounts_back(demo, client, username):
    user = get_user_model().objects.get(username=username)
    user.set_password("changed-password-1")
    user.is_active = False
    user.save()
    call_command("seed_demo", verbosity=0)
    assert not client.login(username=username, password="shenhe-demo")
    call_command("seed_demo", "--reset-passwords", verbosity=0)
    assert client.login(username=username, password="shenhe-demo")


def test_demo_world_matches_the_drive(demo):
    drive = Drive.objects.get()
    # Running when first seeded: it began on a Tuesday some five weeks back, named as in the report.
    assert drive.name == f"{drive.starts_on.year} 环境整治攻坚月" and drive.starts_on.weekday() == 1
    assert 4 * 7 <= (timezone.localdate() - drive.starts_on).days <= 6 * 7 and drive.ends_on > timezone.localdate()
    assert list(Campaign.objects.filter(drive=drive).values_list("order", flat=True)) == [1, 2, 3, 4, 5, 6, 7]
    assert Community.objects.count() == 111
    assert PartyBranch.objects.count() == 111
    active = BranchPairing.objects.filter(ends_on__isnull=True)
    assert active.count() == 111
    assert active.values("community").distinct().count() == 111
    assert (
        Metric.objects.filter(
            code__in=[
                "road_repaired",
                "sidewalk_tiles",
                "steps",
                "stairwell_walls",
                "stairwells_cleaned",
                "posters_removed",
                "debris_piles_removed",
                "garbage_cleared",
                "zombie_cars_removed",
            ]
        ).count()
        == 9
    )
    # Every campaign has categories to file problems under.
    assert set(Category.objects.values_list("campaign__order", flat=True)) == {1, 2, 3, 4, 5, 6, 7}


def test_demo_accounts_have_the_promised_roles(demo):
    profiles = {p.user.username: p for p in StaffProfile.objects.select_related("user", "street", "department")}
    assert profiles["staff"].street != profiles["staff2"].street
    assert profiles["officer"].department.short_name == "城管执法"
    assert profiles["officer2"].department.short_name == "环卫"
    chief_roads = Road.objects.filter(road_chief=profiles["roadchief"].user)
    assert chief_roads.exists()
    assert {road.street for road in chief_roads} == {profiles["staff"].street}
    assert profiles["admin"].role == Role.ADMIN and profiles["admin"].user.is_superuser


def test_every_department_has_a_demo_officer(demo):
    officers = StaffProfile.objects.filter(role=Role.DEPT_OFFICER, user__username__in=[*DEMO_ACCOUNTS, *EXTRA_OFFICERS])
    departments = {profile.user.username: profile.department.short_name for profile in officers}
    assert departments == {"officer": "城管执法", "officer2": "环卫", **EXTRA_OFFICERS}
    assert set(departments.values()) == set(Department.objects.values_list("short_name", flat=True))


@pytest.mark.parametrize("username", [*DEMO_ACCOUNTS, *EXTRA_OFFICERS])
def test_every_demo_account_logs_in_and_lands_on_home(demo, client, username):
    response = client.post("/accounts/login/", {"username": username, "password": "shenhe-demo"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    content = response.content.decode()
    role_label, scope = DEMO_ACCOUNTS.get(username) or ("职能部门人员", EXTRA_OFFICERS[username])
    assert re.search(rf'data-testid="role">{role_label}<', content)
    assert re.search(rf'data-testid="scope">{scope}<', content)


# --- sample cases -------------------------------------------------------------------------------

# Events that record something on the case without moving it to another state.
STATE_KEEPING = {
    CaseAction.COMMENT,
    CaseAction.ADD_PHOTOS,
    CaseAction.ESCALATE,
    CaseAction.REQUEST_EXTENSION,
    CaseAction.APPROVE_EXTENSION,
}


def user(username: str):
    return get_user_model().objects.select_related("staff_profile").get(username=username)


def active_assignments(username: str, **filters):
    """Current assignments of the user's department."""
    department = user(username).staff_profile.department
    return Assignment.objects.filter(department=department, finished_at__isnull=True, **filters)


def test_sample_cases_cover_every_state_over_the_last_weeks(demo):
    assert 40 <= Case.objects.count() <= 70
    assert set(Case.objects.values_list("state", flat=True)) == set(CaseState.values)
    now = timezone.now()
    assert not Case.objects.filter(created_at__lt=now - datetime.timedelta(days=21)).exists()
    assert not CaseEvent.objects.filter(created_at__gt=now).exists()
    # Most are in the demo staff's street, and several streets have some.
    staff_street = user("staff").staff_profile.street
    assert Case.objects.filter(street=staff_street).count() > Case.objects.count() / 2
    assert Case.objects.values("street").distinct().count() >= 3
    # Numbers count up in the order the cases came in.
    numbers = list(Case.objects.order_by("created_at", "id").values_list("number", flat=True))
    assert numbers == sorted(numbers)


def test_every_case_history_is_a_chain_of_states_from_its_creation(demo):
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert events[0].action == CaseAction.CREATE and events[0].from_state == "", case.number
        assert [event.action for event in events].count(CaseAction.CREATE) == 1, case.number
        state = events[0].to_state
        for previous, event in itertools.pairwise(events):
            assert event.created_at >= previous.created_at, case.number
            assert event.from_state == state, (case.number, event.action)
            if event.action in STATE_KEEPING:
                assert event.to_state == event.from_state, (case.number, event.action)
            state = event.to_state
        assert state == case.state, case.number


def test_closed_cases_were_verified_and_resolutions_counted_in_the_tally(demo):
    for case in Case.objects.filter(state=CaseState.CLOSED):
        assert case.events.filter(action=CaseAction.VERIFY).exists(), case.number
    with_metrics = Case.objects.filter(
        state__in=(CaseState.RESOLVED, CaseState.CLOSED), category__metrics__isnull=False
    ).distinct()
    assert with_metrics.count() >= 10
    for case in with_metrics:
        codes = set(TallyEntry.objects.counted().filter(case=case).values_list("metric__code", flat=True))
        assert codes == set(case.category.metrics.values_list("code", flat=True)), case.number
    # A resolution sent for rework no longer counts; the fix after it does.
    reworked = Case.objects.get(rework_count=1)
    assert reworked.state == CaseState.CLOSED
    assert TallyEntry.objects.filter(case=reworked, voided_at__isnull=False).exists()


def test_every_tally_metric_has_work_from_finished_cases(demo):
    finished = TallyEntry.objects.counted().filter(
        case__state__in=(CaseState.RESOLVED, CaseState.CLOSED), quantity__gt=0
    )
    assert set(finished.values_list("metric__code", flat=True)) == set(Metric.objects.values_list("code", flat=True))


def test_every_department_with_an_officer_finished_a_case_it_leads(demo):
    officers = StaffProfile.objects.filter(role=Role.DEPT_OFFICER, department__isnull=False)
    for department in Department.objects.filter(pk__in=officers.values("department")):
        led = Assignment.objects.filter(department=department, role=AssignmentRole.LEAD)
        finished = led.filter(case__state__in=(CaseState.RESOLVED, CaseState.CLOSED))
        assert finished.exists(), department.short_name
        # Its officer took the steps: reported in and resolved.
        officer = officers.filter(department=department).values("user")
        for action in (CaseAction.REPORT_IN, CaseAction.RESOLVE):
            assert CaseEvent.objects.filter(
                case__in=finished.values("case"), action=action, actor__in=officer
            ).exists(), (department.short_name, action)


def test_sample_cases_have_photos_before_and_after(demo):
    before = Photo.objects.filter(stage=PhotoStage.BEFORE)
    after = Photo.objects.filter(stage=PhotoStage.AFTER)
    assert before.exists() and after.exists()
    photo = after.select_related("case").first()
    assert photo.image.storage.exists(photo.image.name) and photo.thumbnail.storage.exists(photo.thumbnail.name)
    assert (photo.width, photo.height) == (640, 480) and photo.image.size < 100_000
    for event in CaseEvent.objects.filter(action=CaseAction.RESOLVE, case__category__after_photo_required=True):
        assert event.photos.filter(stage=PhotoStage.AFTER).exists(), event.case.number
    # Street staff and road chiefs photograph what they file.
    for case in Case.objects.filter(source__in=(CaseSource.PATROL, CaseSource.WHISTLE)):
        assert case.photos.filter(stage=PhotoStage.BEFORE).exists(), case.number


def test_demo_accounts_find_work_in_their_queues(demo):
    staff_states = set(visible_to(user("staff")).values_list("state", flat=True))
    assert {CaseState.REGISTERED, CaseState.RESOLVED} <= staff_states
    assert visible_to(user("staff2")).count() >= 3
    assert visible_to(user("roadchief")).filter(whistle=True).exists()
    for officer in ("officer", "officer2"):
        waiting = active_assignments(officer, reported_in_at__isnull=True, case__state=CaseState.DISPATCHED)
        assert waiting.filter(role=AssignmentRole.LEAD).exists(), officer
        to_resolve = active_assignments(officer, role=AssignmentRole.LEAD, case__state=CaseState.IN_PROGRESS)
        assert to_resolve.exists(), officer
    # The report-in queue of `officer` has a case still within its deadline and one past it.
    waiting = Case.objects.filter(
        pk__in=active_assignments("officer", role=AssignmentRole.LEAD, reported_in_at__isnull=True).values("case")
    )
    assert waiting.filter(report_in_overdue_q()).exists()
    assert waiting.exclude(report_in_overdue_q()).exists()


def test_sample_cases_show_every_turn_of_the_loop(demo):
    reported = Case.objects.filter(state=CaseState.REPORTED, source__in=(CaseSource.HOTLINE, CaseSource.VOLUNTEER))
    assert reported.exclude(reporter_name="").exclude(reporter_phone="").count() >= 2
    duplicate = Case.objects.get(state=CaseState.REJECTED, duplicate_of__isnull=False)
    assert duplicate.duplicate_of.street == duplicate.street and duplicate.duplicate_of.category == duplicate.category
    assert Case.objects.filter(state=CaseState.REJECTED, duplicate_of__isnull=True).exists()
    assert Case.objects.filter(state=CaseState.IN_PROGRESS, extension_requested_until__isnull=False).exists()
    assert Case.objects.filter(extension_count=1, state=CaseState.IN_PROGRESS).exists()
    assert set(Case.objects.exclude(satisfaction="").values_list("satisfaction", flat=True)) == set(Satisfaction.values)
    assert Case.objects.filter(reopen_count=1).exists()
    for event in CaseEvent.objects.filter(action=CaseAction.SEND_BACK):
        later = event.case.events.filter(created_at__gt=event.created_at)
        assert later.filter(action=CaseAction.DISPATCH).exists(), event.case.number
    low, high = settings.DISTRICT_BOUNDS["latitude"]
    located = Case.objects.filter(latitude__isnull=False)
    assert located.count() >= 10
    assert all(low <= float(case.latitude) <= high for case in located)
    # Escalations of both deadlines, recorded at the end as `escalate_overdue` would.
    deadlines = set(CaseEvent.objects.filter(action=CaseAction.ESCALATE).values_list("data__deadline", flat=True))
    assert deadlines == {"report_in", "resolve"}


def test_road_chief_whistles_summon_departments(demo):
    whistles = Case.objects.filter(whistle=True, events__action=CaseAction.DISPATCH, events__actor=user("roadchief"))
    assert whistles.distinct().count() >= 2
    summoned = Assignment.objects.filter(case__in=whistles, role__in=(AssignmentRole.LEAD, AssignmentRole.ASSIST))
    assert summoned.filter(whistle=True, role=AssignmentRole.ASSIST).exists()
    lead_cases = summoned.filter(role=AssignmentRole.LEAD, reported_in_at__isnull=False).values("case")
    everyone_reported = summoned.filter(case__in=lead_cases).exclude(
        case__in=summoned.filter(reported_in_at__isnull=True).values("case")
    )
    assert everyone_reported.filter(role=AssignmentRole.ASSIST).exists()
    assert summoned.filter(case__in=lead_cases, role=AssignmentRole.ASSIST, reported_in_at__isnull=True).exists()


def test_a_second_run_adds_no_case_event_photo_or_tally_entry(demo):
    def counts():
        models = (Case, CaseEvent, Assignment, Photo, TallyEntry, Volunteer, Activity, Participation)
        return [model.objects.count() for model in models] + [
            TallyEntry.objects.counted().filter(activity__isnull=False).count(),
            Activity.cases.through.objects.count(),
        ]

    first = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == first


def test_the_summary_counts_the_volunteers_activities_and_people_times(demo):
    out = io.StringIO()
    with translation.override("en"):
        call_command("seed_demo", stdout=out)
    summary = out.getvalue()
    assert f"{Volunteer.objects.count()} volunteers" in summary
    assert f"{Activity.objects.count()} weekend activities ({Participation.objects.count()} people-times)" in summary


def test_the_demo_ships_jinhua_style_scoring_rules(demo):
    rule_set = ScoringRuleSet.objects.get()
    on_time = rule_set.rules.get(kind="department", label="按期结案率")
    assert (on_time.full_points, on_time.threshold, on_time.points_per_point) == (50, 70, 1)
    # 应结案数 already leaves deferred cases out (金华's 应结案数 − 缓办数): nothing is taken out twice.
    assert (on_time.denominator, on_time.denominator_minus) == ("due", "")
    assert rule_set.rules.get(kind="department", label="返工扣分").points_per_event == Decimal("0.2")
    assert rule_set.rules.filter(kind="street").exists()


def test_the_demo_has_a_supervised_case_and_a_road_repair_deferred_into_next_years_plan(demo):
    deferred = Case.objects.get(deferred_at__isnull=False)
    assert deferred.road is not None and "道路更新改造计划" in deferred.deferral_plan
    assert deferred.deferral_until.year == timezone.localdate().year + 1
    assert not Case.objects.filter(case_set_q("due", (None, None), timezone.now()), pk=deferred.pk).exists()
    supervised = Case.objects.get(supervised_at__isnull=False)
    assert CaseEvent.objects.filter(case=supervised, action=CaseAction.SUPERVISE, actor__username="leader").count() == 1
    assert Notification.objects.filter(case=supervised, kind=NotificationKind.SUPERVISE).exists()
