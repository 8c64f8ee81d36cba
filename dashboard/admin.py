"""The evaluation's scoring rules in the admin: versioned; a version a published month used is read-only."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from dashboard.evaluation import copy_rule_set
from dashboard.models import EvaluationMonth, ScoringRule, ScoringRuleSet


class ScoringRuleInline(admin.TabularInline):
    model = ScoringRule
    extra = 0
    fields = (
        "kind",
        "order",
        "label",
        "method",
        "numerator",
        "denominator",
        "denominator_minus",
        "full_points",
        "threshold",
        "points_per_point",
        "points_per_event",
    )

    def has_add_permission(self, request, obj=None) -> bool:
        return super().has_add_permission(request, obj) and not (obj and obj.is_used)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_used)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_used)


@admin.register(ScoringRuleSet)
class ScoringRuleSetAdmin(admin.ModelAdmin):
    list_display = ("__str__", "version", "created_at", "created_by")
    readonly_fields = ("version", "created_at", "created_by")
    fields = ("name", "version", "notes", "created_at", "created_by")
    inlines = [ScoringRuleInline]
    actions = ["copy_to_new_version"]

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_used)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_used)

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Copy to a new version (to edit the rules)"))
    def copy_to_new_version(self, request, queryset) -> None:
        for rule_set in queryset:
            copy = copy_rule_set(rule_set, request.user)
            self.message_user(request, _("Created %(rule_set)s.") % {"rule_set": copy}, messages.SUCCESS)


@admin.register(EvaluationMonth)
class EvaluationMonthAdmin(admin.ModelAdmin):
    """Published months, to look at: they are published from the evaluation page and never edited."""

    list_display = ("period", "kind", "status", "rule_set", "published_at", "published_by")
    list_filter = ("kind", "status")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
