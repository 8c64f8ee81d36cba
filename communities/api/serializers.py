"""API shapes of the district's geography and organisation (reference data, read-only)."""

from __future__ import annotations

from rest_framework import serializers

from communities.models import Community, Department, Road, Street


class StreetSerializer(serializers.ModelSerializer):
    class Meta:
        model = Street
        fields = ["id", "name", "code"]


class CommunitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Community
        fields = ["id", "name", "code", "street", "households", "latitude", "longitude"]


class RoadSerializer(serializers.ModelSerializer):
    road_chief = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Road
        fields = ["id", "name", "section", "street", "road_chief"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "kind", "is_active"]
