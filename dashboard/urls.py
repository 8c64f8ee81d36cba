"""The leaders' dashboard (/dashboard/)."""

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("campaigns/<slug:slug>/", views.CampaignView.as_view(), name="campaign"),
    path("rankings/", views.RankingsView.as_view(), name="rankings"),
    path("bulletin/", views.BulletinView.as_view(), name="bulletin"),
    path("evaluation/", views.EvaluationView.as_view(), name="evaluation"),
    path("evaluation/export.<str:file_format>", views.EvaluationExportView.as_view(), name="evaluation_export"),
    path("export/<slug:table>.<str:file_format>", views.ExportView.as_view(), name="export"),
]
