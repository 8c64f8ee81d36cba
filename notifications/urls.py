"""Notification pages: /notifications/ (the list), the bell fragment, mark read, settings."""

from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.NotificationListView.as_view(), name="list"),
    path("bell/", views.BellView.as_view(), name="bell"),
    path("read-all/", views.MarkAllReadView.as_view(), name="read_all"),
    path("settings/", views.NotificationSettingsView.as_view(), name="settings"),
    path("<int:pk>/open/", views.OpenView.as_view(), name="open"),
    path("<int:pk>/read/", views.MarkReadView.as_view(), name="read"),
]
