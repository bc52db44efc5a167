"""Language: Chinese unless the user picked English.

Django's ``LocaleMiddleware`` follows the browser's Accept-Language, so an English
browser would get English pages before anyone chose. The team works in Chinese: the
UI is ``settings.LANGUAGE_CODE`` (zh-hans) until the user switches with the
``set_language`` view, which stores the choice in the language cookie. This middleware
takes the place of ``LocaleMiddleware`` in ``settings.MIDDLEWARE``.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


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
