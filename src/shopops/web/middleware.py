"""Language: Chinese unless the user picked English.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language, so an English
browser would get English pages before anyone chose. The team works in Chinese: the
UI is ``settings.LANGUAGE_CODE`` (zh-hans) until the user switches with the
``set_language`` view, which stores the choice in the language cookie. This middleware
takes the place of ``LocaleMiddleware`` in ``settings.MIDDLEWARE``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.cache import patch_vary_headers

from shopops.core.errors import ConfigurationError, ResourceBusy


def language_for_request(request) -> str:
    """The cookie's language when it is one of ``settings.LANGUAGES``, else ``LANGUAGE_CODE``."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class CookieLocaleMiddleware:
    """Activate the language from the cookie set by ``set_language``; never from Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(language_for_request(request))
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class ContentSecurityPolicyMiddleware:
    """Send ``settings.SHOPOPS_CSP`` as the Content-Security-Policy of every response.

    The default allows scripts from this site only — no inline ``<script>``, no ``on…=``
    handlers, no ``eval`` — so text that slips into a page as HTML cannot run. Pages pass data
    to their scripts through ``json_script`` elements and ``data-*`` attributes. ``"off"``
    disables the header; ``SHOPOPS_CSP_REPORT_ONLY`` sends it as report-only. A view that set
    its own policy keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = getattr(settings, "SHOPOPS_CSP", "")
        if policy and policy.lower() != "off":
            header = ("Content-Security-Policy-Report-Only" if getattr(settings, "SHOPOPS_CSP_REPORT_ONLY", False)
                      else "Content-Security-Policy")
            if "Content-Security-Policy" not in response.headers and header not in response.headers:
                response.headers[header] = policy
        return response


class RejectNulMiddleware:
    """Answer 400 to a query string holding a NUL character (``%00``).

    No filter value of any page can hold one, PostgreSQL refuses it in text, and DuckDB fails to
    parse a literal holding it: a view reading ``request.GET`` directly would turn it into a 500.
    Forms already refuse it (Django's ``ProhibitNullCharactersValidator``); this covers the rest.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in k or any("\x00" in v for v in request.GET.getlist(k)) for k in request.GET):
            return HttpResponseBadRequest(_("The address holds a NUL character, which no filter value may contain."),
                                          content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class WarehouseUnavailableMiddleware:
    """A page whose warehouse cannot be opened or stays busy answers 503 with the reason, not a 500.

    Pages built with ``ui.pages.ui_page`` say it in their own layout; a view that reads the warehouse
    directly (a plan's page, insights, the reviews, the chat KPIs, …) raised the connection's
    ``ConfigurationError`` (DuckDB held by another process, a warehouse URL that does not answer) or
    ``ResourceBusy`` as a 500. The API answers its own errors (``config.api``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ConfigurationError | ResourceBusy) or request.path.startswith("/api/"):
            return None
        logging.getLogger("shopops.web").warning("%s: the warehouse is unavailable", request.path, exc_info=exception)
        response = render(request, "503.html", {"detail": str(exception)}, status=503)
        response["Retry-After"] = "30"
        return response
