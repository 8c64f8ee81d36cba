"""What every API endpoint shares: the one error format, pagination, throttles and token sign-in.

Errors (DESIGN.md §6): a JSON body `{"code", "message", "fields"?}` whatever failed — a workflow
refusal (core/errors.py), a DRF exception or a Django 404 — with the message in the request's
language.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle, SimpleRateThrottle
from rest_framework.views import APIView, exception_handler

from core.errors import DomainError

# DRF's exception codes → DESIGN.md §6 codes (anything not listed keeps DRF's own code).
CODES = {
    "invalid": "validation_error",
    "parse_error": "validation_error",
    "authentication_failed": "not_authenticated",
    "not_authenticated": "not_authenticated",
    "permission_denied": "forbidden",
    "not_found": "not_found",
    "throttled": "throttled",
}


class ApiError(exceptions.APIException):
    """A refusal with a §6 code that is not a workflow action's (e.g. idempotency_mismatch)."""

    def __init__(self, message: str, *, code: str, status_code: int, fields: dict | None = None) -> None:
        super().__init__(detail=message, code=code)
        self.status_code = status_code
        self.code_name = code
        self.fields = fields or {}


def _messages(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _fields(detail: Any) -> dict[str, list[str]]:
    """DRF's nested validation detail flattened to {field: [messages]} (nested keys joined by dots)."""
    fields: dict[str, list[str]] = {}
    for name, value in detail.items():
        if isinstance(value, dict):
            for inner, messages in _fields(value).items():
                fields[f"{name}.{inner}"] = messages
        else:
            fields[str(name)] = _messages(value)
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict[str, Any]:
    """The §6 error body."""
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = {name: [str(message) for message in messages] for name, messages in fields.items()}
    return body


def api_exception_handler(error: Exception, context: dict) -> Response | None:
    """Every failure of the API as {"code", "message", "fields"?} with the right status."""
    if isinstance(error, DomainError):
        return Response(error_body(error.code, str(error.message), error.fields), status=error.status_code)
    if isinstance(error, ApiError):
        return Response(error_body(error.code_name, str(error.detail), error.fields), status=error.status_code)
    if isinstance(error, DjangoValidationError):
        error = exceptions.ValidationError(error.messages)
    if isinstance(error, Http404):
        error = exceptions.NotFound(_("There is no such object, or you may not see it."))
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    response = exception_handler(error, context)
    if response is None:
        return None  # a real bug: Django's 500 handler answers (and logs it)
    detail = error.detail if isinstance(error, exceptions.APIException) else response.data
    if isinstance(error, exceptions.ValidationError):
        fields = _fields(detail) if isinstance(detail, dict) else {}
        general = fields.pop("non_field_errors", None) or ([] if fields else _messages(detail))
        if len(fields) == 1 and not general:
            message = next(iter(fields.values()))[0]
        else:
            message = general[0] if general else _("Please correct the marked fields.")
        body = error_body("validation_error", message, fields)
    else:
        code = error.get_codes() if isinstance(error, exceptions.APIException) else "error"
        code = code if isinstance(code, str) else "error"
        body = error_body(CODES.get(code, code), " ".join(_messages(detail)))
    if isinstance(error, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        response.status_code = status.HTTP_401_UNAUTHORIZED
        response["WWW-Authenticate"] = 'Token realm="api"'
    response.data = body
    return response


class UsernameThrottle(SimpleRateThrottle):
    """Sign-in attempts per username, wherever they come from (addresses change; the account does not)."""

    scope = "token_username"

    def get_cache_key(self, request, view):
        username = str(request.data.get("username", "")).strip().lower() if hasattr(request.data, "get") else ""
        if not username:
            return None
        # Hashed: a username may hold any character, a cache key may not.
        return self.cache_format % {"scope": self.scope, "ident": hashlib.sha256(username.encode()).hexdigest()}


TOKEN_RESPONSE = inline_serializer("Token", fields={"token": serializers.CharField()})


class ErrorSerializer(serializers.Serializer):
    """Every failure: a machine code, a message in the request's language, and field errors where there are any."""

    code = serializers.CharField(help_text="validation_error, not_authenticated, forbidden, not_found, …")
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)


class TokenSerializer(serializers.Serializer):
    """A username and password exchanged for the user's API token."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs: dict) -> dict:
        user = authenticate(self.context["request"], username=attrs["username"], password=attrs["password"])
        if user is None or not user.is_active:
            raise exceptions.AuthenticationFailed(_("Wrong username or password."))
        attrs["user"] = user
        return attrs


class TokenView(APIView):
    """POST username/password for a token (the same one until revoked); DELETE revokes the caller's token."""

    throttle_scope = "token"
    throttle_classes = [ScopedRateThrottle, UsernameThrottle]

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else []

    def get_authenticators(self):
        # Signing in needs no session and no CSRF token; revoking takes the token it revokes.
        return [] if getattr(self.request, "method", "POST") == "POST" else super().get_authenticators()

    @extend_schema(
        request=TokenSerializer,
        responses={
            200: TOKEN_RESPONSE,
            401: OpenApiResponse(ErrorSerializer, description="Wrong username or password."),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = TokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
