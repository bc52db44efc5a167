"""Errors shopops raises on purpose, each with a message a user can act on."""

from __future__ import annotations


class ShopopsError(Exception):
    """Base class: an expected failure with a message meant for the user."""


class ConfigurationError(ShopopsError):
    """A setting or environment variable is missing or malformed."""


class ValidationError(ShopopsError):
    """Input was rejected; ``problems`` lists what and where."""

    def __init__(self, message: str, problems: list[dict] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class ResourceBusy(ShopopsError):
    """A shared resource (the warehouse writer, the app database) stayed busy too long; retry later."""
