# data: summits.yaml membership.yaml
"""Table 1: the summits of the Shanghai Five, 1996–2000, and the founding of the SCO, 2001.

Reads: manuscript/data/summits.yaml and manuscript/data/membership.yaml (participants must be
members by then), given as arguments. Writes: the pandoc Markdown of the table (``--markdown``)
that replaces the placeholder ``::: {#tbl-summits .generated}``.

Usage::

    python figures/tbl-summits.py --markdown output/generated/tbl-summits.md
        --schemas manuscript/data/schemas --bib refs.bib
        manuscript/data/summits.yaml manuscript/data/membership.yaml

(one command line, shown on three; build.tables.table_command).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from sco_data import Summit, read

from build.tables import cite, escape_cell, table_command, table_markdown

TABLE_ID = "tbl-summits"
TABLE_CAPTION = (
    "Summits of the Shanghai Five, 1996–2000, and the Founding of the Shanghai Cooperation "
    "Organization, 2001"
)
#: column header -> dashes in the pipe-table separator (pandoc: relative column widths)
TABLE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Meeting", 11),
    ("Date", 11),
    ("Place", 13),
    ("Participating states", 20),
    ("Agreements and decisions", 45),
)
ORDINAL_WORDS = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth", 6: "Sixth"}


def _meeting(summit: Summit) -> str:
    if summit.kind == "founding":
        return "Founding of the SCO"
    word = ORDINAL_WORDS.get(summit.ordinal or 0, f"No. {summit.ordinal}")
    return f"{word} summit"


def _place(summit: Summit) -> str:
    city, country = summit.city, summit.host_country
    if city is None and country is None:
        return "Not stated"
    if city is None:
        return cite(f"{country.value} (city not stated)", country.sources)
    text = cite(city.value, city.sources)
    if country is not None:
        text += ", " + cite(country.value, country.sources)
    return text


def summits_table_cells(summit: Summit) -> list[str]:
    """The five Markdown cells of one table row (see :data:`TABLE_COLUMNS`)."""
    decisions = " ".join(cite(d.value, d.sources) for d in summit.decisions)
    return [
        _meeting(summit),
        cite(summit.date.value.display(), summit.date.sources),
        _place(summit),
        cite(", ".join(summit.participants.value), summit.participants.sources),
        decisions,
    ]


def _table_note(summits: Sequence[Summit]) -> str | None:
    unnamed = [s for s in summits if s.city is None]
    year_only = [s for s in summits if s.date.value.month is None]
    unlisted = sorted(
        {src.unlisted for s in summits for d in s.decisions for src in d.sources if src.unlisted}
    )
    sentences = ["*Note.*"]
    if year_only:
        verb = "are" if len(year_only) > 1 else "is"
        sentences.append(f"{_capitalized(_years(year_only))} {verb} dated by year only.")
    if unnamed:
        sentences.append("No city is stated for " + _years(unnamed) + ".")
    if unlisted:
        sentences.append(
            "The source cited as "
            + ", ".join(f"({escape_cell(u)})" for u in unlisted)
            + " has no entry in the reference list."
        )
    return " ".join(sentences) if len(sentences) > 1 else None


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _years(summits: Sequence[Summit]) -> str:
    labels = [
        f"the {s.date.value.year} summit"
        if s.kind == "summit"
        else f"the founding in {s.date.value.year}"
        for s in summits
    ]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def summits_table_markdown(summits: Sequence[Summit]) -> str:
    """Table 1 as pandoc Markdown (:func:`build.tables.table_markdown`): one row per meeting
    in the order of summits.yaml, the note saying which dates and places are not known."""
    rows = [summits_table_cells(s) for s in summits]
    return table_markdown(TABLE_ID, TABLE_CAPTION, TABLE_COLUMNS, rows, _table_note(summits))


def main(argv: list[str] | None = None) -> int:
    """Command line: data files in, table Markdown out; returns the exit code."""
    return table_command(
        argv,
        description=__doc__.splitlines()[0],
        read=read,
        markdown=lambda dataset: summits_table_markdown(dataset.summits),
    )


if __name__ == "__main__":
    sys.exit(main())
