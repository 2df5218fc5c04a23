"""Digests: the one way the build names bytes and values by their content; pure."""

from __future__ import annotations

import hashlib
from typing import Any


def digest_bytes(data: bytes) -> str:
    """Return a 128-bit hex digest of data."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def digest_text(text: str) -> str:
    """Return the digest of a text (lone surrogates from odd file names included)."""
    return digest_bytes(text.encode("utf-8", "surrogatepass"))


def digest_of(*values: Any) -> str:
    """Return the digest of the repr of values: plain data whose repr shows all of it."""
    return digest_text(repr(values))


def name_digest(text: str) -> str:
    """Return the SHA-256 hex digest of a text, for the suffixes that tell apart names people see
    (slugs of same-titled articles, tags that share a slug): stable across versions, as URLs
    must be, so never changed to another algorithm."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
