"""Error types shared by every pipeline stage.

Every stage raises a subclass of :class:`PipelineError`. Its string form is the
compiler-style ``path:line:col: message`` followed by an indented ``hint:`` line
that says what to do, so that editors can jump to the place in their editor and
Snakemake logs show the first real problem on one line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SourceLocation:
    """A place in a source file: ``path`` as given, ``line``, ``column`` 1-based (0: unknown)."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        parts = [self.path]
        if self.line:
            parts.append(str(self.line))
            if self.column:
                parts.append(str(self.column))
        return ":".join(parts)


class PipelineError(Exception):
    """Base error of the pipeline: a message, where it happened, and what to do.

    Args:
        message: what is wrong, in one sentence.
        path: the file concerned (relative to the project root where possible).
        line: 1-based line number, 0 when unknown.
        column: 1-based column, 0 when unknown.
        hint: what the user should do about it.
    """

    def __init__(
        self, message: str, path: str = "", line: int = 0, column: int = 0, hint: str = ""
    ) -> None:
        super().__init__(message)
        self.message = message
        self.location = SourceLocation(str(path), line, column) if path else None
        self.hint = hint

    def __str__(self) -> str:
        head = f"{self.location}: {self.message}" if self.location else self.message
        return f"{head}\n  hint: {self.hint}" if self.hint else head


class ErrorList(PipelineError):
    """Several problems found in one pass; the stage fails once with all of them."""

    def __init__(self, errors: list[PipelineError]) -> None:
        self.errors = list(errors)
        first = self.errors[0] if self.errors else PipelineError("no errors")
        super().__init__(
            first.message,
            first.location.path if first.location else "",
            first.location.line if first.location else 0,
            first.location.column if first.location else 0,
            first.hint,
        )

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class ManuscriptError(PipelineError):
    """Bad manuscript input: metadata YAML, a section file, a footnote."""


class CitationError(PipelineError):
    """A citation that cannot be parsed or resolved against the bibliography."""


class BibliographyError(PipelineError):
    """A BibTeX file that cannot be parsed or breaks a lint rule of error severity."""


class DataError(PipelineError):
    """A data file under manuscript/data/ that violates its schema."""


class DataErrorList(ErrorList, DataError):
    """Several :class:`DataError` found in one pass; ``str()`` lists them one per line."""


class RenderError(PipelineError):
    """A failure while producing HTML, EPUB or PDF."""


class ConfigError(PipelineError):
    """A journal profile or workflow configuration value of the wrong type or unit."""
