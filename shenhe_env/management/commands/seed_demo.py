"""`manage.py seed_demo`: build (or bring back) the demo world of DESIGN.md §6; idempotent."""

import random

from django.core.management.base import BaseCommand
from django.db import transaction

from cases import demo as cases_demo
from communities import demo as communities_demo
from volunteers import demo as volunteers_demo


class Command(BaseCommand):
    help = (
        "Load the Shenhe demo data: streets, 111 communities and branches, campaigns, accounts. "
        "Rows that exist already are left as they are, so edits made since are kept."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give the seven demo accounts the demo password and their demo roles again.",
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
            drive, campaigns = cases_demo.seed_drive()
            metrics = cases_demo.seed_metrics()
            categories = cases_demo.seed_categories(campaigns, departments, metrics)
            branches = volunteers_demo.seed_branches(rng)
            pairings = volunteers_demo.seed_pairings(branches, communities)
            volunteers = volunteers_demo.seed_volunteers(branches, communities, rng)
            if options["reset_passwords"]:
                communities_demo.reset_demo_accounts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(streets)} streets, {len(communities)} communities, "
                f"{len(roads)} roads, {len(departments)} departments, {len(campaigns)} campaigns "
                f"of “{drive.name}”, {len(metrics)} metrics, {len(categories)} categories, "
                f"{len(branches)} party branches ({len(pairings)} paired), {len(volunteers)} volunteers, "
                f"{len(communities_demo.DEMO_ACCOUNTS)} demo accounts "
                f"(password {communities_demo.DEMO_PASSWORD})."
            )
        )
