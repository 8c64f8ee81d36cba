"""Open311 GeoReport v2 (/open311/v2/): each resource in .json or .xml; anything else is the spec's 404."""

from django.urls import re_path

from cases.open311 import views

app_name = "open311"

# The format is the extension after the last dot; the views answer 404 for one they do not serve.
FORMAT = r"\.(?P<fmt>[^/.]+)$"

urlpatterns = [
    re_path(r"^discovery" + FORMAT, views.DiscoveryView.as_view(), name="discovery"),
    re_path(r"^services" + FORMAT, views.ServicesView.as_view(), name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FORMAT, views.ServiceDefinitionView.as_view(), name="service"),
    re_path(r"^requests" + FORMAT, views.RequestsView.as_view(), name="requests"),
    re_path(r"^requests/(?P<number>[^/]+)" + FORMAT, views.RequestView.as_view(), name="request"),
    re_path(r"^(?P<path>.*)$", views.not_found, name="not_found"),
]
