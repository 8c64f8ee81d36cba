"""Community pages under /communities/: the list (with CSV/XLSX exports) and a community's profile."""

from django.urls import path

from shenhe_env.community_profile import views

app_name = "communities"

urlpatterns = [
    path("", views.CommunityListView.as_view(), name="community_list"),
    path("export.<str:file_format>", views.CommunityExportView.as_view(), name="community_export"),
    path("<int:pk>/", views.CommunityDetailView.as_view(), name="community_detail"),
]
