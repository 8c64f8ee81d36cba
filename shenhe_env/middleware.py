"""Site-wide middleware: the CSP header and the Chinese-first language choice."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ContentSecurityPolicyMiddleware:
    """Add the Content-Security-Policy header from settings to every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.CONTENT_SECURITY_POLICY:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Pages speak Simplified Chinese unless the user picked another language with the switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a district
    computer with an English browser would open in English. Pages follow only the language
    cookie that the switch sets; machine clients under API_PATH_PREFIXES keep the standard
    negotiation, so their error messages come in the language they ask for.
    """

    API_PATH_PREFIXES = ("/api/", "/open311/")

    def process_request(self, request: HttpRequest) -> None:
        if request.path.startswith(self.API_PATH_PREFIXES):
            super().process_request(request)
            return
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
        try:
            language = translation.get_supported_language_variant(language)
        except LookupError:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
