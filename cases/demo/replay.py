"""Replays the demo stories through the real workflow and clock (`seed_cases`)."""

from __future__ import annotations

import datetime
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont

from cases import workflow
from cases.choices import CaseSource, PhotoStage
from cases.demo.stories import (
    COURTYARD_CATEGORIES,
    DEFAULT_RESOLVE_NOTE,
    RESOLVE_NOTES,
    STORIES,
    TALLY_RANGES,
    Start,
    Step,
    Story,
)
from cases.models import Case, CaseNumberSequence, Category
from communities.choices import CompoundKind
from communities.demo import person_name
from communities.models import Community, Compound, Department, FrontageUnit, Road, Street
from core import clock

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
    resident_of: Callable[[Community], tuple[str, str] | None]
    cases: dict[str, Case] = field(default_factory=dict)
    places: dict[str, _Place] = field(default_factory=dict)
    tallies: dict[int, dict[str, int | float]] = field(default_factory=dict)


def seed_cases(
    streets: dict[str, Street],
    departments: dict[str, Department],
    categories: list[Category],
    rng: random.Random,
    *,
    resident_of: Callable[[Community], tuple[str, str] | None] = lambda community: None,
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
        resident_of=resident_of,
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
    # A little jitter, only ever earlier, so the story still ends before midnight (Story's check).
    return moment - datetime.timedelta(minutes=rng.randint(0, 20))


def _play(story: Story, started: datetime.datetime, replay: _Replay) -> None:
    """File the story's case at `started` and take its steps, each at its own moment."""
    rng = replay.rng
    place = replay.places[story.same_place_as] if story.same_place_as else _place(story, replay)
    reporter_name, reporter_phone = ("", "") if story.by else _reporter(story, place, replay)
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


def _act(step: Step, case: Case, moment: datetime.datetime, replay: _Replay) -> Case:
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
    elif step.action == "supervise" and "days" in args:
        args["until"] = timezone.localdate(moment) + datetime.timedelta(days=args.pop("days"))
    elif step.action == "request_deferral" and args.pop("next_year", False):
        # Into next year's renewal plan: back on 1 April of next year.
        args["until"] = datetime.date(timezone.localdate(moment).year + 1, 4, 1)
    action: Callable[..., Case] = workflow.ACTIONS[step.action]
    return action(replay.users[step.actor], case, **args)


def _place(story: Story, replay: _Replay) -> _Place:
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


def _reporter(story: Story, place: _Place, replay: _Replay) -> tuple[str, str]:
    """The resident who reported the problem: a volunteer of the community (`resident_of`), or a caller."""
    rng = replay.rng
    if story.source == CaseSource.VOLUNTEER:
        volunteer = replay.resident_of(place.community)
        if volunteer is not None:
            return volunteer
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
