"""`manage.py import_calendar FILE`: add public holidays and make-up workdays to the working-time calendar."""

from django.core.management.base import BaseCommand, CommandError

from cases.calendar_import import CalendarImportError, import_calendar_file


class Command(BaseCommand):
    help = (
        "Import public holidays and make-up workdays (调休) from a CSV or XLSX file with the columns "
        "date, kind (holiday or workday) and name. One bad row imports nothing; importing again changes nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The .csv or .xlsx file, e.g. cases/data/calendar_cn.csv")

    def handle(self, *args, **options) -> None:
        try:
            result = import_calendar_file(options["file"])
        except CalendarImportError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"Calendar days added: {result.created}, changed: {result.updated}")
