"""A URLconf with a view that fails, to see what a user gets from an unexpected error."""

from django.urls import include, path


def broken_view(request):
    raise RuntimeError("simulated failure")


urlpatterns = [path("broken/", broken_view), path("", include("shenhe_env.urls"))]
handler500 = "shenhe_env.views.server_error"
