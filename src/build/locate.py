"""Finding the line of something the author wrote in an article's sources, for messages."""

from __future__ import annotations

import re
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


def printed_sources(sections: Sequence[str | Path]) -> list[Path]:
    """:func:`article_sources` and the article's ``refs.bib`` (two folders above its section
    files, when there is one): where a character the PDF prints comes from, the reference
    list included."""
    paths = article_sources(sections)
    bib = Path(sections[0]).parent.parent / "refs.bib" if sections else None
    return paths + ([bib] if bib is not None and bib.is_file() else [])


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


#: a position in pandoc's warnings (pandoc 3.x): ``... at FILE line N column C``
_PANDOC_AT = re.compile(r"^\[WARNING\] (.*) at (\S+) line (\d+) column (\d+)$")


def section_line(
    assembled: str, sections: Sequence[tuple[str, str]], line: int
) -> tuple[str, int] | None:
    """The (section path, line) of ``line`` (1-based) of the assembled Markdown: the sections'
    texts joined by the citation stage, each starting with its first line (its heading), found
    in order in ``assembled``; ``None`` before the first section or when a section's first
    line is not found. A line that the citation stage rewrote keeps its number."""
    lines = assembled.splitlines()
    starts: list[tuple[int, str]] = []
    index = 0
    for path, text in sections:
        first = next((ln for ln in text.splitlines() if ln.strip()), None)
        if first is None:
            continue
        while index < len(lines) and lines[index] != first:
            index += 1
        if index == len(lines):
            return None
        starts.append((index, path))
    found = None
    for start, path in starts:
        if start < line:
            found = (path, line - start)
    return found


def pandoc_warnings(stderr: str, markdown: str, sections: Sequence[str | Path]) -> list[str]:
    """pandoc's warnings, those at a line of the assembled ``markdown`` as
    ``warning: SECTION:LINE:COL: pandoc: MESSAGE`` at the section file's line (the file the
    author edits), the others as pandoc wrote them; blank lines dropped."""
    texts: list[tuple[str, str]] | None = None
    assembled = ""
    shown = []
    for line in stderr.splitlines():
        match = _PANDOC_AT.match(line)
        if match and match.group(2) == str(markdown) and sections:
            if texts is None:
                texts = [(str(p), read_text(p)) for p in sections]
                assembled = read_text(markdown)
            place = section_line(assembled, texts, int(match.group(3)))
            if place:
                path, number = place
                shown.append(f"warning: {path}:{number}:{match.group(4)}: pandoc: {match.group(1)}")
                continue
        if line.strip():
            shown.append(line)
    return shown
