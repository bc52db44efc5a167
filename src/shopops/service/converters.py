"""URL converter for ids from platform exports (product, review ids): one path segment whatever
they hold. Same encoding as ``shopops.web.converters.ExternalIdConverter`` (``~b64~`` + URL-safe
base64 for an id with ``/``, a dot segment or the marker), which service may not import (web is
above it in the layers)."""

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
