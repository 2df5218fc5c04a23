"""Validators the tests run on generated files: Atom (jing + feedparser), Sitemaps (xmllint), HTML (vnu).

Each returns a list of problems, empty when the input is valid. A missing tool raises
MissingTool (a test error, never a skip): CI installs them all (see tests/tools/README.md).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Iterable
from urllib.parse import unquote

TESTS_DIR = Path(__file__).resolve().parent
SCHEMAS_DIR = TESTS_DIR / "schemas"
ATOM_SCHEMA = SCHEMAS_DIR / "atom.rnc"
SITEMAP_SCHEMA = SCHEMAS_DIR / "sitemap.xsd"
SITEINDEX_SCHEMA = SCHEMAS_DIR / "siteindex.xsd"
VNU_JAR = TESTS_DIR / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SITEMAP_MAX_URLS = 50_000
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
# RFC 3339 date-time: unlike xsd:dateTime, the offset is required.
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")  # T and Z uppercase (4287 3.3)
ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


class MissingTool(RuntimeError):
    """A validator's program is not installed; CI must install it."""


def _require(program: str, hint: str) -> str:
    """Return the path of program on PATH, or raise MissingTool with an install hint."""
    found = shutil.which(program)
    if not found:
        raise MissingTool(f"{program} is not installed ({hint})")
    return found


def _as_bytes(path_or_bytes: bytes | str | os.PathLike) -> bytes:
    """Return the bytes given, or the bytes of the file at the path given."""
    if isinstance(path_or_bytes, (bytes, bytearray)):
        return bytes(path_or_bytes)
    return Path(path_or_bytes).read_bytes()


def _run_on_bytes(command: list[str], data: bytes, suffix: str) -> tuple[int, str, str, str]:
    """Run command with a temporary file holding data appended; return (rc, stdout, stderr, path)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "input" + suffix)
        Path(path).write_bytes(data)
        done = subprocess.run(command + [path], capture_output=True, text=True, timeout=600)
        return done.returncode, done.stdout, done.stderr, path


# --- Atom --------------------------------------------------------------------------------------

def _jing_errors(paths: list[Path]) -> dict[Path, list[str]]:
    """Return path -> jing's complaints against RFC 4287's RELAX NG schema, all files in one JVM."""
    jing = _require("jing", "apt-get install jing")
    done = subprocess.run([jing, "-c", str(ATOM_SCHEMA), *map(str, paths)],
                          capture_output=True, text=True, timeout=1800)
    found: dict[Path, list[str]] = {path: [] for path in paths}
    for line in (done.stdout + done.stderr).splitlines():
        if not line.strip() or line.startswith("[warning]"):       # the Debian wrapper's noise
            continue
        owner = next((p for p in paths if line.startswith(f"{p}:")), None)
        for path in [owner] if owner else paths:                   # a schema error hits them all
            found[path].append("jing: " + (line[len(str(owner)) + 1:] if owner else line))
    if done.returncode != 0 and not any(found.values()):
        for path in paths:
            found[path].append(f"jing: exited with status {done.returncode}")
    return found


def _feedparser_errors(data: bytes) -> list[str]:
    """Return feedparser's complaint (bozo) about data, if it has one."""
    try:
        import feedparser
    except ImportError as exc:
        raise MissingTool("feedparser is not installed (pip install feedparser)") from exc
    parsed = feedparser.parse(io.BytesIO(data))   # bytes in a stream: never read as a URL or path
    if parsed.bozo:
        return [f"feedparser: {parsed.bozo_exception!r}"]
    if parsed.version != "atom10":
        return [f"feedparser: read as {parsed.version or 'nothing'}, not Atom 1.0"]
    return []


def _rule_errors(data: bytes) -> list[str]:
    """Return breaches of the RFC 4287 rules its RELAX NG schema cannot express."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    if root.tag != f"{ATOM}feed":
        return []                                     # jing reports the wrong root
    errors = []
    entries = root.findall(f"{ATOM}entry")
    if root.find(f"{ATOM}author") is None and any(e.find(f"{ATOM}author") is None for e in entries):
        errors.append("RFC 4287 4.1.1: the feed has no author and some entries have none")
    for element in root.iter():
        if element.tag in (f"{ATOM}updated", f"{ATOM}published") and not RFC3339.fullmatch(
                (element.text or "").strip()):
            errors.append(f"RFC 4287 3.3: {element.text!r} is not an RFC 3339 date-time with offset")
        if element.tag == f"{ATOM}id" and not ABSOLUTE_IRI.fullmatch((element.text or "").strip()):
            errors.append(f"RFC 4287 4.2.6: id {element.text!r} is not an absolute IRI")
    ids = [(e.findtext(f"{ATOM}id") or "").strip() for e in entries]
    errors += [f"RFC 4287 4.2.6: entry id {i!r} appears twice" for i in sorted(set(ids))
               if ids.count(i) > 1]
    for entry in entries:
        links = entry.findall(f"{ATOM}link")
        if entry.find(f"{ATOM}content") is None and not any(
                link.get("rel", "alternate") == "alternate" for link in links):
            errors.append("RFC 4287 4.1.2: an entry has neither content nor an alternate link")
    return errors


def _atom_problems(paths: list[Path]) -> dict[Path, list[str]]:
    """Return path -> every problem jing, feedparser and the RFC's own rules find in that feed."""
    found = _jing_errors(paths)
    for path in paths:
        data = path.read_bytes()
        found[path] += _feedparser_errors(data) + _rule_errors(data)
    return found


def validate_atom(path_or_bytes: bytes | str | os.PathLike) -> list[str]:
    """Return every problem jing (RFC 4287 schema), feedparser and the RFC's own rules find."""
    if isinstance(path_or_bytes, (bytes, bytearray)):
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder, "feed.xml")
            path.write_bytes(path_or_bytes)
            return _atom_problems([path])[path]
    path = Path(path_or_bytes).resolve()
    return _atom_problems([path])[path]


def validate_atom_files(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Return 'path: problem' for every problem in the feeds at paths, checked in one JVM."""
    files = [Path(p).resolve() for p in paths]
    if not files:
        return []
    return [f"{path}: {problem}" for path, problems in _atom_problems(files).items()
            for problem in problems]


# --- Sitemaps ----------------------------------------------------------------------------------

def validate_sitemap(path_or_bytes: bytes | str | os.PathLike) -> list[str]:
    """Return the problems xmllint finds against the sitemaps.org XSDs, plus the protocol's limits."""
    data = _as_bytes(path_or_bytes)
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        return [f"not well-formed XML: {exc}"]
    schemas = {f"{SITEMAP}urlset": SITEMAP_SCHEMA, f"{SITEMAP}sitemapindex": SITEINDEX_SCHEMA}
    if root.tag not in schemas:
        return [f"root element {root.tag!r} is neither a sitemaps.org urlset nor a sitemapindex"]
    xmllint = _require("xmllint", "apt-get install libxml2-utils")
    rc, out, err, path = _run_on_bytes(
        [xmllint, "--noout", "--nonet", "--schema", str(schemas[root.tag])], data, ".xml")
    errors = [line.replace(path, "sitemap") for line in (out + err).splitlines()
              if line.strip() and not line.endswith(" validates")]
    if rc != 0 and not errors:
        errors = [f"xmllint exited with status {rc}"]
    errors = [f"xmllint: {line}" for line in errors]
    if len(root) > SITEMAP_MAX_URLS:
        errors.append(f"{len(root)} entries: the protocol allows at most {SITEMAP_MAX_URLS}")
    if len(data) > SITEMAP_MAX_BYTES:
        errors.append(f"{len(data)} bytes: the protocol allows at most {SITEMAP_MAX_BYTES}")
    return errors


# --- HTML --------------------------------------------------------------------------------------

def validate_html(paths: Iterable[str | os.PathLike]) -> list[str]:
    """Return the Nu HTML Checker's errors for all the files, as 'path:line: message', in one JVM."""
    files = [str(Path(p)) for p in paths]
    if not files:
        return []
    java = _require("java", "apt-get install default-jre-headless")
    if not VNU_JAR.is_file():
        raise MissingTool(f"{VNU_JAR} is missing (npm ci --prefix tests/tools)")
    done = subprocess.run([java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *files],
                          capture_output=True, text=True, timeout=1800)
    report = done.stderr + done.stdout
    try:                                     # the JVM may print notes before vnu's JSON
        messages = json.JSONDecoder().raw_decode(report[report.index("{"):])[0]["messages"]
    except (ValueError, KeyError) as exc:
        raise RuntimeError(f"vnu gave no JSON report (status {done.returncode}): {report[:500]}") from exc
    errors = []
    for message in messages:
        if message.get("type") == "info":
            continue
        where = unquote(message.get("url", "?").removeprefix("file:"))
        line = message.get("lastLine") or message.get("firstLine")
        where = f"{where}:{line}" if line else where
        errors.append(f"{where}: {message.get('message', message)}")
    if done.returncode != 0 and not errors:
        errors.append(f"vnu exited with status {done.returncode} without a message")
    return errors
