from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from volunteers.forms import MaskedPhoneMixin
from volunteers.models import (
    Activity,
    BranchPairing,
    ImportJob,
    Participation,
    PartyBranch,
    Volunteer,
    periods_overlap,
)
from volunteers.permissions import volunteer_phone_for


class BranchPairingFormSet(BaseInlineFormSet):
    """A branch's pairings edited together must not overlap one another either."""

    def clean(self) -> None:
        super().clean()
        periods = [
            (form.cleaned_data["starts_on"], form.cleaned_data.get("ends_on"))
            for form in self.forms
            if form.cleaned_data.get("starts_on") and not form.cleaned_data.get("DELETE")
        ]
        for index, period in enumerate(periods):
            if any(periods_overlap(period, other) for other in periods[index + 1 :]):
                raise ValidationError(_("A branch can be paired with only one community at a time."))


class BranchPairingInline(admin.TabularInline):
    model = BranchPairing
    formset = BranchPairingFormSet
    extra = 0
    can_delete = False  # a pairing that ends gets an end date: the history is kept
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

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # end a pairing instead: who was paired when must stay answerable


@admin.register(Volunteer)
class VolunteerAdmin(admin.ModelAdmin):
    list_display = ["name", "phone", "community", "is_party_member", "branch", "joined_on"]
    list_filter = ["is_party_member", "community__street"]
    search_fields = ["name", "phone", "community__name", "branch__name", "skills"]
    list_select_related = ["community", "branch"]
    autocomplete_fields = ["community", "branch"]

    def get_list_display(self, request):
        # The phone column shows what the signed-in user may see (volunteer_phone_for), not the stored value.
        def phone(volunteer: Volunteer) -> str:
            return volunteer_phone_for(request.user, volunteer)

        phone.short_description = Volunteer._meta.get_field("phone").verbose_name
        phone.admin_order_field = "phone"
        return [phone if name == "phone" else name for name in super().get_list_display(request)]

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        user = request.user

        class VolunteerAdminForm(MaskedPhoneMixin, base):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.mask_phone_for(user)

        return VolunteerAdminForm


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["volunteer"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["title", "starts_at", "community", "campaign", "branch"]
    list_filter = ["campaign", "community__street"]
    search_fields = ["title", "description", "community__name", "branch__name"]
    list_select_related = ["community", "campaign", "branch"]
    autocomplete_fields = ["community", "branch"]
    date_hierarchy = "starts_at"
    inlines = [ParticipationInline]
    exclude = ["cases"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # an activity's hours and tally stay on the record


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Uploaded files and what became of them: a record, read-only."""

    list_display = [
        "file_name",
        "kind",
        "status",
        "total_rows",
        "created_count",
        "updated_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    search_fields = ["file_name", "created_by__username"]
    list_select_related = ["created_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False  # files come in through the import pages, which check them

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
