"""The key two URLs of one article share (pure): what dedupe compares, never what is stored.

Scrapers reach the same article as http or https, with or without `www.`, with a trailing
slash, a fragment or campaign parameters (`utm_*`, `fbclid`, ...); all of those are ignored.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

# Query parameters that track a click and never choose the article.
TRACKING_PARAMETERS = frozenset([
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "ttclid",
    "igshid", "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id",
    "oly_enc_id", "vero_id", "ref", "ref_src", "ref_url", "referrer", "cmpid", "ocid", "smid",
    "smtyp", "at_medium", "at_campaign", "ito", "s_cid", "spm", "share", "from",
])
_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_tracking_parameter(name: str) -> bool:
    """Return whether a query parameter only tracks the click (utm_source, fbclid, ...)."""
    name = name.lower()
    return name.startswith(("utm_", "__twitter_impression")) or name in TRACKING_PARAMETERS


def url_key(url: str) -> str:
    """Return the form of a URL that dedupe compares: host without www., path without its
    trailing slash, query without tracking parameters (sorted), no scheme, no fragment."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").rstrip(".").removeprefix("www.")
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    path = parts.path.rstrip("/")
    query = sorted((name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
                   if not is_tracking_parameter(name))
    return f"{host}{path}" + (f"?{urlencode(query)}" if query else "")
