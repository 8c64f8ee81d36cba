"""The API schema generator (a module of its own: DRF loads it while it loads its own views)."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

# Every operation can fail in these ways; the schema says so, in the one error format.
COMMON_ERRORS = {
    "400": "validation_error: a parameter or the body is wrong (see `fields`).",
    "401": "not_authenticated: no token or session, or a wrong one.",
    "403": "forbidden: you may not do this.",
    "404": "not_found: no such object, or you may not see it.",
    "405": "method_not_allowed: this path does not take this method.",
    "415": "unsupported_media_type: send JSON, a form or multipart as the operation says.",
    "429": "throttled: too many requests; retry after the `Retry-After` header.",
}


class ShenheAutoSchema(AutoSchema):
    """drf-spectacular's schema with the common error answers added to every operation."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        from core.api import ErrorSerializer  # imported late: DRF loads this module while loading itself

        for status_code, description in COMMON_ERRORS.items():
            if status_code not in responses:
                response = self._get_response_for_code(ErrorSerializer, status_code, direction=direction)
                response["description"] = description
                responses[status_code] = response
        return responses
