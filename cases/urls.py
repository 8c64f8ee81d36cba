"""Case pages (DESIGN.md §6): /cases/, /cases/new/, /cases/<number>/."""

from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="case_list"),
    path("export.<str:file_format>", views.CaseExportView.as_view(), name="case_export"),
    path("new/", views.CaseCreateView.as_view(), name="case_create"),
    path("inbox/", views.InboxView.as_view(), name="inbox"),
    path("deferred/", views.DeferralRegisterView.as_view(), name="deferred_register"),
    path("photos/<int:pk>/", views.PhotoView.as_view(), name="photo"),
    path("photos/<int:pk>/thumbnail/", views.PhotoView.as_view(), {"size": "thumbnail"}, name="photo_thumbnail"),
    path("<str:number>/", views.CaseDetailView.as_view(), name="case_detail"),
    path("<str:number>/<str:action>/", views.CaseActionView.as_view(), name="case_action"),
]
