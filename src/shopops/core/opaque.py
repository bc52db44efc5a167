"""Opaque keys: a few strings sealed into one URL-safe token that reveals nothing of them.

Used where a raw identifier must not appear in a URL or page (a customer's buyer id in the
link of the customer list), yet the server must get it back. Deterministic authenticated
encryption in the SIV style, built from HMAC-SHA256 only (no extra dependency): the
synthetic IV is an HMAC of the plaintext, the plaintext is XORed with an HMAC-counter
keystream seeded by that IV, and opening recomputes the IV and rejects any token whose IV
does not match (forged or from another key or purpose). The same value always gives the same
key, so links are stable; changing the secret invalidates old links (they get a 404).
Pure Python, no Django.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json

_IV_BYTES = 16


class OpaqueKeyError(ValueError):
    """A token that was not made by :func:`opaque_seal` with this secret and purpose."""


def _subkey(secret: str | bytes, purpose: str, use: bytes) -> bytes:
    raw = secret.encode("utf-8") if isinstance(secret, str) else secret
    return hmac.new(raw, b"shopops.opaque|" + purpose.encode("utf-8") + b"|" + use, hashlib.sha256).digest()


def _keystream(key: bytes, iv: bytes, length: int) -> bytes:
    out = bytearray()
    counter = 0
    while len(out) < length:
        out += hmac.new(key, iv + counter.to_bytes(8, "big"), hashlib.sha256).digest()
        counter += 1
    return bytes(out[:length])


def opaque_seal(values: tuple[str, ...], *, secret: str | bytes, purpose: str) -> str:
    """The token of ``values`` for ``purpose`` (URL-safe base64, no padding)."""
    plain = json.dumps(list(values), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    iv = hmac.new(_subkey(secret, purpose, b"iv"), plain, hashlib.sha256).digest()[:_IV_BYTES]
    body = bytes(a ^ b for a, b in zip(plain, _keystream(_subkey(secret, purpose, b"enc"), iv, len(plain))))
    return base64.urlsafe_b64encode(iv + body).decode("ascii").rstrip("=")


def opaque_open(token: str, *, secret: str | bytes, purpose: str) -> tuple[str, ...]:
    """The values sealed in ``token``, or :class:`OpaqueKeyError`."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError) as exc:
        raise OpaqueKeyError("not a key") from exc
    if len(raw) <= _IV_BYTES:
        raise OpaqueKeyError("not a key")
    iv, body = raw[:_IV_BYTES], raw[_IV_BYTES:]
    plain = bytes(a ^ b for a, b in zip(body, _keystream(_subkey(secret, purpose, b"enc"), iv, len(body))))
    expected = hmac.new(_subkey(secret, purpose, b"iv"), plain, hashlib.sha256).digest()[:_IV_BYTES]
    if not hmac.compare_digest(iv, expected):
        raise OpaqueKeyError("not a key")
    values = json.loads(plain.decode("utf-8"))
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise OpaqueKeyError("not a key")
    return tuple(values)
