"""Request-body content encodings, shared by terminal and hub so they cannot drift.

gzip since protocol 1.1; bzip2 since 1.2: on application batches of a few hundred records it sends about a
quarter fewer bytes than gzip (bench/sync_bench.py measures both), which is a quarter more records through
a 256 kbit/s island link, for ~20 ms of CPU per batch. A 1.2 hub lists what it inflates in /health
`encodings`; the terminal picks the first of `PREFERENCE` the hub lists, else gzip for 1.1, else nothing.
Inflating is capped (`max_inflated`) so a small hostile body cannot expand into gigabytes.
"""
from __future__ import annotations

import bz2
import gzip
import zlib

IDENTITY, GZIP, BZIP2 = "identity", "gzip", "bzip2"
SUPPORTED = (BZIP2, GZIP)          # what this code inflates, in order of preference
PREFERENCE = SUPPORTED


class UnsupportedEncoding(ValueError):
    pass


class BadBody(ValueError):
    """The body does not decode with its declared encoding (corrupt, truncated, trailing bytes)."""


class InflatesTooFar(ValueError):
    pass


def encode(raw: bytes, encoding: str) -> bytes:
    if encoding == BZIP2:
        return bz2.compress(raw, 9)
    if encoding == GZIP:
        return gzip.compress(raw, compresslevel=6, mtime=0)
    if encoding == IDENTITY:
        return raw
    raise UnsupportedEncoding(encoding)


def decode(body: bytes, content_encoding: str, max_inflated: int) -> bytes:
    encoding = content_encoding.strip().lower() or IDENTITY
    if encoding == IDENTITY:
        return body
    if encoding == GZIP:
        inflater = zlib.decompressobj(wbits=31)   # the gzip container
        try:
            out = inflater.decompress(body, max_inflated + 1)
        except zlib.error:
            raise BadBody("body is not valid gzip") from None
    elif encoding == BZIP2:
        inflater = bz2.BZ2Decompressor()
        try:
            out = inflater.decompress(body, max_length=max_inflated + 1)
        except (OSError, ValueError):
            raise BadBody("body is not valid bzip2") from None
    else:
        raise UnsupportedEncoding(encoding)
    if len(out) > max_inflated:
        raise InflatesTooFar(encoding)
    if not inflater.eof or inflater.unused_data:
        raise BadBody(f"{encoding} body is truncated or has trailing data")
    return out


def choose(protocol: str, offered: object) -> str:
    """What to send a hub that reports `protocol` and lists `offered` encodings (None for a pre-1.2 hub)."""
    if isinstance(offered, list):
        for encoding in PREFERENCE:
            if encoding in offered:
                return encoding
    return GZIP if _at_least(protocol, (1, 1)) else IDENTITY


def _at_least(version: str, wanted: tuple[int, int]) -> bool:
    try:
        major, minor = (int(part) for part in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= wanted
