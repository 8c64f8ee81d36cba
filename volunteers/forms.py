"""Forms of the volunteer pages: they parse input; the rules are in services.py."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Campaign, Case, Metric
from communities.models import Community
from communities.roles import AnyUser
from core.errors import DomainError
from core.filters import DAY_RANGE, FIRST_DAY, LAST_DAY
from core.forms import style_fields
from volunteers.choices import PairingKind
from volunteers.models import Activity, PartyBranch, Volunteer
from volunteers.permissions import managed_communities, volunteer_phone_for
from volunteers.services import HOURS_STEP, MAX_HOURS


def date_input() -> forms.DateInput:
    """A browser date picker; its value must be ISO (a localised 2021/08/28 leaves the picker empty)."""
    return forms.DateInput(
        attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}, format="%Y-%m-%d"
    )


CASE_NUMBER = re.compile(r"SH-\d{4}-\d{6}", re.IGNORECASE)


class ServiceErrorsMixin:
    """Show a refusal from services.py on the form: field errors at their fields, the rest at the top."""

    def add_service_error(self, error: DomainError) -> None:
        if not error.fields:
            self.add_error(None, str(error.message))
            return
        for field, messages in error.fields.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, str(message))


def community_field(user: AnyUser) -> forms.ModelChoiceField:
    """A choice of the communities the user manages, grouped by street in the label."""
    field = forms.ModelChoiceField(
        label=_("Community"), queryset=managed_communities(user).order_by("street__order", "name")
    )
    field.label_from_instance = lambda community: f"{community.street.name} · {community.name}"
    return field


class MaskedPhoneMixin:
    """A volunteer form whose phone field shows the phone as the user may see it (volunteer_phone_for).

    A user who may not see it in full (an administrator, DESIGN.md §4) sees it masked, and the masked
    value sent back keeps the stored phone; a new phone replaces it.
    """

    masked_phone: str | None = None

    def mask_phone_for(self, user: AnyUser) -> None:
        """Show the instance's phone as `user` may see it."""
        shown = volunteer_phone_for(user, self.instance) if self.instance.pk else None
        if shown is not None and shown != self.instance.phone:
            self.masked_phone = shown
            self.initial["phone"] = shown

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"]
        if self.masked_phone is not None and phone == self.masked_phone:
            return self.instance.phone
        return phone


class VolunteerForm(MaskedPhoneMixin, ServiceErrorsMixin, forms.ModelForm):
    """Register or edit a volunteer."""

    class Meta:
        model = Volunteer
        fields = ["name", "phone", "community", "is_party_member", "branch", "skills", "joined_on"]
        widgets = {
            "joined_on": date_input(),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"] = community_field(user)
        self.fields["branch"].queryset = PartyBranch.objects.order_by("name")
        self.fields["branch"].help_text = _("For party members: the branch they belong to.")
        self.fields["joined_on"].validators.extend(DAY_RANGE)  # the days the API and the date picker accept
        # An administrator edits any volunteer but sees their phone masked (DESIGN.md §4).
        self.mask_phone_for(user)
        style_fields(self)

    def _post_clean(self) -> None:
        # services.save_volunteer validates the model (and says who may change it).
        pass


class ActivityForm(ServiceErrorsMixin, forms.Form):
    """Record or correct an activity: when and where, what was done (the tally) and the cases it resolved."""

    title = forms.CharField(label=_("Title"), max_length=120)
    date = forms.DateField(label=_("Date"), widget=date_input(), validators=DAY_RANGE)
    start_time = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end_time = forms.TimeField(label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    community = forms.ModelChoiceField(label=_("Community"), queryset=Community.objects.none())
    campaign = forms.ModelChoiceField(label=_("Campaign"), queryset=Campaign.objects.none())
    branch = forms.ModelChoiceField(
        label=_("Organising branch"),
        queryset=PartyBranch.objects.order_by("name"),
        required=False,
        help_text=_("Leave empty for the branch paired with the community on that day."),
    )
    description = forms.CharField(
        label=_("What was done"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    cases = forms.CharField(
        label=_("Cases resolved"),
        required=False,
        max_length=2000,
        help_text=_("Numbers of resolved cases of this community the activity dealt with, e.g. SH-2021-000123."),
    )

    def __init__(self, *args: Any, user: AnyUser, activity: Activity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.activity = activity
        self.fields["community"] = community_field(user)
        self.fields["campaign"].queryset = Campaign.objects.select_related("drive").order_by(
            "-drive__starts_on", "order"
        )
        self.metrics = list(Metric.objects.order_by("order", "code"))
        for metric in self.metrics:
            self.fields[self.metric_field(metric)] = forms.DecimalField(
                label=f"{metric.name}（{metric.unit}）",
                required=False,
                max_digits=12,
                decimal_places=2,
                validators=[MinValueValidator(Decimal("0.01"))],
            )
        style_fields(self)

    @staticmethod
    def metric_field(metric: Metric) -> str:
        return f"tally_{metric.code}"

    @property
    def tally_fields(self) -> list[forms.BoundField]:
        return [self[self.metric_field(metric)] for metric in self.metrics]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        tally = {self.metric_field(metric) for metric in self.metrics}
        return [field for field in self if field.name not in tally]

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        """The form's values for an existing activity."""
        starts, ends = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
        initial = {
            "title": activity.title,
            "date": starts.date(),
            "start_time": starts.time().replace(second=0, microsecond=0),
            "end_time": ends.time().replace(second=0, microsecond=0),
            "community": activity.community_id,
            "campaign": activity.campaign_id,
            "branch": activity.branch_id,
            "description": activity.description,
            "cases": " ".join(case.number for case in activity.cases.order_by("number")),
        }
        for entry in activity.tally_entries.counted().select_related("metric"):
            initial[cls.metric_field(entry.metric)] = entry.quantity
        return initial

    def clean_cases(self) -> list[Case]:
        text = self.cleaned_data["cases"]
        numbers = [number.upper() for number in CASE_NUMBER.findall(text)]
        leftover = CASE_NUMBER.sub("", text).replace(",", " ").replace("，", " ").replace("、", " ").strip()
        if leftover:
            raise forms.ValidationError(gettext("“%(text)s” is not a case number.") % {"text": leftover.split()[0]})
        cases = {case.number: case for case in Case.objects.filter(number__in=numbers)}
        missing = [number for number in numbers if number not in cases]
        if missing:
            raise forms.ValidationError(gettext("No case has the number %(number)s.") % {"number": missing[0]})
        return list(cases.values())

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        day, start, end = data.get("date"), data.get("start_time"), data.get("end_time")
        if day and start and end:
            zone = timezone.get_current_timezone()
            data["starts_at"] = datetime.datetime.combine(day, start, zone)
            data["ends_at"] = datetime.datetime.combine(day, end, zone)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as services.save_activity takes it."""
        data = self.cleaned_data
        tally = {
            metric: data[self.metric_field(metric)]
            for metric in self.metrics
            if data.get(self.metric_field(metric)) is not None
        }
        return {
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "community": data["community"],
            "campaign": data["campaign"],
            "branch": data.get("branch"),
            "description": data.get("description", ""),
            "tally": tally,
            "cases": data["cases"],
        }


class ParticipantForm(forms.Form):
    """Credit one volunteer of the activity's street with hours."""

    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none())
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(HOURS_STEP), MaxValueValidator(MAX_HOURS)],
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24"}),
    )

    def __init__(self, *args: Any, activity: Activity, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = (
            Volunteer.objects.filter(community__street_id=activity.community.street_id)
            .select_related("community")
            .order_by("community__name", "name")
        )
        self.fields["volunteer"].label_from_instance = lambda volunteer: (
            f"{volunteer.name}（{volunteer.community.name}）"
        )
        style_fields(self)


class PairingForm(forms.Form):
    """Pair a branch with another community from a day (the current pairings end the day before)."""

    community = forms.ModelChoiceField(
        label=_("Community"), queryset=Community.objects.select_related("street").order_by("street__order", "name")
    )
    starts_on = forms.DateField(label=_("From"), widget=date_input(), validators=DAY_RANGE)
    kind = forms.ChoiceField(label=_("Kind"), choices=PairingKind.choices, initial=PairingKind.POINT_TO_POINT)
    # Set by the page's "move anyway" button once the user has seen which community the move leaves unpaired.
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["community"].label_from_instance = lambda community: f"{community.street.name} · {community.name}"
        style_fields(self)

    add_service_error = ServiceErrorsMixin.add_service_error
