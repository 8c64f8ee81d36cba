from django.contrib import admin
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cases.models import (
    Assignment,
    CalendarDay,
    Campaign,
    Case,
    CaseEvent,
    Category,
    Drive,
    Metric,
    Open311ApiKey,
    Photo,
    TallyEntry,
)
from cases.permissions import reporter_phone_for


class CampaignInline(admin.TabularInline):
    model = Campaign
    extra = 0
    fields = ["order", "name", "slug", "starts_on", "ends_on"]


@admin.register(Drive)
class DriveAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on"]
    search_fields = ["name", "slug"]
    date_hierarchy = "starts_on"
    inlines = [CampaignInline]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "drive", "slug", "starts_on", "ends_on"]
    list_display_links = ["name"]
    list_filter = ["drive"]
    search_fields = ["name", "slug", "description"]
    list_select_related = ["drive"]


@admin.register(Metric)
class MetricAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "unit", "order"]
    search_fields = ["code", "name"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "name",
        "campaign",
        "default_department",
        "report_in_hours",
        "resolve_hours",
        "whistle_report_in_minutes",
        "clock",
        "after_photo_required",
        "is_active",
    ]
    list_filter = ["campaign", "default_department", "clock", "after_photo_required", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["campaign", "default_department"]
    filter_horizontal = ["metrics"]


class CalendarYearFilter(admin.SimpleListFilter):
    """The calendar by year: the years it lists, newest first."""

    title = _("year")
    parameter_name = "year"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, str]]:
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request: HttpRequest, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Public holidays and make-up workdays (调休), kept per year; `manage.py import_calendar` loads a file."""

    list_display = ["date", "weekday", "kind", "name"]
    list_filter = [CalendarYearFilter, "kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
    list_per_page = 200

    @admin.display(description=_("weekday"), ordering="date")
    def weekday(self, day: CalendarDay) -> str:
        return date_format(day.date, "l")


class ReadOnlyAdminMixin:
    """Case records change only through the workflow (one event per change) and are never deleted."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class AssignmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["department", "role", "whistle", "assigned_at", "report_in_due_at", "reported_in_at", "finished_at"]


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    extra = 0
    fields = ["created_at", "actor", "action", "from_state", "to_state", "note"]


class PhotoInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Photo
    extra = 0
    fields = ["stage", "image", "uploaded_by", "uploaded_at"]


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title", "state", "category", "street", "community", "source", "created_at"]
    list_filter = ["state", "campaign", "street", "source", "whistle"]
    search_fields = ["number", "title", "description", "address"]
    date_hierarchy = "created_at"
    list_select_related = ["category", "street", "community"]
    inlines = [AssignmentInline, PhotoInline, CaseEventInline]
    exclude = ["reporter_phone"]
    readonly_fields = ["shown_reporter_phone"]

    def get_object(self, request: HttpRequest, object_id: str, from_field=None):
        case = super().get_object(request, object_id, from_field)
        if case is not None:
            # The phone as this user may see it (reporter_phone_for), like on the case page and in the API.
            case.phone_as_shown = reporter_phone_for(request.user, case)
        return case

    @admin.display(description=_("reporter's phone"))
    def shown_reporter_phone(self, case: Case) -> str:
        return getattr(case, "phone_as_shown", "")


@admin.register(TallyEntry)
class TallyEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["date", "metric", "quantity", "community", "campaign", "case", "activity", "is_counted"]
    list_filter = ["campaign", "metric"]
    date_hierarchy = "date"
    list_select_related = ["metric", "community", "campaign", "case", "activity"]

    @admin.display(boolean=True, description=_("counted"))
    def is_counted(self, entry: TallyEntry) -> bool:
        return entry.voided_at is None


@admin.register(Open311ApiKey)
class Open311ApiKeyAdmin(admin.ModelAdmin):
    """Keys for outside systems posting Open311 requests; revoke by unticking "active" (never delete)."""

    list_display = ("name", "is_active", "created_at", "last_used_at")
    list_filter = ("is_active",)
    search_fields = ("name",)
    readonly_fields = ("key", "created_at", "last_used_at")
    fields = ("name", "key", "is_active", "created_at", "last_used_at")

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
