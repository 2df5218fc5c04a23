"""Text kept compressed in memory, decompressed each time it is read; pure.

An entry's rendered body (4.4 KB on average, two thirds of what the entries hold) is read by a
few outputs only, so the entries hold it as Zstandard level-1 bytes (2.8 times smaller) instead
of a str, and every worker forked from the build inherits the smaller copy.
"""

from __future__ import annotations

from typing import Any

import zstandard

# Reused, as making a (de)compression context for each 4 KB text costs more than using it.
# Stateless between calls, so sharing them is safe: the build runs one thread per process.
_COMPRESSOR = zstandard.ZstdCompressor(level=1, write_checksum=True)
_DECOMPRESSOR = zstandard.ZstdDecompressor()


def pack(text: str) -> bytes:
    """Return text as compressed UTF-8 (an empty text as no bytes at all)."""
    return _COMPRESSOR.compress(text.encode("utf-8", "surrogatepass")) if text else b""


def unpack(data: bytes) -> str:
    """Return the text that pack made data from."""
    return _DECOMPRESSOR.decompress(data).decode("utf-8", "surrogatepass") if data else ""


def check_packed(data: bytes, limit: int) -> None:
    """Raise ValueError unless data is empty or starts as pack makes it: a Zstandard frame
    that says how long its text is, at most limit bytes (only the header is read)."""
    if data:
        try:
            size = zstandard.get_frame_parameters(data).content_size
        except zstandard.ZstdError:
            raise ValueError("not a compressed text") from None
        if not 0 < size <= limit:
            raise ValueError("a compressed text of no or too great a length")


def packed(instance: Any, name: str) -> bytes:
    """Return the packed bytes of an instance's PackedText field, without unpacking them."""
    return instance.__dict__[name]


class PackedText:
    """A dataclass field whose value is a str to every reader, but is held packed in the
    instance's __dict__ under the field's name: what pickling, copying the __dict__ and
    comparing __dict__ values see. It is given text, or bytes that packed() returned."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: Any, owner: type | None = None) -> str:
        """Return the text; for the class (as dataclasses asks), the field's default ""."""
        if instance is None:
            return ""
        return unpack(instance.__dict__[self.name])

    def __set__(self, instance: Any, value: str | bytes) -> None:
        """Store text packed, or packed bytes as they are (a frozen dataclass's __init__ comes
        here too)."""
        if type(value) is str:
            value = pack(value)
        elif type(value) is not bytes:
            raise TypeError(f"{self.name} must be text, not {type(value).__name__}")
        instance.__dict__[self.name] = value
