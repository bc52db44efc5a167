"""URL converters for ids that come from outside (platform exports, the event collector), for every
app's URLs (the analysis pages, the review pages).

A product or store id may hold anything: ``/``, spaces, ``?``, ``#``, emoji, 500
characters. ``reverse()`` percent-encodes the value; this converter only has to keep it one
path segment. An id that contains ``/``, is a dot segment (``.``/``..``, which browsers
resolve away) or starts with the escape marker travels as ``~b64~`` + its URL-safe base64;
every other id stays readable in the URL.
"""

from __future__ import annotations

import base64
import binascii

ESCAPE = "~b64~"


class ExternalIdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        if value.startswith(ESCAPE):
            encoded = value[len(ESCAPE):]
            try:
                return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
                raise ValueError(f"not an encoded id: {value!r}") from exc
        return value

    def to_url(self, value) -> str:
        text = str(value)
        if not text:
            raise ValueError("an empty id has no URL")
        if "/" in text or text in (".", "..") or text.startswith(ESCAPE):
            return ESCAPE + base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")
        return text
