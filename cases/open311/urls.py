"""Open311 GeoReport v2 (/open311/v2/)."""

app_name = "open311"

urlpatterns: list = []
