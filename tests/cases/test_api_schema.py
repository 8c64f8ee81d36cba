"""The OpenAPI schema: valid OpenAPI 3, and a property-based run (schemathesis) finds no server error and no
answer that contradicts the schema, signed in as the demo street staff."""

from __future__ import annotations

import pytest
import schemathesis
import yaml
from django.contrib.auth.models import User
from django.core import signals
from django.db import close_old_connections
from drf_spectacular.validation import validate_schema
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shenhe_env.wsgi import application
from tests.cases.test_api import REFERENCE_RESOURCES

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application).exclude(
    path="/api/v1/auth/token/",
    method="DELETE",  # revoking the token would sign the rest of the run out
)


def test_the_schema_is_valid_openapi_3_and_describes_every_resource(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    document = yaml.safe_load(response.content)
    validate_schema(document)  # against the OpenAPI 3 JSON schema drf-spectacular ships
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    for resource in ("cases", *REFERENCE_RESOURCES):
        assert f"/api/v1/{resource}/" in paths
    for action in (
        "accept",
        "reject",
        "dispatch",
        "report_in",
        "send_back",
        "resolve",
        "verify",
        "rework",
        "reopen",
        "request_extension",
        "approve_extension",
        "comment",
    ):
        operation = document["paths"][f"/api/v1/cases/{{number}}/{action}/"]["post"]
        assert {"200", "400", "403", "404", "409"} <= set(operation["responses"])
    assert {
        "/api/v1/cases/{number}/photos/",
        "/api/v1/cases/{number}/events/",
        "/api/v1/me/",
        "/api/v1/auth/token/",
    } <= paths


@pytest.fixture(autouse=True)
def _keep_the_tests_connection():
    """Schemathesis calls the real WSGI app, which closes the database connection after each request
    (request_finished → close_old_connections) — and with it the test's transaction on PostgreSQL.
    Django's own test client unhooks that handler the same way while it runs a request."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def staff_token(demo) -> str:
    token, _created = Token.objects.get_or_create(user=User.objects.get(username="staff"))
    return token.key


@schema.parametrize()
@hypothesis_settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_answer_against_the_schema(case, staff_token):
    case.call_and_validate(
        headers={"Authorization": f"Token {staff_token}"},
        checks=[not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance],
    )
