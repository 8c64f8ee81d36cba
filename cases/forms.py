"""Page forms: they parse what the browser sends into the workflow's arguments; the rules stay in workflow.py."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import CaseState, PhotoStage, Priority, Satisfaction
from cases.models import Case, Category
from cases.permissions import always_whistles
from cases.queries import send_backs, suggested_lead_department_id
from cases.workflow import DUPLICATE_TARGET_RULE
from communities.choices import Role
from communities.models import Community, Compound, Department, FrontageUnit, Road, Street
from communities.roles import role_of
from core.errors import DomainError
from core.forms import ParentedSelect, parse_id, style_fields

MAX_PHOTOS = 9
# The hidden field of a page form's one-time token (templates draw it with {% form_token %}; views.py uses it).
FORM_TOKEN_FIELD = "form_token"


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that lets the user pick several photos at once."""

    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several uploaded files; the workflow checks each one is a real photo."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        files = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if len(files) > MAX_PHOTOS:
            raise forms.ValidationError(_("Choose at most %(count)s photos at a time.") % {"count": MAX_PHOTOS})
        return [super(PhotosField, self).clean(item, initial) for item in files]


REASON_LABEL = _("Reason")
NOTE_LABEL = _("Note")


def reason_field(label=REASON_LABEL, **kwargs: Any) -> forms.CharField:
    """A free-text field the workflow requires (it gives the message when it is empty)."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "required": True}),
        **kwargs,
    )


def note_field(label=NOTE_LABEL, **kwargs: Any) -> forms.CharField:
    """An optional free-text note."""
    return forms.CharField(
        label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}), **kwargs
    )


class WorkflowErrorsMixin:
    """Show a workflow refusal's field errors beside the fields (others above the form)."""

    def add_workflow_error(self, error: DomainError) -> None:
        """Attach the refusal's messages to this form."""
        if not error.fields:
            self.add_error(None, str(error.message))
            return
        for name, messages in error.fields.items():
            target = name if name in self.fields else None
            for message in messages:
                self.add_error(target, str(message))


# --- intake ------------------------------------------------------------------------------------


def categories_by_campaign() -> list[tuple[str, list[tuple[str, str]]]]:
    """Active categories as select choices grouped under their campaign."""
    groups: dict[str, list[tuple[str, str]]] = {}
    categories = Category.objects.filter(is_active=True).select_related("campaign").order_by("campaign__order", "code")
    for category in categories:
        groups.setdefault(category.campaign.name, []).append((category.code, category.name))
    return list(groups.items())


class CaseCreateForm(WorkflowErrorsMixin, forms.Form):
    """Intake: what staff see on patrol, where it is, who reported it and photos of it."""

    category = forms.ChoiceField(label=_("Category"))
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    street = forms.ModelChoiceField(label=_("Street"), queryset=Street.objects.none())
    community = forms.ModelChoiceField(
        label=_("Community"),
        queryset=Community.objects.none(),
        required=False,
        help_text=_("May stay empty for a problem on a road: choose the road (or the compound) instead."),
        widget=ParentedSelect(parent="street", key="street_id"),
    )
    compound = forms.ModelChoiceField(
        label=_("Compound or courtyard"),
        queryset=Compound.objects.none(),
        required=False,
        widget=ParentedSelect(parent="community", key="community_id"),
    )
    road = forms.ModelChoiceField(
        label=_("Road"),
        queryset=Road.objects.none(),
        required=False,
        widget=ParentedSelect(parent="street", key="street_id"),
    )
    frontage_unit = forms.ModelChoiceField(
        label=_("Frontage unit (门前三包)"), queryset=FrontageUnit.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"), max_digits=9, decimal_places=6, required=False, widget=forms.NumberInput({"step": "any"})
    )
    longitude = forms.DecimalField(
        label=_("Longitude"), max_digits=9, decimal_places=6, required=False, widget=forms.NumberInput({"step": "any"})
    )
    reporter_name = forms.CharField(label=_("Resident's name"), max_length=50, required=False)
    reporter_phone = forms.CharField(
        label=_("Resident's phone"), max_length=20, required=False, widget=forms.TextInput({"inputmode": "tel"})
    )
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    photos = PhotosField(label=_("Photos"))
    # A road chief may summon departments at once (吹哨): the case is filed and dispatched as a whistle.
    whistle_lead = forms.ModelChoiceField(
        label=_("Lead department"), queryset=Department.objects.none(), required=False
    )
    whistle_assist = forms.ModelMultipleChoiceField(
        label=_("Also summon"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, user, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.role = role_of(user)
        self.fields["category"].choices = [("", "---------"), *categories_by_campaign()]
        values = self.data if self.is_bound else self.initial
        # Each select offers only what the user may use, narrowed by the choice made in the one above it.
        streets = Street.objects.order_by("order", "name")
        if self.role in (Role.STREET_STAFF, Role.ROAD_CHIEF):
            streets = streets.filter(pk=user.staff_profile.street_id)
            self.fields["street"].initial = user.staff_profile.street_id
        self.fields["street"].queryset = streets
        street_id = _chosen(streets, values.get("street")) or self.fields["street"].initial
        communities = Community.objects.filter(street_id=street_id).order_by("name")
        self.fields["community"].queryset = communities
        community_id = _chosen(communities, values.get("community"))
        # Without a community, the street's compounds: the case takes its community from the compound.
        compounds = Compound.objects.filter(community__street_id=street_id) if community_id is None else None
        self.fields["compound"].queryset = (
            compounds if compounds is not None else Compound.objects.filter(community_id=community_id)
        ).order_by("community__name", "name")
        roads = Road.objects.filter(street_id=street_id).order_by("name", "section")
        if self.role == Role.ROAD_CHIEF:
            roads = roads.filter(road_chief=user)
        self.fields["road"].queryset = roads
        road_id = _chosen(roads, values.get("road"))
        self.fields["frontage_unit"].queryset = FrontageUnit.objects.filter(road_id=road_id).order_by("name")
        if self.role == Role.ROAD_CHIEF:
            departments = Department.objects.filter(is_active=True).order_by("name")
            self.fields["whistle_lead"].queryset = departments
            self.fields["whistle_assist"].queryset = departments
            # The whistle starts with the category's department as lead (site.js follows a change of category).
            self.fields["whistle_lead"].widget.attrs["data-follows-category"] = "category-departments"
            self.category_departments = dict(
                Category.objects.filter(is_active=True).values_list("code", "default_department_id")
            )
            category = Category.objects.filter(code=values.get("category") or "").first()
            if category is not None and not self.is_bound:
                self.fields["whistle_lead"].initial = category.default_department_id
        else:
            del self.fields["whistle_lead"], self.fields["whistle_assist"]
        style_fields(self)

    def clean_category(self) -> Category:
        category = Category.objects.select_related("campaign").filter(code=self.cleaned_data["category"]).first()
        if category is None:
            raise forms.ValidationError(_("Choose a category from the list."))
        return category

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        community = data.get("community")
        if community is not None and data.get("street") and community.street_id != data["street"].pk:
            self.add_error("community", _("Choose a community of the chosen street."))
        if data.get("whistle_assist") and not data.get("whistle_lead"):
            self.add_error("whistle_lead", _("Choose the lead department of the whistle."))
        return data

    def case_kwargs(self) -> dict[str, Any]:
        """The arguments of workflow.create_case."""
        data = self.cleaned_data
        names = ("title", "category", "community", "description", "compound", "road", "frontage_unit", "address")
        kwargs = {name: data.get(name) for name in names}
        kwargs.update(
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            reporter_name=data.get("reporter_name", ""),
            reporter_phone=data.get("reporter_phone", ""),
            priority=data.get("priority", ""),
            photos=data.get("photos") or [],
        )
        # A road chief may summon departments at once (吹哨): create_case dispatches as a whistle.
        lead = data.get("whistle_lead")
        if lead is not None:
            assist = [department for department in data.get("whistle_assist", []) if department != lead]
            kwargs.update(lead_department=lead, assist_departments=assist, whistle=True)
        return kwargs


def _chosen(queryset: QuerySet, value: Any) -> int | None:
    """The id chosen in a select if the select offers it, else None."""
    chosen = parse_id(value)
    if chosen is None:
        return None
    return queryset.filter(pk=chosen).values_list("pk", flat=True).first()


# --- actions on a case -------------------------------------------------------------------------


class ActionForm(WorkflowErrorsMixin, forms.Form):
    """The data of one workflow action; `workflow_kwargs()` is what the action function takes."""

    action: str = ""
    submit_label = _("Submit")
    button_class = "btn-primary"

    def __init__(self, *args: Any, case: Case, user, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", self.action)
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        self.setup()
        style_fields(self)

    def setup(self) -> None:
        """Adjust the fields to the case and the user (subclasses)."""

    def workflow_kwargs(self) -> dict[str, Any]:
        """The cleaned fields as the workflow function's keyword arguments."""
        return dict(self.cleaned_data)


class AcceptForm(ActionForm):
    action = "accept"
    submit_label = _("Accept the case")
    note = note_field()


class RejectForm(ActionForm):
    action = "reject"
    submit_label = _("Do not register")
    button_class = "btn-outline-danger"
    reason = reason_field()
    duplicate_of = forms.CharField(
        label=_("Duplicate of case number"),
        required=False,
        max_length=20,
        help_text=DUPLICATE_TARGET_RULE,
        widget=forms.TextInput(attrs={"list": "duplicate-candidates", "autocomplete": "off"}),
    )


class DispatchForm(ActionForm):
    action = "dispatch"
    submit_label = _("Dispatch")
    lead_department = forms.ModelChoiceField(label=_("Lead department"), queryset=Department.objects.none())
    assist_departments = forms.ModelMultipleChoiceField(
        label=_("Assisting departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    cc_departments = forms.ModelMultipleChoiceField(
        label=_("Copied departments"),
        queryset=Department.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    whistle = forms.BooleanField(
        label=_("Blow the whistle (吹哨): summoned departments report in within minutes"), required=False
    )
    note = note_field()

    def setup(self) -> None:
        departments = Department.objects.filter(is_active=True).order_by("name")
        for name in ("lead_department", "assist_departments", "cc_departments"):
            self.fields[name].queryset = departments
        # A case sent back does not go back to the department that refused it (whistles too).
        self.send_backs = send_backs(self.case) if self.case.state == CaseState.REGISTERED else []
        self.sent_back = self.send_backs[0] if self.send_backs else None
        self.fields["lead_department"].initial = suggested_lead_department_id(self.case, self.send_backs)
        if self.send_backs:
            names = "、".join(
                dict.fromkeys(event.department_name for event in self.send_backs if event.department_name)
            )
            self.fields["lead_department"].help_text = _("Sent back by: %(departments)s.") % {"departments": names}
        if always_whistles(self.user):
            del self.fields["whistle"]
            self.submit_label = _("Blow the whistle")


class ReportInForm(ActionForm):
    action = "report_in"
    submit_label = _("Report in (报到)")
    note = note_field()


class SendBackForm(ActionForm):
    action = "send_back"
    submit_label = _("Send back to the street")
    button_class = "btn-outline-danger"
    reason = reason_field()


class ResolveForm(ActionForm):
    action = "resolve"
    submit_label = _("Report as resolved")
    note = reason_field(label=_("What was done"))
    photos = PhotosField(label=_("Photos of the result"))

    def setup(self) -> None:
        self.metrics = list(self.case.category.metrics.all())
        for metric in self.metrics:
            self.fields[f"tally_{metric.code}"] = forms.DecimalField(
                label=f"{metric.name}（{metric.unit}）",
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
            )
        if self.case.category.after_photo_required:
            self.fields["photos"].help_text = _("This category needs a photo of the result.")

    def tally_fields(self) -> list[forms.BoundField]:
        """The quantity inputs, one per metric the category records."""
        return [self[f"tally_{metric.code}"] for metric in self.metrics]

    def workflow_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        tally = {metric.code: data.get(f"tally_{metric.code}") for metric in self.metrics}
        return {"note": data.get("note", ""), "photos": data.get("photos") or [], "tally": tally}


class VerifyForm(ActionForm):
    action = "verify"
    submit_label = _("Verify and close")
    button_class = "btn-success"
    satisfaction = forms.ChoiceField(
        label=_("Resident's satisfaction (call-back)"),
        choices=[("", _("Not recorded")), *Satisfaction.choices],
        required=False,
    )
    note = note_field()

    def setup(self) -> None:
        if not self.case.has_resident_reporter:
            del self.fields["satisfaction"]


class ReworkForm(ActionForm):
    action = "rework"
    submit_label = _("Send for rework")
    button_class = "btn-outline-danger"
    reason = reason_field()


class ReopenForm(ActionForm):
    action = "reopen"
    submit_label = _("Reopen")
    button_class = "btn-outline-danger"
    reason = reason_field()


class LocalDateTimeInput(forms.DateTimeInput):
    """The browser's date-and-time picker."""

    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RequestExtensionForm(ActionForm):
    action = "request_extension"
    submit_label = _("Request an extension")
    button_class = "btn-outline-secondary"
    until = forms.DateTimeField(
        label=_("New deadline"), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], widget=LocalDateTimeInput()
    )
    reason = reason_field()

    def setup(self) -> None:
        due = self.case.resolve_due_at
        if due is not None and due.year < datetime.MAXYEAR:
            self.fields["until"].initial = timezone.localtime(due + datetime.timedelta(days=1)).replace(
                second=0, microsecond=0
            )


class ApproveExtensionForm(ActionForm):
    action = "approve_extension"
    submit_label = _("Record the decision")
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Grant the new deadline")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    note = note_field(help_text=_("Required when refusing."))

    def workflow_kwargs(self) -> dict[str, Any]:
        return {"approve": self.cleaned_data["decision"] == "approve", "note": self.cleaned_data.get("note", "")}


class DateInput(forms.DateInput):
    """The browser's date picker."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class SuperviseForm(ActionForm):
    action = "supervise"
    submit_label = _("Supervise (督办)")
    button_class = "btn-outline-danger"
    note = reason_field(label=_("What the department is to do"))
    until = forms.DateField(label=_("To be done by"), required=False, input_formats=["%Y-%m-%d"], widget=DateInput())


class RequestDeferralForm(ActionForm):
    action = "request_deferral"
    submit_label = _("Request a deferral (缓办)")
    button_class = "btn-outline-secondary"
    reason = reason_field()
    plan = reason_field(label=_("Plan or project the work is deferred into"))
    until = forms.DateField(label=_("Back on"), input_formats=["%Y-%m-%d"], widget=DateInput())


class DecideDeferralForm(ActionForm):
    action = "decide_deferral"
    submit_label = _("Record the decision")
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Defer the case")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
        initial="approve",
    )
    note = note_field(help_text=_("Required when refusing."))

    def workflow_kwargs(self) -> dict[str, Any]:
        return {"approve": self.cleaned_data["decision"] == "approve", "note": self.cleaned_data.get("note", "")}


class CommentForm(ActionForm):
    action = "comment"
    submit_label = _("Add the note")
    button_class = "btn-outline-primary"
    note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "required": True}),
        help_text=_("Seen by everyone who can see this case; never shown to the resident."),
    )


class AddPhotosForm(ActionForm):
    action = "add_photos"
    submit_label = _("Add photos")
    button_class = "btn-outline-primary"
    photos = PhotosField(label=_("Photos"))
    stage = forms.ChoiceField(label=_("Shows"), choices=PhotoStage.choices, initial=PhotoStage.BEFORE)
    note = note_field()


ACTION_FORMS: dict[str, type[ActionForm]] = {
    form.action: form
    for form in (
        AcceptForm,
        RejectForm,
        DispatchForm,
        ReportInForm,
        SendBackForm,
        ResolveForm,
        VerifyForm,
        ReworkForm,
        ReopenForm,
        RequestExtensionForm,
        ApproveExtensionForm,
        SuperviseForm,
        RequestDeferralForm,
        DecideDeferralForm,
        CommentForm,
        AddPhotosForm,
    )
}


# The order of the forms on the case page: moving the case forward first, turning it back last.
ACTION_FORM_ORDER = (
    "accept",
    "dispatch",
    "report_in",
    "resolve",
    "verify",
    "approve_extension",
    "decide_deferral",
    "supervise",
    "reopen",
    "request_extension",
    "request_deferral",
    "rework",
    "send_back",
    "reject",
    "add_photos",
    "comment",
)
