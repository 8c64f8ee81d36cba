from django.contrib import admin

from cases.models import Campaign, Category, Drive, Metric


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
        "after_photo_required",
        "is_active",
    ]
    list_filter = ["campaign", "default_department", "after_photo_required", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["campaign", "default_department"]
    filter_horizontal = ["metrics"]
