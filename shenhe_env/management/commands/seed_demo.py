"""`manage.py seed_demo`: build (or bring back) the demo world of DESIGN.md §6; idempotent."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from cases.demo import reference as case_reference
from cases.demo import replay as case_replay
from communities import demo as communities_demo
from dashboard import demo as dashboard_demo
from notifications import demo as notifications_demo
from volunteers import demo as volunteers_demo


class Command(BaseCommand):
    # Plain text like Django's own commands: argparse cannot format a lazy translation.
    help = (
        "Load the Shenhe demo data: streets, 111 communities and branches, campaigns, accounts, volunteers, "
        "weekend activities and sample cases. Rows that exist already are left as they are, so edits made "
        "since are kept; sample cases are only added to a database without any case."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help=(
                "Give the seven demo accounts of DESIGN.md §6 and the extra department officers "
                "the demo password and their demo roles again."
            ),
        )

    def handle(self, *args, **options) -> None:
        # A fixed seed makes a second run write the same values, so it changes nothing.
        rng = random.Random(20210824)
        with transaction.atomic():
            streets = communities_demo.seed_streets()
            communities = communities_demo.seed_communities(streets, rng)
            departments = communities_demo.seed_departments()
            users = communities_demo.seed_accounts(streets, departments)
            roads = communities_demo.seed_roads(streets, users, rng)
            drive, campaigns = case_reference.seed_drive()
            metrics = case_reference.seed_metrics()
            categories = case_reference.seed_categories(campaigns, departments, metrics)
            # Before the cases: the replayed dispatches of working-clock categories need the holidays.
            case_reference.seed_calendar()
            branches = volunteers_demo.seed_branches(rng)
            pairings = volunteers_demo.seed_pairings(branches, communities, drive)
            volunteers = volunteers_demo.seed_volunteers(branches, communities, drive, rng)
            volunteers += volunteers_demo.seed_more_volunteers(pairings, communities, drive, rng)
            # Planned before the cases: seeding cases draws from `rng` only on a database without
            # any, so a plan drawn after them would differ on a later run.
            plans = volunteers_demo.plan_activities(communities, drive, rng)
            # The cases' reporters, places, departments and actors are all in place by now.
            cases = case_replay.seed_cases(
                streets, departments, categories, rng, resident_of=volunteers_demo.volunteer_contact
            )
            # Last: a clean-up may claim a case it resolved.
            activities = volunteers_demo.seed_activities(plans, communities, users["admin"], campaigns, metrics)
            notifications_demo.settle_history()
            dashboard_demo.seed_rule_set()
            if options["reset_passwords"]:
                communities_demo.reset_demo_accounts()
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Demo data ready: %(streets)d streets, %(communities)d communities, %(roads)d roads, "
                    "%(departments)d departments, %(campaigns)d campaigns of “%(drive)s”, %(metrics)d metrics, "
                    "%(categories)d categories, %(branches)d party branches (%(pairings)d paired), "
                    "%(volunteers)d volunteers, %(activities)d weekend activities (%(people_times)d people-times), "
                    "%(cases)d cases, %(accounts)d demo accounts "
                    "(password %(password)s)."
                )
                % {
                    "streets": len(streets),
                    "communities": len(communities),
                    "roads": len(roads),
                    "departments": len(departments),
                    "campaigns": len(campaigns),
                    "drive": drive.name,
                    "metrics": len(metrics),
                    "categories": len(categories),
                    "branches": len(branches),
                    "pairings": len(pairings),
                    "volunteers": len(volunteers),
                    "activities": len(activities),
                    "people_times": volunteers_demo.participation_count(activities),
                    "cases": cases,
                    "accounts": len(communities_demo.DEMO_ACCOUNTS),
                    "password": communities_demo.DEMO_PASSWORD,
                }
            )
        )
