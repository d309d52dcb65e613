"""Semantic line breaks: one sentence per line in the manuscript's Markdown.

Terms:
    *semantic line break* -- a line break placed at a sentence boundary (https://sembr.org/).
    Markdown renders a line break inside a paragraph as a space (pandoc's ``SoftBreak``), so
    moving line breaks changes the source diff but never the rendered text.
    *block* -- a run of non-blank lines: a paragraph, a list item, a footnote definition.

The formatter rewraps only paragraphs, list items and footnote definitions. Headings, fenced
divs (``:::``), code, tables, HTML and YAML blocks are left byte for byte. It is idempotent and
changes whitespace at line ends only; ``tests/unit/test_linebreaks.py`` checks that pandoc's AST is
the same before and after (with ``SoftBreak`` and ``Space`` treated as equal).
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

from build.atomic import read_utf8, write_text_atomic
from build.errors import ManuscriptError

#: Words ending in a full stop that do not end a sentence (locators, titles, Latin; a few
#: common French, German and Russian ones: "éd.", "dir.", "vgl.", "z.B.", "т.е.", "см.").
ABBREVIATIONS = frozenset(
    {
        "p", "pp", "art", "arts", "chap", "sec", "vol", "no", "ed", "eds", "fig", "tab",
        "e.g", "i.e", "cf", "etc", "vs", "al", "ca", "dr", "prof", "mr", "mrs", "ms", "st",
        "jr", "sr", "u.s", "u.k", "u.n", "approx",
        "éd", "éds", "dir", "coll", "trad", "vgl", "bzw", "usw", "hrsg", "z.b", "d.h",
        "s.o", "u.a", "т.е", "т.д", "см", "гл", "ср",
    }
)  # fmt: skip

#: a sentence ends before an upper-case letter of any cased script (Unicode case: "À",
#: "Étudier", "Σ", "Это", a title-case digraph such as "ǅ"), a digit or a narrative
#: citation (``@key``, whose printed author may begin with a lower-case particle: "van der Berg
#: (2019) shows"); a bracketed citation after a full stop (``text. [@key].``) belongs to the
#: sentence before it; a French closing guillemet may follow a space ("« Oui. » Puis").
#: Python's ``re`` has no ``\p{Lu}``: group 3 is any word character and
#: :func:`_starts_sentence` tests its case (``str.isupper``, the Unicode property).
_SENTENCE_END = re.compile(
    r"(?<=[.!?…])((?:\s?[\"”’')\]*_»›])*) +(?=(@)|[\"“‘'(\[*_«‹„‚¿¡]*\s?([^\W_]))"
)
_LIST_MARKER = re.compile(r"^(\s*)([-*+]|\d+[.)])(\s+)")
_FOOTNOTE_DEF = re.compile(r"^\[\^[^\]]+\]:\s+")
_BLOCK_BREAK = re.compile(r"^(#|:::|```|~~~)")
_VERBATIM_START = re.compile(r"^(#|:::|```|~~~|<|\||\+[-=]|---|\.\.\.|\s{4}|\t|!\[)")


@dataclass(frozen=True)
class Change:
    """One block whose line breaks differ from the canonical form (1-based first line)."""

    path: str
    line: int


def split_sentences(text: str) -> list[str]:
    """Split one paragraph's text (single spaces, no newlines) into sentences.

    A sentence ends at ``.``, ``!`` or ``?`` (plus closing quotes or brackets) followed by
    whitespace and a letter that is not lower case (Unicode case, any script: ``À``, ``Ä``,
    ``Ж``, ``Σ``), a digit or ``@key`` (a narrative citation), possibly after opening quotes or
    brackets (``"``, ``«``, ``„``, ``(``). A full stop after a known abbreviation (``p.``,
    ``e.g.``, ``Dr.``) or after a single letter (an initial, ``T. V Paul``, ``É. Durand``) does
    not end a sentence.

    Args:
        text: the paragraph text with its line breaks already replaced by single spaces.
    Returns:
        The sentences in order; joining them with single spaces gives ``text`` back.
    """
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if not _starts_sentence(match.group(2) or match.group(3)):
            continue
        end = match.start(1) if match.group(1) else match.start()
        before = text[start:end]
        word = re.search(r"([\w.]+)\.$", before)
        if word:
            token = word.group(1).lower()
            if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        cut = match.end(1)
        sentences.append(text[start:cut])
        start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s]


def _starts_sentence(char: str) -> bool:
    """Whether ``char`` (the first word character after a full stop and a space, or ``@``) can
    begin a sentence: ``@``, a digit, or an upper- or title-case letter in Unicode (Latin,
    Greek, Cyrillic, Armenian, ...). A letter of a script without case (Han) does not: as in
    :func:`build.difftokens._ends_sentence`, which splits the revision diff by the same rule."""
    return char == "@" or char.isdigit() or char.isupper() or char.istitle()


def _reflow(lines: list[str]) -> list[str]:
    """Reflow one block (a paragraph, list item or footnote definition) to a sentence per line."""
    first = lines[0]
    prefix, indent = "", ""
    marker = _LIST_MARKER.match(first)
    note = _FOOTNOTE_DEF.match(first)
    if marker:
        prefix = marker.group(0)
        indent = " " * len(prefix)
    elif note:
        prefix = note.group(0)
        indent = "    "
    body = " ".join(line.strip() for line in [first[len(prefix) :], *lines[1:]])
    body = re.sub(r"[ \t]+", " ", body).strip()
    sentences = split_sentences(body)
    return [prefix + sentences[0], *(indent + s for s in sentences[1:])]


def _blocks(lines: list[str]) -> list[tuple[int, list[str], bool]]:
    """Group lines into blocks: (first line index, lines, reflowable?)."""
    blocks: list[tuple[int, list[str], bool]] = []
    i, fence = 0, None
    while i < len(lines):
        line = lines[i]
        if fence is None and re.match(r"^(```|~~~)", line):
            fence = line[:3]
        elif fence is not None:
            if line.startswith(fence):
                fence = None
            blocks.append((i, [line], False))
            i += 1
            continue
        if not line.strip() or fence is not None:
            blocks.append((i, [line], False))
            i += 1
            continue
        start, block = i, [line]
        i += 1
        while i < len(lines) and lines[i].strip():
            nxt = lines[i]
            if _LIST_MARKER.match(nxt) or _FOOTNOTE_DEF.match(nxt) or _BLOCK_BREAK.match(nxt):
                break
            block.append(nxt)
            i += 1
        verbatim = bool(_VERBATIM_START.match(line)) and not _LIST_MARKER.match(line)
        blocks.append((start, block, not verbatim))
    return blocks


def format_semantic_line_breaks(text: str) -> str:
    """Return ``text`` with one sentence per line in every paragraph, list item and footnote.

    Args:
        text: a pandoc Markdown document (str, any line endings normalised to ``\\n``).
    Returns:
        The formatted document; ``format(format(x)) == format(x)``. Only line breaks and the
        spaces around them change, so the rendered document is unchanged.
    Rule source: semantic line breaks, https://sembr.org/ (one sentence per line).
    """
    lines = text.split("\n")
    out: list[str] = []
    in_yaml = bool(lines) and lines[0] == "---"
    for start, block, reflowable in _blocks(lines):
        if in_yaml:
            out.extend(block)
            if start > 0 and block[0] in ("---", "..."):
                in_yaml = False
            continue
        out.extend(_reflow(block) if reflowable else block)
    return "\n".join(out)


def check_file(path: Path) -> list[Change]:
    """Compare a file with its formatted form; return the blocks that differ (none = canonical).

    Raises:
        ManuscriptError: the file is not UTF-8 (with the line of the first bad byte).
    """
    text = read_text(path)
    formatted = format_semantic_line_breaks(text)
    if formatted == text:
        return []
    a, b = text.split("\n"), formatted.split("\n")
    first = next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )
    return [Change(str(path), first + 1)]


def read_text(path: Path) -> str:
    """Read a UTF-8 text file; a decoding error becomes a ManuscriptError with its line."""
    return read_utf8(path, ManuscriptError)


def write_atomically(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (see :mod:`build.atomic`)."""
    write_text_atomic(path, text)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article linebreaks``."""
    parser.add_argument("files", nargs="+", type=Path, help="Markdown files")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 if a file is not canonical")
    mode.add_argument("--write", action="store_true", help="rewrite files in place (atomic)")


def command(files: list[Path], check: bool = False, write: bool = False) -> int:
    """Check (default) or rewrite files to one sentence per line; returns the exit code. A
    check that passes says so in one line (what it checked)."""
    status = 0
    rewritten = 0
    for path in files:
        changes = check_file(path)
        if not changes:
            continue
        if write:
            write_atomically(path, format_semantic_line_breaks(read_text(path)))
            print(f"{path}: reformatted")
            rewritten += 1
        else:
            status = 1
            for change in changes:
                print(
                    f"{change.path}:{change.line}: not one sentence per line\n"
                    f"  hint: run `article linebreaks --write {change.path}`"
                )
    if status == 0 and not rewritten:
        print(f"linebreaks: ok: {len(files)} files, one sentence per line")
    return status
