"""The leaders' dashboard (/dashboard/)."""

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("campaigns/<slug:slug>/", views.CampaignView.as_view(), name="campaign"),
    path("rankings/", views.RankingsView.as_view(), name="rankings"),
    path("bulletin/", views.BulletinView.as_view(), name="bulletin"),
    path("export/<slug:table>.<str:file_format>", views.ExportView.as_view(), name="export"),
]
