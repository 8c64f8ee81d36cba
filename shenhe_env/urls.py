"""Root URLs: pages, admin, language switch and health check."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from shenhe_env import views

admin.site.site_header = _("Shenhe Environmental Remediation · Administration")
admin.site.site_title = _("Shenhe Environmental Remediation")
admin.site.index_title = _("Reference data and accounts")

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("cases/", include("cases.urls")),
    path("dashboard/", include("dashboard.urls")),
    path("communities/", include("shenhe_env.community_profile.urls")),
    path("volunteers/", include("volunteers.urls")),
    path("notifications/", include("notifications.urls")),
    path("api/v1/", include("shenhe_env.api_urls")),
    path("open311/v2/", include("cases.open311.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler400 = "shenhe_env.views.bad_request"
handler403 = "shenhe_env.views.permission_denied"
handler404 = "shenhe_env.views.page_not_found"
handler500 = "shenhe_env.views.server_error"
