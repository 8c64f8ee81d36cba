"""Import pages: upload, progress and error report, templates (included at /volunteers/, namespace `volunteers`)."""

from django.urls import path

from volunteers import import_views

urlpatterns = [
    path("import/", import_views.VolunteerImportView.as_view(), name="volunteer_import"),
    path(
        "import/template/<str:kind>.<str:file_format>",
        import_views.ImportTemplateView.as_view(),
        name="import_template",
    ),
    path("activities/<int:pk>/import/", import_views.ParticipantImportView.as_view(), name="participant_import"),
    path("imports/", import_views.ImportListView.as_view(), name="import_list"),
    path("imports/<int:pk>/", import_views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/errors.<str:file_format>", import_views.ImportErrorsView.as_view(), name="import_errors"),
]
