"""`manage.py escalate_overdue`: record an escalation for each deadline that has passed (run every few minutes)."""

from django.core.management.base import BaseCommand

from cases.workflow import escalate_overdue


class Command(BaseCommand):
    help = (
        "Record one escalation event for each overdue report-in or resolve deadline. "
        "A deadline already escalated is not escalated again, so the command can run as often as wanted."
    )

    def handle(self, *args, **options) -> None:
        recorded = escalate_overdue()
        self.stdout.write(f"Escalations recorded: {recorded}")
