from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from communities.models import (
    Community,
    Compound,
    Department,
    FrontageUnit,
    Road,
    StaffProfile,
    Street,
)


class CommunityInline(admin.TabularInline):
    model = Community
    extra = 0
    fields = ["name", "code", "households"]
    show_change_link = True


@admin.register(Street)
class StreetAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "phone", "community_count", "order"]
    search_fields = ["name", "code"]
    inlines = [CommunityInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(community_total=Count("communities"))

    @admin.display(description=_("communities"), ordering="community_total")
    def community_count(self, obj: Street) -> int:
        return obj.community_total


class CompoundInline(admin.TabularInline):
    model = Compound
    extra = 0
    fields = ["name", "kind", "property_management", "stairwell_units", "address"]


@admin.register(Community)
class CommunityAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "code", "households"]
    list_filter = ["street"]
    search_fields = ["name", "code", "street__name"]
    list_select_related = ["street"]
    inlines = [CompoundInline]


@admin.register(Compound)
class CompoundAdmin(admin.ModelAdmin):
    list_display = ["name", "community", "kind", "property_management", "stairwell_units"]
    list_filter = ["kind", "property_management", "community__street"]
    search_fields = ["name", "address", "community__name"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]


class FrontageUnitInline(admin.TabularInline):
    model = FrontageUnit
    extra = 0
    fields = ["name", "address", "contact_person", "contact_phone"]


@admin.register(Road)
class RoadAdmin(admin.ModelAdmin):
    list_display = ["name", "street", "section", "road_chief"]
    list_filter = ["street"]
    search_fields = [
        "name",
        "section",
        "road_chief__username",
        "road_chief__last_name",
        "road_chief__first_name",
    ]
    list_select_related = ["street", "road_chief"]
    inlines = [FrontageUnitInline]


@admin.register(FrontageUnit)
class FrontageUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "road", "contact_person", "contact_phone"]
    list_filter = ["road__street"]
    search_fields = ["name", "address", "road__name"]
    list_select_related = ["road"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "contact_person", "contact_phone", "robot_kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]
    # Robot webhooks are HTTPS addresses; say so for one typed without a scheme (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "street", "department", "phone"]
    list_filter = ["role", "street", "department"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "phone"]
    list_select_related = ["user", "street", "department"]
    autocomplete_fields = ["user"]


class StaffProfileInline(admin.StackedInline):
    model = StaffProfile
    can_delete = False
    fields = ["role", "street", "department", "phone"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """The user admin with the drive role edited on the same page."""

    inlines = [StaffProfileInline]
    list_display = ["username", "last_name", "first_name", "role", "is_active", "is_staff"]
    list_filter = ["staff_profile__role", "is_active", "is_staff"]
    list_select_related = ["staff_profile"]

    @admin.display(description=_("role"), ordering="staff_profile__role")
    def role(self, obj) -> str:
        profile = getattr(obj, "staff_profile", None)
        return profile.get_role_display() if profile else "—"
