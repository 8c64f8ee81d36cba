"""Access mixins for the pages every member of staff shares (communities, volunteers), built on the role helpers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from communities.roles import is_staff_member


class StaffOnlyMixin(LoginRequiredMixin):
    """Signed-in members of staff only: anonymous users go to the login page, a user without a role gets the 403."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not is_staff_member(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
