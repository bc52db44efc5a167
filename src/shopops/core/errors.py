"""Errors shopops raises on purpose, each with a message a user can act on."""

from __future__ import annotations

from typing import TypeVar


class ShopopsError(Exception):
    """Base class: an expected failure with a message meant for the user.

    Modules without Django (the pure engines) cannot translate; they raise with :func:`translatable`,
    which keeps the English msgid and its values, and the page shows it in the reader's language
    (``shopops.ui.forms.error_text``).
    """

    msgid: str | None = None
    params: dict | None = None


class ConfigurationError(ShopopsError):
    """A setting or environment variable is missing or malformed."""


class ValidationError(ShopopsError):
    """Input was rejected; ``problems`` lists what and where."""

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ResourceBusy(ShopopsError):
    """A shared resource (the warehouse writer, the app database) stayed busy too long; retry later."""


E = TypeVar("E", bound=ShopopsError)


def translatable(cls: type[E], msgid: str, /, **params) -> E:
    """``cls(msgid % params)`` that remembers ``msgid`` and ``params`` so that a page can show it translated;
    the msgid is marked for the catalog by the caller (``_ = str`` marker in a pure module)."""
    error = cls(msgid % params)
    error.msgid, error.params = msgid, params
    return error
