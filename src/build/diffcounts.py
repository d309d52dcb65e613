"""Revision diffs, part 2b: the changes of a diff counted per section (the summary table).

Terms as in :mod:`build.difftokens` and :mod:`build.diffalign`. :func:`summary_rows` gives one
:class:`Counts` per section of a :class:`build.diffalign.DocumentDiff`, in the diff's order;
the HTML page's summary table (:mod:`build.diffhtml`) and ``article diff``'s terminal lines
print them. Pure: values in, values out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from build.diffalign import DocumentDiff, SectionDiff, SentenceDiff
from build.difftokens import Token


@dataclass(frozen=True)
class Counts:
    """Changes in one section. Sentences include table cells, captions and notes; the sentences
    of a moved paragraph count as moved (at its new place), words edited inside a moved
    sentence as words added and removed; a citation,
    link or note call counts as one word; punctuation alone is not a word. In the reference
    list the sentence counts are entries. ``tables``/``figures``: tables and figures added,
    removed or changed (the text of a table or figure added or removed as a whole counts
    there only, not as sentences and words); ``images``: figures whose picture changed."""

    section: str
    ident: str = ""
    sentences_added: int = 0
    sentences_removed: int = 0
    sentences_changed: int = 0
    sentences_moved: int = 0
    words_added: int = 0
    words_removed: int = 0
    tables: int = 0
    figures: int = 0
    images: int = 0

    @property
    def total(self) -> int:
        return (
            self.sentences_added
            + self.sentences_removed
            + self.sentences_changed
            + self.sentences_moved
            + self.tables
            + self.figures
        )


def _words(tokens: Iterable[Token]) -> int:
    return sum(1 for t in tokens if t.kind != "punct")


def count_section(section: SectionDiff) -> Counts:
    """Count the changes of one section (see :class:`Counts`)."""
    c = {
        "sentences_added": 0,
        "sentences_removed": 0,
        "sentences_changed": 0,
        "sentences_moved": 0,
        "words_added": 0,
        "words_removed": 0,
        "tables": 0,
        "figures": 0,
        "images": 0,
    }

    def sentence(s: SentenceDiff) -> None:
        if s.status == "added":
            c["sentences_added"] += 1
        elif s.status == "removed":
            c["sentences_removed"] += 1
        elif s.status == "changed":
            c["sentences_changed"] += 1
        elif s.status == "moved-to":
            c["sentences_moved"] += 1
        if s.status in ("added", "removed", "changed", "moved-to"):
            for op, tokens in s.ops:
                if op == "insert":
                    c["words_added"] += _words(tokens)
                elif op == "delete":
                    c["words_removed"] += _words(tokens)

    sentence(section.title)
    for block in (*section.blocks, *section.notes):
        whole = block.status in ("added", "removed") and block.block.kind in ("table", "figure")
        if block.status == "moved-from":
            continue  # counted once, at its new place
        for s in () if whole else (*block.sentences, *block.caption):
            if block.status == "moved-to" and s.status in ("same", "changed"):
                s = replace(s, status="moved-to")  # a sentence of a moved paragraph moved
            sentence(s)
        for _, cells in () if whole else block.rows:
            for cell in cells:
                sentence(cell)
        if block.status != "same" and block.block.kind == "table":
            c["tables"] += 1
        if block.status != "same" and block.block.kind == "figure":
            c["figures"] += 1
            c["images"] += int(block.image_changed)
    return Counts(section.title_text or section.ident, section.ident, **c)


def summary_rows(diff: DocumentDiff) -> list[Counts]:
    """One :class:`Counts` per section, in the diff's order (unchanged sections give zeros)."""
    return [count_section(s) for s in diff.sections]


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def summary_line(row: Counts) -> str:
    """``article diff``'s terminal line for one section: ``Shanghai Five: +1 -1 ~1 sentences,
    1 sentence moved, +7 -3 words, 1 table changed, 0 figures changed`` (added, removed,
    changed; a table or figure "changed" is one added, removed or changed, see
    :class:`Counts`)."""
    return (
        f"{row.section}: +{row.sentences_added} -{row.sentences_removed} "
        f"~{row.sentences_changed} sentences, {_n(row.sentences_moved, 'sentence')} moved, "
        f"+{row.words_added} -{row.words_removed} words, "
        f"{_n(row.tables, 'table')} changed, {_n(row.figures, 'figure')} changed"
    )
