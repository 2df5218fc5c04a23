"""Parse a raw scraped article, given its lines, into a RawArticle (pure: no I/O).

The format and every heuristic used here are described in docs/raw-format.md. The parser is
total and linear: any list of strings gives either a RawArticle or a SourceError.
"""

from __future__ import annotations

import datetime
import re
from urllib.parse import urlsplit

from ..core.errors import SourceError
from ..model.records import RawArticle

FORMAT_HINT = "a raw article starts with a line 'date YYYY-MM-DD URL', then the title"

_UTF8_BOM = b"\xef\xbb\xbf"
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_LINE_BREAK_BYTES_RE = re.compile(rb"\r\n|\r|\n")
# Characters that separate words or lines elsewhere: each becomes one ordinary space.
_SPACE_LIKE = "\t\n\r\x0b\x0c\x1c-\x1f\x85\u2028\u2029"
_SPACE_LIKE_RE = re.compile(f"[{_SPACE_LIKE}]")
# Other control characters and lone surrogates: scrape debris, dropped.
_CONTROL = "\x01-\x08\x0e-\x1b\x7f-\x84\x86-\x9f\ud800-\udfff"
_CONTROL_RE = re.compile(f"[{_CONTROL}]")
# Either of those, or a BOM.
_UNUSUAL_RE = re.compile(f"[{_SPACE_LIKE}{_CONTROL}\ufeff]")
# Month and day may have one digit, as people type them: 2023-5-9 is 9 May 2023.
_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
# A body line starting with one of these continues the line before it.
_CONTINUATION_STARTS = frozenset(".,;:!?)]}…»”")
# Sentence punctuation: never found in a keywords line.
_SENTENCE_RE = re.compile(r"[!?;\"“”„«»]|[.…](?:\s+[A-Z]|\s*$)|:\s")
_SENTENCE_END_RE = re.compile(r"[.!?…](?=\s)")
# Words that make a comma-separated phrase a clause of prose, not a keyword.
_CLAUSE_WORDS = frozenset("""
    which who whom whose that this these those there here when where while although though
    because since unless until whether however meanwhile also then than
    is are was were be been being has have had do does did will would shall should can
    could might must said says say told tells added according
    you he she we they me him her them his its our their my your
    not nor very just only even still yet if as
""".split())
_MAX_KEYWORD_WORDS = 6
_MAX_KEYWORD_CHARS = 60
_MIN_REPEAT_PROBE = 20
_MAX_PROBE = 200
# "BEIJING (Sputnik) - ", "MOSCOW, March 21 (Reuters) - ", "MOSCOW, March 21 (Xinhua) -- ",
# "MOSCOW, December 31. /TASS/. ", "WASHINGTON (AP) — ", "KYIV, Ukraine (AP) — ",
# "Moscow (AFP) - ", "МОСКВА, 30 дек — РИА Новости. ", "LONDON - " (docs/raw-format.md).
_DATELINE_RE = re.compile(
    r"(?P<place>[^\W\d_][\w.'’ ,-]{0,59}?)"
    r"(?:,\s{0,3}(?P<when>[^\W\d_]{3,9}\.?\s{1,3}\d{1,2}(?:,\s{0,3}\d{4})?"
    r"|\d{1,2}\s{1,3}[^\W\d_]{3,9}\.?(?:\s{1,3}\d{4})?))?"
    r"\.?\s{0,3}"
    r"(?:\((?P<agency>[^()]{1,40})\)\s{0,3}(?:--?|[–—:])|/(?P<slashed>[^/]{1,40})/\.?|--?|[–—])"
    r"\s"
)


def decode_raw(data: bytes, path: str) -> str:
    """Return the text of a raw file's bytes (UTF-8, optional BOM), or raise SourceError."""
    if b"\x00" in data:
        line = _line_of_offset(data, data.index(b"\x00"))
        raise SourceError(path, line, "the file is not text: it contains NUL bytes",
                          "raw articles must be UTF-8 text files, not binary or UTF-16 files")
    start = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = start + exc.start
        raise SourceError(path, _line_of_offset(data, offset), f"the file is not valid UTF-8 "
                          f"(byte 0x{data[offset]:02X} at offset {offset})",
                          "save the file as UTF-8") from None


def _line_of_offset(data: bytes, offset: int) -> int:
    """Return the 1-based line number of a byte offset, counting LF, CRLF and CR breaks."""
    return len(_LINE_BREAK_BYTES_RE.findall(data, 0, offset)) + 1


def split_raw_lines(text: str) -> list[str]:
    """Return the lines of text, breaking on LF, CRLF or CR only (so numbers match editors)."""
    return _LINE_BREAK_RE.split(text)


def clean_line(line: str) -> str:
    """Return line without BOMs, control characters or surrounding white space."""
    if _UNUSUAL_RE.search(line) is None:   # most lines: nothing to replace or drop
        return line.strip()
    line = _SPACE_LIKE_RE.sub(" ", line)
    line = _CONTROL_RE.sub("", line)
    return line.strip().lstrip("\ufeff").strip()


def parse_raw_article(lines: list[str], path: str) -> RawArticle:
    """Return the RawArticle in a raw file's lines, or raise SourceError naming the line."""
    numbered = _numbered_text_lines(lines, path)
    if not numbered:
        raise SourceError(path, None, "the file is empty", FORMAT_HINT)
    date_line_number, date_line = numbered[0]
    date, url = parse_date_line(date_line, path, date_line_number)
    texts = merge_continuations([text for _, text in numbered[1:]])
    if not texts:
        raise SourceError(path, date_line_number, "the article has no title",
                          "the line after the date line must be the title")
    title, lead, rest = texts[0], (texts[1] if len(texts) > 1 else ""), texts[2:]
    summary, keywords, paragraphs = split_summary_keywords_body(rest)
    return RawArticle(
        path=path, date=date, url=url, title=title, lead=lead, summary=summary,
        keywords=parse_keywords(keywords),
        dateline=find_dateline(paragraphs[0]) if paragraphs else "",
        paragraphs=tuple(paragraphs),
    )


def build_raw_article(path: str, line: int | None, *, date: str, url: str, title: str,
                      lead: str = "", summary: str = "", keywords: str = "",
                      paragraphs: list[str] | tuple[str, ...] = (), lang: str = "") -> RawArticle:
    """Return the RawArticle of one item of a feed or JSON Lines file, cleaned as a raw file's
    lines are, or raise SourceError at line."""
    date_text, url = clean_line(date), clean_line(url)
    if not date_text:
        raise SourceError(path, line, "the article has no date", "give it a date as YYYY-MM-DD")
    day = parse_date(date_text, path, line)
    if not url:
        raise SourceError(path, line, "the article has no source URL", "give it its http(s) URL")
    if not is_web_url(url) or any(char.isspace() for char in url):
        raise SourceError(path, line, f"source URL {_shorten(url)!r} is not an http(s) URL",
                          "expected e.g. https://example.com/news/article.html")
    title = clean_line(title)
    if not title:
        raise SourceError(path, line, "the article has no title", "give it a title")
    texts = [text for text in map(clean_line, paragraphs) if text]
    body = merge_continuations(texts)
    return RawArticle(
        path=path, date=day, url=url, title=title, lead=clean_line(lead),
        summary=clean_line(summary), keywords=parse_keywords(clean_line(keywords)),
        dateline=find_dateline(body[0]) if body else "", paragraphs=tuple(body), lang=lang,
    )


def _numbered_text_lines(lines: list[str], path: str) -> list[tuple[int, str]]:
    """Return (line number, cleaned text) for each line that is not blank."""
    numbered = []
    for number, line in enumerate(lines, start=1):
        if "\x00" in line:
            raise SourceError(path, number, "the file is not text: it contains NUL bytes",
                              "raw articles must be UTF-8 text files")
        text = clean_line(line)
        if text:
            numbered.append((number, text))
    return numbered


def parse_date_line(text: str, path: str, line: int) -> tuple[datetime.date, str]:
    """Return (date, url) from a 'date YYYY-MM-DD URL' line, or raise SourceError."""
    words = text.split()
    if words[0].lower() != "date":
        raise SourceError(path, line, f"expected a 'date YYYY-MM-DD URL' line, found "
                          f"{_shorten(text)!r}", FORMAT_HINT)
    if len(words) < 2:
        raise SourceError(path, line, "the date line has no date", "expected 'date YYYY-MM-DD URL'")
    date = parse_date(words[1], path, line)
    if len(words) < 3:
        raise SourceError(path, line, "the date line has no source URL",
                          "expected 'date YYYY-MM-DD URL'")
    if len(words) > 3:
        raise SourceError(path, line, f"unexpected text after the URL: {_shorten(words[3])!r}",
                          "expected 'date YYYY-MM-DD URL' with nothing after the URL")
    url = words[2]
    if not is_web_url(url):
        raise SourceError(path, line, f"source URL {_shorten(url)!r} is not an http(s) URL",
                          "expected e.g. https://example.com/news/article.html")
    return date, url


def parse_date(text: str, path: str, line: int | None) -> datetime.date:
    """Return the calendar date written as YYYY-MM-DD (or YYYY-M-D), or raise SourceError."""
    match = _DATE_RE.fullmatch(text)
    if not match:
        raise SourceError(path, line, f"date {_shorten(text)!r} is not in the form YYYY-MM-DD",
                          "e.g. 2022-12-31")
    try:
        return datetime.date(*map(int, match.groups()))
    except ValueError:
        raise SourceError(path, line, f"date '{text}' is not a calendar date",
                          "expected YYYY-MM-DD") from None


def is_web_url(text: str) -> bool:
    """Return whether text is an absolute http or https URL with a host name."""
    try:
        parts = urlsplit(text)
        return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _shorten(text: str, limit: int = 60) -> str:
    """Return text cut to limit characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit - 1] + "…"


def merge_continuations(texts: list[str]) -> list[str]:
    """Return texts with each line that starts with closing punctuation joined to the one before."""
    groups: list[list[str]] = []
    for text in texts:
        if groups and text[0] in _CONTINUATION_STARTS and _can_continue(groups[-1]):
            groups[-1].append(continuation_piece(groups[-1][-1], text))
        else:
            groups.append([text])
    return ["".join(group) for group in groups]


def _can_continue(group: list[str]) -> bool:
    """Return whether a line (as its pieces) may take a continuation: not a keywords list."""
    return len(group) > 1 or "," not in group[0] or not is_keywords_line(group[0])


def continuation_piece(before: str, after: str) -> str:
    """Return what to append to before to join after: 'heights' + '. The' -> '. The'."""
    if after[0] in ".,;:" and before.endswith(after[0]) and not after.startswith(after[0] * 2):
        after = after[1:].lstrip()
        return f" {after}" if after else ""
    return after


def split_summary_keywords_body(rest: list[str]) -> tuple[str, str, list[str]]:
    """Return (summary, keywords line, body paragraphs) from the lines after the lead."""
    if not rest:
        return "", "", []
    first, second = rest[0], (rest[1] if len(rest) > 1 else None)
    third = rest[2] if len(rest) > 2 else None
    if is_keywords_line(first) or is_keywords_before_dateline(first, second):
        return "", first, rest[1:]
    if find_dateline(first) or second is None:
        return "", "", rest
    if is_keywords_line(second) or is_keywords_before_dateline(second, third):
        return first, second, rest[2:]
    if find_dateline(second) or is_repeated_later(first, rest[1:]):
        return first, "", rest[1:]
    return "", "", rest


def is_keywords_line(text: str) -> bool:
    """Return whether text looks like 'russia, china, xi jinping': short phrases, no sentences."""
    items = [item.strip() for item in text.split(",")]
    items = [item for item in items if item]
    if not items or _SENTENCE_RE.search(text):
        return False
    if not all(map(_is_keyword_phrase, items)):
        return False
    capitals = [_first_letter_is_upper(item) for item in items]
    if len(items) >= 3:
        # "Russia, China, Xi Jinping" or "russia, china": prose capitalises only its first part.
        return all(capitals) or not any(capitals)
    # One or two phrases could as well be prose; accept them only when lower case.
    return not any(capitals) and (len(items) == 2 or len(items[0].split()) <= 4)


def is_keywords_before_dateline(text: str, following: str | None) -> bool:
    """Return whether text, in any mix of case, is a keywords line because a dateline follows.

    Agencies put the keywords right before the dateline paragraph, in whatever case their
    editors typed ('Xi Jinping, Vladimir Putin, Russia, china'); prose with commas still has
    clause words ('which', 'was', 'said') in some phrase, or ends as a sentence.
    """
    if following is None or not find_dateline(following) or find_dateline(text):
        return False
    items = [item.strip() for item in text.split(",")]
    items = [item for item in items if item]
    if len(items) < 2 or _SENTENCE_RE.search(text):
        return False
    return all(map(_is_keyword_phrase, items))


def _is_keyword_phrase(item: str) -> bool:
    """Return whether one comma-separated item may be a keyword: short, and no clause words
    in lower case ('WHO' and 'Who' may be names, 'who' is prose)."""
    words = item.split()
    return (len(item) <= _MAX_KEYWORD_CHARS and len(words) <= _MAX_KEYWORD_WORDS
            and _CLAUSE_WORDS.isdisjoint(words))


def _first_letter_is_upper(text: str) -> bool:
    """Return whether the first letter in text is an upper-case letter."""
    for char in text:
        if char.isalpha():
            return char.isupper()
    return False


def is_repeated_later(text: str, later: list[str]) -> bool:
    """Return whether the first sentence of text appears again in a later line."""
    match = _SENTENCE_END_RE.search(text, 0, _MAX_PROBE)
    probe = text[:match.end() if match else _MAX_PROBE]
    if len(probe) < _MIN_REPEAT_PROBE:
        return False
    return any(probe in line for line in later)


def find_dateline(paragraph: str) -> str:
    """Return the place of a dateline opening paragraph ('BEIJING (Sputnik) - ...'), or ''."""
    match = _DATELINE_RE.match(paragraph)
    if not match:
        return ""
    place_parts = match.group("place").split(",")
    parts = []
    for part in place_parts:  # "KYIV, Ukraine" -> "KYIV"
        if not part.strip() or any(char.islower() for char in part):
            break
        parts.append(part.strip())
    if not parts and (match.group("agency") or match.group("slashed")) \
            and all(_is_title_case(part) for part in place_parts):
        parts = [place_parts[0].strip()]  # AFP writes "Moscow (AFP) - "
    place = ", ".join(parts).strip(" -")
    return place if sum(char.isalpha() for char in place) >= 2 else ""


def _is_title_case(text: str) -> bool:
    """Return whether every word of text starts with a capital: 'Moscow', 'Buenos Aires'."""
    words = text.split()
    return bool(words) and all(_first_letter_is_upper(word) for word in words)


def parse_keywords(text: str) -> tuple[str, ...]:
    """Return the comma-separated keywords, trimmed, without empty items or case-folded repeats."""
    seen: set[str] = set()
    keywords = []
    for item in text.split(","):
        keyword = item.strip()
        folded = keyword.casefold()
        if keyword and folded not in seen:
            seen.add(folded)
            keywords.append(keyword)
    return tuple(keywords)
