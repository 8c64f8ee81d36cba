"""Pages of the 1+1 mobilisation under /volunteers/: volunteers, branches, activities, leaderboards, imports."""

from django.urls import include, path

from volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.VolunteerListView.as_view(), name="volunteer_list"),
    path("export.<str:file_format>", views.VolunteerExportView.as_view(), name="volunteer_export"),
    path("new/", views.VolunteerFormView.as_view(), name="volunteer_create"),
    path("<int:pk>/", views.VolunteerDetailView.as_view(), name="volunteer_detail"),
    path("<int:pk>/edit/", views.VolunteerFormView.as_view(), name="volunteer_edit"),
    path("record/<str:token>/", views.VolunteerRecordView.as_view(), name="volunteer_record"),
    path("branches/", views.BranchListView.as_view(), name="branch_list"),
    path("branches/export.<str:file_format>", views.BranchExportView.as_view(), name="branch_export"),
    path("branches/<int:pk>/", views.BranchDetailView.as_view(), name="branch_detail"),
    path("branches/<int:pk>/pair/", views.BranchPairView.as_view(), name="branch_pair"),
    path("activities/", views.ActivityListView.as_view(), name="activity_list"),
    path("activities/export.<str:file_format>", views.ActivityExportView.as_view(), name="activity_export"),
    path("activities/new/", views.ActivityFormView.as_view(), name="activity_create"),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity_detail"),
    path("activities/<int:pk>/edit/", views.ActivityFormView.as_view(), name="activity_edit"),
    path("activities/<int:pk>/participants/", views.ParticipantAddView.as_view(), name="participant_add"),
    path(
        "activities/<int:pk>/participants/<int:participation>/remove/",
        views.ParticipantRemoveView.as_view(),
        name="participant_remove",
    ),
    path(
        "activities/<int:pk>/participants.<str:file_format>",
        views.ParticipantExportView.as_view(),
        name="participant_export",
    ),
    path("leaderboards/", views.LeaderboardView.as_view(), name="leaderboards"),
    path(
        "leaderboards/<str:board>.<str:file_format>", views.LeaderboardExportView.as_view(), name="leaderboard_export"
    ),
    # Imports (CSV / XLSX, checked whole before anything is saved): volunteers/import_urls.py.
    path("", include("volunteers.import_urls")),
]
