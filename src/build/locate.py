"""Finding the line of something the author wrote in an article's sources, for messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from build.errors import PipelineError
from build.pandoc import read_text


def article_sources(sections: Sequence[str | Path]) -> list[Path]:
    """The article's ``metadata.yaml`` (beside its section files, when there is one) and its
    ``sections``: where a message looks for the line of something the author wrote."""
    paths = [Path(p) for p in sections]
    meta = paths[0].parent / "metadata.yaml" if paths else None
    return ([meta] if meta is not None and meta.is_file() else []) + paths


def find_in_sources(
    sources: Sequence[str | Path], find: Callable[[str], int]
) -> tuple[str, int, int] | None:
    """The first (path, line, column), 1-based, of ``sources`` (an article's section files
    and metadata) where ``find(line)`` gives a 0-based column (-1: not on this line); ``None``
    when no line has it. A file that cannot be read is skipped."""
    for path in sources:
        try:
            lines = read_text(path).splitlines()
        except PipelineError:
            continue
        for number, line in enumerate(lines, start=1):
            column = find(line)
            if column >= 0:
                return str(path), number, column + 1
    return None
