"""Source names: which agency or site a report's URL is from; pure.

The one place that names a source: the importer writes the name into a new entry, and the site
model names the source of an entry that gives a URL without a name.
"""

from __future__ import annotations

import contextlib
from types import MappingProxyType
from typing import Mapping
from urllib.parse import urlsplit

# Source names of well-known hosts; a host also matches through its subdomains.
KNOWN_SOURCES: Mapping[str, str] = MappingProxyType({
    "sputniknews.com": "Sputnik", "sputnikglobe.com": "Sputnik", "tass.com": "TASS",
    "tass.ru": "TASS", "ria.ru": "RIA Novosti", "interfax.ru": "Interfax", "rt.com": "RT",
    "reuters.com": "Reuters", "apnews.com": "AP", "afp.com": "AFP", "bbc.co.uk": "BBC",
    "bbc.com": "BBC", "cnn.com": "CNN", "nytimes.com": "The New York Times",
    "washingtonpost.com": "The Washington Post", "wsj.com": "The Wall Street Journal",
    "theguardian.com": "The Guardian", "ft.com": "Financial Times", "bloomberg.com": "Bloomberg",
    "npr.org": "NPR", "dw.com": "DW", "france24.com": "France 24", "euronews.com": "Euronews",
    "aljazeera.com": "Al Jazeera", "xinhuanet.com": "Xinhua", "news.cn": "Xinhua",
    "globaltimes.cn": "Global Times", "chinadaily.com.cn": "China Daily", "cgtn.com": "CGTN",
    "scmp.com": "South China Morning Post", "kyivindependent.com": "The Kyiv Independent",
})
# Second-level labels under which a country-code domain registers names: example.co.uk.
_SECOND_LEVEL_LABELS = frozenset(["co", "com", "org", "net", "gov", "ac", "edu", "or", "ne", "go"])


def source_name(url: str, sources: Mapping[str, str] | None = None) -> str:
    """Return the name of the source a URL is from: the site's own name for its host (sources,
    host -> name, from the sources setting), else a well-known agency's (sputniknews.com ->
    'Sputnik'), else the host's registered name made readable (example-news.co.uk ->
    'Example News'); a host matches through its subdomains."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""
    host = host.removeprefix("www.")
    labels = host.split(".")
    for table in (sources or {}, KNOWN_SOURCES):
        for start in range(len(labels) - 1 if table is KNOWN_SOURCES else len(labels)):
            name = table.get(".".join(labels[start:]))
            if name:
                return name
    if host.replace(".", "").isdigit() or ":" in host:
        return host  # an IP address: nothing more readable to say
    return _readable_label(_registrable_label(labels))


def _registrable_label(labels: list[str]) -> str:
    """Return the label a domain was registered under: news in news.example.co.uk -> example."""
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL_LABELS:
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


def _readable_label(label: str) -> str:
    """Return a domain label as words: example-news -> 'Example News'."""
    if label.startswith("xn--"):
        with contextlib.suppress(UnicodeError):
            label = label.encode("ascii").decode("idna")
    words = label.replace("_", "-").split("-")
    return " ".join(word[:1].upper() + word[1:] for word in words if word)


def host_key(host: str) -> str:
    """Return a host name as source tables hold it: lowercase, without 'www.' or a final dot."""
    return host.strip().lower().rstrip(".").removeprefix("www.")
