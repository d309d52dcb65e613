"""Tables of an article: pandoc pipe tables with citations in their cells, and the command line
shared by the article's table scripts (``figures/tbl-NAME.py``).

A table script turns the article's data files into one table and calls :func:`table_command`,
which gives every script the same command line::

    python figures/tbl-NAME.py --markdown OUT.md --schemas DIR [--bib refs.bib] DATA_FILE...

It writes the pandoc Markdown (caption with ``{#tbl-NAME}``, pipe table, note) that
``src/build/styles/filters/generated.lua`` puts in place of the placeholder
``::: {#tbl-NAME .generated}``. With ``--bib``, every citekey in the data files must be an
entry of that file. The data files a script reads are declared as for figures
(:func:`build.figures.declared_data`).

Pure core: :func:`escape_cell`, :func:`cite`, :func:`pipe_table`, :func:`table_markdown`.
Edge: :func:`table_command`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from build.atomic import write_text_atomic
from build.data import Located, Source, load_documents

#: Characters escaped in plain data text put in a pipe-table cell (pipe-table and Markdown
#: specials: pandoc manual, "Backslash escapes" and "pipe_tables").
CELL_SPECIALS = ("\\", "|", "*", "_", "[", "]", "@", "<", ">", "`", "#")


def escape_cell(text: str) -> str:
    """Escape pipe-table and Markdown specials (:data:`CELL_SPECIALS`) in plain data text."""
    for char in CELL_SPECIALS:
        text = text.replace(char, "\\" + char)
    return text


def cite(text: str, sources: Sequence[Source]) -> str:
    """``text`` (escaped) followed by its pandoc citation, before a final period (APA 7 §8.11).

    Citekeys become one bracketed pandoc citation ``[@a, p. 1; @b]``; unlisted parentheticals
    follow in parentheses as the article gives them. No sources: the text alone.
    """
    text = escape_cell(text)
    if not sources:
        return text
    keyed = [s.markdown() for s in sources if s.key]
    plain = [escape_cell(s.unlisted) for s in sources if s.unlisted]
    parts = []
    if keyed:
        parts.append("[" + "; ".join(keyed) + "]")
    if plain:
        parts.append("(" + "; ".join(plain) + ")")
    citation = " ".join(parts)
    if text.endswith("."):
        return f"{text[:-1]} {citation}."
    return f"{text} {citation}"


def pipe_table(columns: Sequence[tuple[str, int]], rows: Sequence[Sequence[str]]) -> str:
    """A pandoc pipe table: header, separator, rows (cells already Markdown), no final newline.

    Args:
        columns: (header text, dashes in the separator) per column; with long rows pandoc
            takes the dashes as relative column widths (pandoc manual, "pipe_tables").
        rows: the cells of each row, one per column.

    Raises:
        ValueError: a row whose number of cells differs from the number of columns.
    """
    for index, row in enumerate(rows):
        if len(row) != len(columns):
            raise ValueError(f"row {index} has {len(row)} cells for {len(columns)} columns")
    header = "| " + " | ".join(name for name, _ in columns) + " |"
    rule = "|" + "|".join("-" * dashes for _, dashes in columns) + "|"
    return "\n".join([header, rule, *("| " + " | ".join(row) + " |" for row in rows)])


def table_markdown(
    table_id: str,
    caption: str,
    columns: Sequence[tuple[str, int]],
    rows: Sequence[Sequence[str]],
    note: str | None = None,
) -> str:
    """A table as pandoc Markdown: ``Table: caption {#id}``, the pipe table, a note div.

    The caption carries no number: the crossref filter numbers it ("Table 1", APA 7 §7.10).
    Citations in cells are pandoc citations, rendered by citeproc like all others.

    Args:
        table_id: the table's id (``tbl-...``).
        caption: the caption (Markdown).
        columns, rows: see :func:`pipe_table`.
        note: the table note (Markdown) in a ``::: table-note`` div, or ``None``.

    Returns:
        Markdown text ending with a newline.
    """
    text = f"Table: {caption} {{#{table_id}}}\n\n" + pipe_table(columns, rows) + "\n"
    if note is not None:
        text += "\n::: table-note\n" + note + "\n:::\n"
    return text


def table_command(
    argv: Sequence[str] | None,
    *,
    description: str,
    read: Callable[[Mapping[str, Located]], Any],
    markdown: Callable[[Any], str],
) -> int:
    """The command line shared by the table scripts: data files in, table Markdown out.

    ``--markdown FILE [--schemas DIR] [--bib FILE] DATA_FILE...``; the schemas default to
    ``schemas/`` beside the first data file; without ``--bib`` citekeys are not checked.

    Args:
        argv: the arguments (None: ``sys.argv[1:]``).
        description: the script's one-line description (for ``--help``).
        read: the script's reading of its checked data files (stem -> document) into the
            value ``markdown`` takes; raises :class:`build.errors.DataError` for a problem its
            schemas cannot express.
        markdown: ``data -> str``, the table's Markdown (:func:`table_markdown`).

    Returns:
        0; a data problem raises :class:`build.errors.DataError` (``path:line:col``), as does
        a ``--bib`` that cannot be read.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("data", nargs="+", type=Path, help="the data files the script declares")
    parser.add_argument("--markdown", type=Path, help="where to write (default: standard output)")
    parser.add_argument(
        "--schemas", type=Path, help="folder of the JSON Schemas (default: beside the data)"
    )
    parser.add_argument("--bib", type=Path, help="check the data's citekeys against this file")
    args = parser.parse_args(argv)
    text = markdown(read(load_documents(args.data, args.schemas, args.bib)))
    if args.markdown:
        write_text_atomic(args.markdown, text)
    else:
        sys.stdout.write(text)
    return 0
