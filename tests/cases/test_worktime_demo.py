"""The demo's working-time calendar (a module of its own: the seeded demo would clash with `world`)."""

from django.core.management import call_command

from cases.choices import Clock
from cases.models import CalendarDay, Category


def test_the_demo_ships_the_calendar_and_puts_the_road_repairs_on_the_working_clock(demo):
    assert CalendarDay.objects.count() == 72
    assert set(Category.objects.filter(clock=Clock.WORKING).values_list("code", flat=True)) == {
        "damaged-road",
        "compound-road",
    }
    call_command("seed_demo", verbosity=0)  # a second run adds nothing
    assert CalendarDay.objects.count() == 72
