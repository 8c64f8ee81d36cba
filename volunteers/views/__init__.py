"""Pages of the 1+1 mobilisation, one module per entity: volunteers, record, branches, activities, leaderboards.

Views parse input, call permissions/queries/services and render; no rule lives here.
"""

from volunteers.views.activities import (
    ActivityDetailView,
    ActivityExportView,
    ActivityFormView,
    ActivityListView,
    ParticipantAddView,
    ParticipantExportView,
    ParticipantRemoveView,
    last_weekend_day,
)
from volunteers.views.branches import BranchDetailView, BranchExportView, BranchListView, BranchPairView
from volunteers.views.leaderboards import LeaderboardExportView, LeaderboardView
from volunteers.views.record import VolunteerRecordView
from volunteers.views.volunteers import VolunteerDetailView, VolunteerExportView, VolunteerFormView, VolunteerListView

__all__ = [
    "ActivityDetailView",
    "ActivityExportView",
    "ActivityFormView",
    "ActivityListView",
    "BranchDetailView",
    "BranchExportView",
    "BranchListView",
    "BranchPairView",
    "LeaderboardExportView",
    "LeaderboardView",
    "ParticipantAddView",
    "ParticipantExportView",
    "ParticipantRemoveView",
    "VolunteerDetailView",
    "VolunteerExportView",
    "VolunteerFormView",
    "VolunteerListView",
    "VolunteerRecordView",
    "last_weekend_day",
]
