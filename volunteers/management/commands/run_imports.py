"""`manage.py run_imports`: run the volunteer imports left waiting, e.g. after a server restart mid-import."""

from django.core.management.base import BaseCommand

from volunteers.imports import requeue_stale, run_queued


class Command(BaseCommand):
    # Plain text like Django's own commands: argparse cannot format a lazy translation.
    help = (
        "Run the volunteer and participant imports that are waiting (oldest first). With --stale, first put "
        "back in the queue the imports that stopped while checking or saving (their worker died); nothing of "
        "them was saved, so they run again from the start."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--stale",
            action="store_true",
            help="Also rerun imports stuck in checking or saving for more than ten minutes.",
        )

    def handle(self, *args, **options) -> None:
        if options["stale"]:
            requeued = requeue_stale()
            self.stdout.write(f"Requeued {len(requeued)} stopped import(s).")
        jobs = run_queued()
        for job in jobs:
            self.stdout.write(f"Import {job.pk} ({job.file_name}): {job.status}")
        self.stdout.write(self.style.SUCCESS(f"Ran {len(jobs)} import(s)."))
