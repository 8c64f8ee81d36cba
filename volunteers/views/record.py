"""A volunteer's own record, opened from their personal link (no account)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views import View

from volunteers.models import Volunteer
from volunteers.queries import volunteer_record


class VolunteerRecordView(View):
    """A volunteer's own record, opened from the personal link their street sent them (no account needed)."""

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        volunteer = get_object_or_404(
            Volunteer.objects.select_related("community__street", "branch"), record_token=token
        )
        response = render(
            request,
            "volunteers/volunteer_record.html",
            {"volunteer": volunteer, "record": volunteer_record(volunteer)},
        )
        # The link is the key: keep it out of search engines and shared caches.
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "private, no-store"
        response["Referrer-Policy"] = "no-referrer"
        return response
