"""The project's own errors: every problem with input carries where it happened and what to do."""

from __future__ import annotations


class SitegenError(Exception):
    """A problem sitegen reports to the user as one line, never as a traceback."""


class SourceError(SitegenError):
    """A problem in one input file, formatted as ``path:line: message (hint)``."""

    def __init__(self, path: str, line: int | None, message: str, hint: str | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        self.hint = hint
        super().__init__(self.format())

    def __reduce__(self):
        """Pickle by the constructor's arguments, so errors can come back from workers."""
        return (SourceError, (self.path, self.line, self.message, self.hint))

    def format(self) -> str:
        """Return the one-line form shown to the user."""
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class BuildFailed(SitegenError):
    """Raised when one or more errors stopped a build; carries them (or the first `shown`)."""

    def __init__(self, errors: list[SitegenError], shown: int | None = None,
                 why: str | None = None):
        self.errors = list(errors)[:shown]
        count = len(errors)
        message = f"{count} error{'s' if count != 1 else ''} stopped the build"
        if why:
            message += f" ({why})"
        if len(self.errors) < count:
            message += f" (the first {len(self.errors)} are shown)"
        super().__init__(message)
