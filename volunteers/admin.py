from django.contrib import admin

from volunteers.models import BranchPairing, PartyBranch, Volunteer


class BranchPairingInline(admin.TabularInline):
    model = BranchPairing
    extra = 0
    fields = ["community", "kind", "starts_on", "ends_on"]
    autocomplete_fields = ["community"]


@admin.register(PartyBranch)
class PartyBranchAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "secretary", "member_count"]
    search_fields = ["name", "organisation", "secretary"]
    inlines = [BranchPairingInline]


@admin.register(BranchPairing)
class BranchPairingAdmin(admin.ModelAdmin):
    list_display = ["branch", "community", "kind", "starts_on", "ends_on"]
    list_filter = ["kind", "community__street", ("ends_on", admin.EmptyFieldListFilter)]
    search_fields = ["branch__name", "community__name"]
    list_select_related = ["branch", "community"]
    autocomplete_fields = ["branch", "community"]
    date_hierarchy = "starts_on"


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "community", "is_party_member", "branch", "joined_on"]
    list_filter = ["is_party_member", "community__street"]
    search_fields = ["name", "phone", "community__name", "branch__name", "skills"]
    list_select_related = ["community", "branch"]
    autocomplete_fields = ["community", "branch"]
