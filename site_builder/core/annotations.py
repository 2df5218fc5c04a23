"""GitHub Actions workflow commands and step summaries for problems and builds (pure).

GitHub shows `::error file=F,line=N::message` lines of a job's output beside the file on the
run's summary page. The escapes follow the Actions toolkit: data escapes `%`, CR and LF;
properties also escape `:` and `,`.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping

from .errors import SitegenError, SourceError

SUMMARY_SHOWN = 50   # skipped files a step summary lists by name
# "path:line: message" or "path: message", as SourceError and the checks format problems.
_LOCATED = re.compile(r"(?P<file>[^\s:]+)(?::(?P<line>\d+))?: (?P<message>.+)", re.DOTALL)


def is_github_actions(environ: Mapping[str, str]) -> bool:
    """Return whether the process runs as a step of a GitHub Actions job."""
    return environ.get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """Return text escaped as the message of a workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Return text escaped as a property value (file=, line=) of a workflow command."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def locate(problem: str | SitegenError) -> tuple[str | None, int | None, str]:
    """Return (file, line, message) of a problem: a SourceError's own fields, else read from a
    'path:line: message' text; (None, None, text) when it names no file."""
    if isinstance(problem, SourceError):
        return problem.path, problem.line, problem.format().split(": ", 1)[1]
    text = str(problem)
    found = _LOCATED.fullmatch(text)
    if not found:
        return None, None, text
    line = int(found["line"]) if found["line"] else None
    return found["file"], line, found["message"]


def workflow_command(kind: str, problem: str | SitegenError) -> str:
    """Return the workflow command ('error' or 'warning') that annotates a problem; a
    message's own 'warning: ' is left out, as the command says it."""
    path, line, message = locate(problem)
    message = message.removeprefix(f"{kind}: ")
    properties = []
    if path is not None:
        properties.append(f"file={escape_property(path)}")
        if line is not None:
            properties.append(f"line={line}")
    head = f"::{kind} {','.join(properties)}::" if properties else f"::{kind}::"
    return head + escape_data(message)


def failure_summary(failure: SitegenError) -> str:
    """Return the Markdown a failed build adds to the job's step summary."""
    errors = getattr(failure, "errors", [])    # a BuildFailed carries them
    lines = ["### sitegen build failed", "", f"- {failure}"]
    lines += [_summary_item(error) for error in errors[:SUMMARY_SHOWN]]
    return "\n".join(lines) + "\n\n"


def _summary_item(problem: str | SitegenError) -> str:
    """Return a problem as an item of a Markdown list, its location in code type."""
    path, line, message = locate(problem)
    where = f"{path}:{line}" if line is not None else (path or "")
    return f"  - `{where}`: {message}" if where else f"  - {message}"


def build_summary(imported: int, skipped: Iterable[str | SitegenError], entries: int,
                  pages: int, written: int, up_to_date: bool = False) -> str:
    """Return the Markdown a build adds to the job's step summary."""
    skipped = list(skipped)
    lines = ["### sitegen build", ""]
    if up_to_date:
        lines.append(f"- up to date: no input changed since the last build, nothing written "
                     f"({pages:,} pages)")
    else:
        lines += [f"- raw articles imported: {imported:,}", f"- entries published: {entries:,}",
                  f"- pages: {pages:,} ({written:,} files written)"]
    lines.append(f"- raw articles skipped: {len(skipped):,}")
    lines += [_summary_item(problem) for problem in skipped[:SUMMARY_SHOWN]]
    if len(skipped) > SUMMARY_SHOWN:
        lines.append(f"  - … and {len(skipped) - SUMMARY_SHOWN:,} more")
    return "\n".join(lines) + "\n\n"
