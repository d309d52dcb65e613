"""Revision diffs: the article between two git revisions as a rendered tracked-changes document.

Terms used in this module:

* *revision*: anything ``git rev-parse`` resolves to a commit (hash, tag, branch, ``HEAD~2``).
* *AST*: pandoc's JSON AST of the article at one revision, citations already rendered by
  citeproc (so a citation is compared by what it renders to, not by its citekey).
* *token*: one unit of comparison: a word (pandoc ``Str``), a whole rendered citation, a whole
  link text (cross-references such as "Figure 1"), or a note call. Its ``key`` is compared, its
  ``html`` is shown. A word's key carries its emphasis (``em:word``), so a change of emphasis
  is a change.
* *sentence*: the tokens of one line of a paragraph (the manuscript has one sentence per line,
  see ``build.linebreaks``; pandoc keeps the line ends as ``SoftBreak``), of a table cell, a
  caption or a reference-list entry.
* *block*: a paragraph, list item, heading, table, figure or reference entry.
* *section*: the blocks under one level-1 heading (its id, e.g. ``sec-conclusion``); the title,
  abstract and keywords form the section ``front-matter``; the reference list ``references``.
* *moved*: a sentence deleted in one place and inserted, word for word, in another.

Comparison (pure core): :func:`document_from_ast` turns an AST into sections of blocks of
sentences of tokens; :func:`diff_documents` aligns sections by id, blocks and sentences with
:class:`difflib.SequenceMatcher` (Ratcliff/Obershelp, Python standard library), pairs the
blocks and sentences of a replaced range by similarity (ratio >= :data:`PAIR_RATIO`), diffs
paired sentences word by word, then marks identical deleted/inserted sentences as moved.
:func:`summary_rows` counts per section; :func:`diff_html` writes the document (HTML5, ``<ins>``
and ``<del>`` with visually hidden "inserted:"/"deleted:" labels, WCAG 2.1 technique H88-style
text alternatives, and a visible legend).

Edge: :func:`resolve_revision`, :func:`export_revision` (``git archive`` into a temporary
folder: the working tree is never touched), :func:`build_revision_ast` (runs the current
workflow's citation, table and figure rules there, then ``article render --to json``),
:func:`write_diff` (HTML, and PDF through WeasyPrint with the render stage's confined URL
fetcher), :func:`command` (``article diff``).

Source diffs: :func:`key_order_problems` checks that the data files under ``manuscript/data``
keep the canonical key order (the order of ``properties`` in their JSON Schema), so a diff of a
data file shows only real changes (``article diff --check-key-order FILE...``).
"""

from __future__ import annotations

import argparse
import base64
import difflib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from build.atomic import write_bytes_atomic
from build.errors import DataError, ErrorList, PipelineError

#: Blocks or sentences of a replaced range are paired when their similarity reaches this.
PAIR_RATIO = 0.5
#: What a revision contributes to the article (the rest is the current pipeline).
ARTICLE_PATHS = ("manuscript", "refs.bib", "figures")
#: The diff's own stylesheet (package data).
DIFF_CSS = Path(__file__).resolve().parent / "styles" / "diff" / "diff.css"
#: Placeholder of generated content in a section file (docs/conventions.md).
PLACEHOLDER_RE = re.compile(r"^::: *\{#((?:tbl|fig)-[a-z0-9-]+) +\.generated\}", re.MULTILINE)


class DiffError(PipelineError):
    """The tracked-changes document cannot be made."""


class RevisionError(DiffError):
    """A revision that git does not know, or one that has no manuscript."""


class RevisionBuildError(DiffError):
    """The article at a revision does not build with the current pipeline."""


# =========================================================================== model


@dataclass(frozen=True)
class Token:
    """A unit of comparison: ``key`` is compared, ``html`` is shown.

    ``kind``: ``word``, ``punct`` (no letter or digit), ``cite``, ``link`` or ``note``;
    ``space``: a space precedes it in the text.
    """

    key: str
    html: str
    kind: str = "word"
    space: bool = True
    text: str = ""

    @property
    def plain(self) -> str:
        """The token as plain text (its key without emphasis marks)."""
        return self.text or self.key


Sentence = tuple[Token, ...]


@dataclass(frozen=True)
class Block:
    """A paragraph-like block (``kind`` ``prose``: tag ``p``, ``li``, ``h3``..., ``pre``,
    ``keywords``, ``title``, ``ref``), a ``table`` (``rows`` of cells, ``header_rows`` first) or a
    ``figure`` (``image``: bytes of the picture, ``mime``, ``alt``).

    ``caption`` holds a table's or figure's caption sentences; ``ident`` a table's or figure's
    id, or a reference entry's citekey; ``group`` numbers lists, so list items are grouped.
    """

    kind: str
    tag: str = "p"
    sentences: tuple[Sentence, ...] = ()
    ident: str = ""
    group: int = 0
    caption: tuple[Sentence, ...] = ()
    rows: tuple[tuple[Sentence, ...], ...] = ()
    header_rows: int = 0
    image: bytes = b""
    mime: str = ""
    alt: str = ""


@dataclass(frozen=True)
class Section:
    """A section: id, heading, blocks and the notes called in it (each note a prose block)."""

    ident: str
    title: Sentence
    blocks: tuple[Block, ...] = ()
    notes: tuple[Block, ...] = ()


@dataclass(frozen=True)
class Document:
    """The article at one revision, as sections in reading order."""

    sections: tuple[Section, ...]


# =========================================================================== AST -> model


def _plain(inlines: Any) -> str:
    """Plain text of pandoc inlines (spaces for Space/SoftBreak/LineBreak)."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            kind, content = node.get("t"), node.get("c")
            if kind == "Str":
                out.append(content)
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                out.append(" ")
            elif kind in ("Code", "Math"):
                out.append(content[-1])
            elif kind == "Note":
                return
            elif kind in ("Cite",):
                walk(content[1])
            elif kind in ("Link", "Image"):
                walk(content[1])
            elif kind == "Quoted":
                quote = "“”" if content[0]["t"] == "DoubleQuote" else "‘’"
                out.append(quote[0])
                walk(content[1])
                out.append(quote[1])
            elif kind in ("Span", "Emph", "Strong", "Underline", "Strikeout", "SmallCaps"):
                walk(content[-1])
            elif kind in ("Superscript", "Subscript"):
                walk(content)
            elif isinstance(content, list):
                walk(content)

    walk(inlines)
    return re.sub(r"\s+", " ", "".join(out)).strip()


_WRAPPERS = {
    "Emph": ("em", "<em>", "</em>"),
    "Strong": ("strong", "<strong>", "</strong>"),
    "Underline": ("u", "<u>", "</u>"),
    "Strikeout": ("s", "<s>", "</s>"),
    "Superscript": ("sup", "<sup>", "</sup>"),
    "Subscript": ("sub", "<sub>", "</sub>"),
    "SmallCaps": ("sc", '<span class="smallcaps">', "</span>"),
}

#: A pandoc Str as leading punctuation, the word, trailing punctuation ("(Figure" -> "(",
#: "Figure"; "members)." -> "members", ").") so that punctuation is compared on its own.
_PUNCT_RE = re.compile(r"^([(\[“‘\"']*)(.*?)([.,;:!?)\]”’\"']*)$", re.DOTALL)

#: Marks a sentence boundary (a SoftBreak) in a token stream.
_BREAK = Token("", "", "break")


class _Inlines:
    """Converts pandoc inlines to tokens; collects the notes met (their blocks) in order."""

    def __init__(self, note_start: int = 0) -> None:
        self.notes: list[list[Any]] = []
        self.note_start = note_start

    def tokens(self, inlines: Any, wrap: tuple[tuple[str, str, str], ...] = ()) -> list[Token]:
        out: list[Token] = []
        pending = [False]

        def emit(key: str, body: str, kind: str) -> None:
            prefix = "".join(w[0] + ":" for w in wrap)
            shown = "".join(w[1] for w in wrap) + body + "".join(w[2] for w in reversed(wrap))
            out.append(Token(prefix + key, shown, kind, pending[0], key))
            pending[0] = False

        for node in inlines or []:
            kind, content = node.get("t"), node.get("c")
            if kind == "Str":
                lead, core, trail = _PUNCT_RE.match(content).groups()  # type: ignore[union-attr]
                for part in (*lead, core, *trail):
                    if part:
                        word_kind = "word" if any(ch.isalnum() for ch in part) else "punct"
                        emit(part, html.escape(part), word_kind)
            elif kind == "Space":
                pending[0] = True
            elif kind == "LineBreak":
                pending[0] = True
            elif kind == "SoftBreak":
                out.append(_BREAK)
                pending[0] = True
            elif kind in _WRAPPERS:
                inner = self.tokens(content, wrap + (_WRAPPERS[kind],))
                if inner and inner[0] is not _BREAK:
                    inner[0] = replace(inner[0], space=pending[0])
                out.extend(inner)
                pending[0] = False
            elif kind == "Span":
                inner = self.tokens(content[1], wrap)
                if inner and inner[0] is not _BREAK:
                    inner[0] = replace(inner[0], space=pending[0])
                out.extend(inner)
                pending[0] = False
            elif kind == "Quoted":
                quote = "“”" if content[0]["t"] == "DoubleQuote" else "‘’"
                inner = self.tokens(content[1], wrap)
                emit(quote[0], quote[0], "punct")
                if inner:
                    inner[0] = replace(inner[0], space=False)
                out.extend(inner)
                emit(quote[1], quote[1], "punct")
                out[-1] = replace(out[-1], space=False)
            elif kind == "Cite":
                text = _plain(content[1])
                emit(text, f'<span class="citation">{html.escape(text)}</span>', "cite")
            elif kind == "Link":
                text = _plain(content[1])
                target = content[2][0]
                if target.startswith("#") or not target:
                    body = f'<span class="xref">{html.escape(text)}</span>'
                else:
                    body = f'<a href="{html.escape(target)}">{html.escape(text)}</a>'
                emit(text, body, "link")
            elif kind in ("Code", "Math"):
                text = content[-1]
                emit(text, f"<code>{html.escape(text)}</code>", "word")
            elif kind == "Image":
                text = _plain(content[1]) or "image"
                emit(f"[image: {text}]", f"[image: {html.escape(text)}]", "word")
            elif kind == "Note":
                self.notes.append(content)
                number = self.note_start + len(self.notes)
                out.append(
                    Token(
                        "[note]",
                        f'<sup class="note-ref">{number}</sup>',
                        "note",
                        False,
                    )
                )
                pending[0] = False
            # RawInline and anything unknown: not part of the text
        return out


def plain_text(tokens: Iterable[Token]) -> str:
    """Tokens as plain text, spaced as in the source."""
    return "".join((" " if t.space and i else "") + t.plain for i, t in enumerate(tokens))


def _split(tokens: Iterable[Token]) -> tuple[Sentence, ...]:
    """Split a token stream at sentence breaks; empty sentences are dropped."""
    sentences: list[Sentence] = []
    current: list[Token] = []
    for token in tokens:
        if token is _BREAK:
            if current:
                sentences.append(tuple(current))
            current = []
        else:
            if not current:
                token = replace(token, space=False)
            current.append(token)
    if current:
        sentences.append(tuple(current))
    return tuple(sentences)


def _one(tokens: Iterable[Token]) -> Sentence:
    """All tokens as one sentence (breaks become spaces)."""
    joined = [t for t in tokens if t is not _BREAK]
    if joined:
        joined[0] = replace(joined[0], space=False)
    return tuple(joined)


def _block_inlines(blocks: Any) -> list[Any]:
    """The inlines of Para/Plain blocks, joined with a sentence break between blocks."""
    inlines: list[Any] = []
    for block in blocks or []:
        if block.get("t") in ("Para", "Plain"):
            if inlines:
                inlines.append({"t": "SoftBreak"})
            inlines.extend(block["c"])
    return inlines


class _Blocks:
    """Converts pandoc blocks to model blocks for one document (images read from ``root``)."""

    def __init__(self, root: Path | None) -> None:
        self.root = root
        self.inlines = _Inlines()
        self.groups = 0

    def _sentences(self, inlines: Any) -> tuple[Sentence, ...]:
        return _split(self.inlines.tokens(inlines))

    def _cell(self, blocks: Any) -> Sentence:
        return _one(self.inlines.tokens(_block_inlines(blocks)))

    def convert(self, blocks: Any, tag: str = "p") -> list[Block]:
        out: list[Block] = []
        for block in blocks or []:
            kind, content = block.get("t"), block.get("c")
            if kind in ("Para", "Plain"):
                sentences = self._sentences(content)
                if sentences:
                    out.append(Block("prose", tag, sentences))
            elif kind == "LineBlock":
                lines = [s for line in content for s in self._sentences(line)]
                out.append(Block("prose", tag, tuple(lines)))
            elif kind == "Header":
                level = min(int(content[0]) + 1, 6)
                out.append(Block("prose", f"h{level}", self._sentences(content[2])))
            elif kind == "CodeBlock":
                text = content[1]
                out.append(Block("prose", "pre", (_one([Token(text, html.escape(text))]),)))
            elif kind == "BlockQuote":
                out.extend(self.convert(content, "blockquote"))
            elif kind in ("BulletList", "OrderedList"):
                self.groups += 1
                group = self.groups
                items = content if kind == "BulletList" else content[1]
                list_tag = "li" if kind == "BulletList" else "oli"
                for item in items:
                    for sub in self.convert(item, list_tag):
                        out.append(replace(sub, group=group) if sub.tag == list_tag else sub)
            elif kind == "DefinitionList":
                for term, definitions in content:
                    out.append(Block("prose", "dt", self._sentences(term)))
                    for definition in definitions:
                        out.extend(self.convert(definition, tag))
            elif kind == "Div":
                out.extend(self.convert(content[1], tag))
            elif kind == "Table":
                out.append(self._table(content))
            elif kind == "Figure":
                out.append(self._figure(content))
            # HorizontalRule, RawBlock: nothing to compare
        return out

    def _table(self, content: Any) -> Block:
        attr, caption, _colspecs, head, bodies, foot = content
        header: list[tuple[Sentence, ...]] = []
        body: list[tuple[Sentence, ...]] = []
        for row in head[1]:
            header.append(tuple(self._cell(cell[4]) for cell in row[1]))
        for tbody in bodies:
            for row in [*tbody[2], *tbody[3]]:
                body.append(tuple(self._cell(cell[4]) for cell in row[1]))
        for row in foot[1]:
            body.append(tuple(self._cell(cell[4]) for cell in row[1]))
        return Block(
            "table",
            "table",
            ident=attr[0],
            caption=self._sentences(_block_inlines(caption[1])),
            rows=tuple(header + body),
            header_rows=len(header),
        )

    def _figure(self, content: Any) -> Block:
        attr, caption, blocks = content
        image, mime, alt = b"", "", ""
        for node in _walk(blocks):
            if node.get("t") == "Image":
                alt = _plain(node["c"][1])
                image, mime = self._read_image(node["c"][2][0])
                break
        return Block(
            "figure",
            "figure",
            ident=attr[0],
            caption=self._sentences(_block_inlines(caption[1])),
            image=image,
            mime=mime,
            alt=alt,
        )

    def _read_image(self, src: str) -> tuple[bytes, str]:
        mime = {
            ".svg": "image/svg+xml",
            ".png": "image/png",
            ".jpg": "image/jpeg",
            ".jpeg": "image/jpeg",
        }.get(Path(src).suffix.lower(), "application/octet-stream")
        if self.root is None or "://" in src or src.startswith("data:"):
            return src.encode("utf-8"), mime
        path = (self.root / src).resolve()
        if self.root.resolve() not in path.parents or not path.is_file():
            return src.encode("utf-8"), mime
        return path.read_bytes(), mime


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every pandoc element (dict with ``t``) under ``node``, depth first."""
    if isinstance(node, dict):
        if "t" in node:
            yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _meta_blocks(value: Any) -> list[Any]:
    """A MetaValue as pandoc blocks (MetaInlines/MetaString become one Para)."""
    if not value:
        return []
    kind, content = value.get("t"), value.get("c")
    if kind == "MetaBlocks":
        return content
    if kind == "MetaInlines":
        return [{"t": "Para", "c": content}]
    if kind == "MetaString":
        words = [{"t": "Str", "c": w} for w in content.split()]
        spaced: list[Any] = []
        for word in words:
            if spaced:
                spaced.append({"t": "Space"})
            spaced.append(word)
        return [{"t": "Para", "c": spaced}]
    return []


def document_from_ast(ast: dict[str, Any], root: Path | None = None) -> Document:
    """The article of a pandoc JSON AST (after citeproc) as sections of blocks of sentences.

    Args:
        ast: the AST (``article render --to json``).
        root: the folder the AST was made in; figure images are read relative to it
            (``None``: the image path itself is compared).

    Returns:
        the document: ``front-matter`` (title, abstract, keywords), one section per level-1
        heading (blocks before the first heading go to ``front-matter``), ``references`` (one
        ``ref`` block per entry of citeproc's ``#refs`` div, ``ident`` = citekey).
    """
    meta = ast.get("meta", {})
    converter = _Blocks(root)
    front: list[Block] = []
    title = _meta_blocks(meta.get("title"))
    if title:
        front.append(Block("prose", "title", (_one(converter.inlines.tokens(title[0]["c"])),)))
    front.extend(converter.convert(_meta_blocks(meta.get("abstract"))))
    keywords = meta.get("keywords", {})
    if keywords.get("t") == "MetaList" and keywords["c"]:
        words = [
            _plain(k.get("c")) if k.get("t") != "MetaString" else k["c"] for k in keywords["c"]
        ]
        labels = [w + ("," if i < len(words) - 1 else "") for i, w in enumerate(words)]
        tokens = tuple(Token(w, html.escape(w), "word", i > 0) for i, w in enumerate(labels))
        front.append(Block("prose", "keywords", (tokens,)))

    sections: list[Section] = []
    front_title = (Token("Title", "Title"), Token("and", "and"), Token("abstract", "abstract"))
    current: dict[str, Any] = {
        "ident": "front-matter",
        "title": front_title,
        "blocks": front,
        "notes": 0,
    }
    note_blocks: dict[str, list[Block]] = {}

    def close() -> None:
        notes_raw = converter.inlines.notes[current["notes"] :]
        blocks = [b for b in current["blocks"]]
        notes = []
        for raw in notes_raw:
            tokens = converter.inlines.tokens(_block_inlines(raw))
            number = len(converter.inlines.notes) - len(notes_raw) + len(notes) + 1
            notes.append(Block("prose", "note", _split(tokens), group=number))
        current["notes"] = len(converter.inlines.notes)
        sections.append(Section(current["ident"], current["title"], tuple(blocks), tuple(notes)))
        note_blocks[current["ident"]] = notes

    for block in ast.get("blocks", []):
        kind, content = block.get("t"), block.get("c")
        if kind == "Header" and content[0] == 1:
            close()
            ident = content[1][0]
            is_refs = ident in ("bibliography", "references")
            current = {
                "ident": "references" if is_refs else ident,
                "title": _one(converter.inlines.tokens(content[2])),
                "blocks": [],
                "notes": len(converter.inlines.notes),
            }
        elif kind == "Div" and content[0][0] == "refs":
            if current["ident"] != "references":
                close()
                title = (Token("References", "References"),)
                current = {"ident": "references", "title": title, "blocks": [], "notes": 0}
                current["notes"] = len(converter.inlines.notes)
            for entry in content[1]:
                if entry.get("t") != "Div":
                    continue
                key = entry["c"][0][0].removeprefix("ref-")
                tokens = converter.inlines.tokens(_block_inlines(entry["c"][1]))
                current["blocks"].append(Block("prose", "ref", (_one(tokens),), ident=key))
        else:
            current["blocks"].extend(converter.convert([block]))
    close()
    return Document(tuple(s for s in sections if s.blocks or s.title or s.notes))


# =========================================================================== diff model


@dataclass(frozen=True)
class SentenceDiff:
    """One sentence (or cell, caption line, entry) in the diff.

    ``status``: ``same``, ``added``, ``removed``, ``changed``, ``moved-from`` (its old place),
    ``moved-to`` (its new place). ``ops``: (``equal``|``insert``|``delete``, tokens) in reading
    order. ``move``: the number linking the two places of a moved sentence; ``where``: the
    title of the section at the other place.
    """

    status: str
    ops: tuple[tuple[str, tuple[Token, ...]], ...]
    move: int = 0
    where: str = ""

    @property
    def text(self) -> str:
        return " ".join(t.key for op, toks in self.ops if op != "insert" for t in toks)


@dataclass(frozen=True)
class BlockDiff:
    """A block in the diff: ``status`` ``same``, ``added``, ``removed`` or ``changed``;
    ``old``/``new`` the blocks compared (one of them ``None`` when added or removed);
    ``sentences`` (prose), ``caption`` (table, figure), ``rows`` ((status, cells) of a table),
    ``image_changed`` (figure)."""

    status: str
    old: Block | None
    new: Block | None
    sentences: tuple[SentenceDiff, ...] = ()
    caption: tuple[SentenceDiff, ...] = ()
    rows: tuple[tuple[str, tuple[SentenceDiff, ...]], ...] = ()
    image_changed: bool = False

    @property
    def block(self) -> Block:
        return self.new if self.new is not None else self.old  # type: ignore[return-value]


@dataclass(frozen=True)
class SectionDiff:
    """A section in the diff: ``status`` as for blocks; title, blocks and notes diffed."""

    ident: str
    status: str
    title: SentenceDiff
    blocks: tuple[BlockDiff, ...]
    notes: tuple[BlockDiff, ...]

    @property
    def title_text(self) -> str:
        return plain_text(t for op, toks in self.title.ops if op != "delete" for t in toks)


@dataclass(frozen=True)
class DocumentDiff:
    """The whole diff, sections in the new revision's order (removed ones where they were)."""

    sections: tuple[SectionDiff, ...]

    @property
    def changed(self) -> bool:
        return any(s.status != "same" for s in self.sections)


# =========================================================================== diff core


def _keys(tokens: Sequence[Token]) -> list[str]:
    return [t.key for t in tokens]


def _ratio(a: Sequence[str], b: Sequence[str]) -> float:
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < PAIR_RATIO or matcher.quick_ratio() < PAIR_RATIO:
        return 0.0
    return matcher.ratio()


def _whole(status: str, sentence: Sentence) -> SentenceDiff:
    op = {"added": "insert", "removed": "delete"}.get(status, "equal")
    return SentenceDiff(status, ((op, tuple(sentence)),))


def diff_words(old: Sentence, new: Sentence) -> SentenceDiff:
    """Word-level diff of two sentences (``difflib.SequenceMatcher`` on token keys).

    Returns:
        status ``same`` when the keys are equal, else ``changed`` with the ops; a replaced run
        is shown as its deletion followed by its insertion.
    """
    matcher = difflib.SequenceMatcher(None, _keys(old), _keys(new), autojunk=False)
    ops: list[tuple[str, tuple[Token, ...]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", tuple(new[j1:j2])))
        else:
            if i2 > i1:
                ops.append(("delete", tuple(old[i1:i2])))
            if j2 > j1:
                ops.append(("insert", tuple(new[j1:j2])))
    status = "same" if all(op == "equal" for op, _ in ops) else "changed"
    return SentenceDiff(status, tuple(ops))


def _pair(
    old: Sequence[Any], new: Sequence[Any], key: Any, compatible: Any = None
) -> list[tuple[Any, Any]]:
    """Pair items of a replaced range in order: each old item with the first later new item
    of ratio >= PAIR_RATIO; unpaired items come with ``None``. Reading order of ``new`` is kept,
    an unpaired old item goes before the next new item that follows its place."""
    result: list[tuple[Any, Any]] = []
    j = 0
    for item in old:
        match = None
        for k in range(j, len(new)):
            if compatible and not compatible(item, new[k]):
                continue
            if _ratio(key(item), key(new[k])) >= PAIR_RATIO:
                match = k
                break
        if match is None:
            result.append((item, None))
            continue
        result.extend((None, n) for n in new[j:match])
        result.append((item, new[match]))
        j = match + 1
    result.extend((None, n) for n in new[j:])
    return result


def _align(old: Sequence[Any], new: Sequence[Any], key: Any, compatible: Any = None) -> list:
    """Align two sequences: (old, new) pairs, equal items paired, replaced ranges paired by
    similarity (:func:`_pair`), the rest with ``None`` on one side."""
    matcher = difflib.SequenceMatcher(
        None, [_hashable(key(o)) for o in old], [_hashable(key(n)) for n in new], autojunk=False
    )
    result: list[tuple[Any, Any]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            result.extend(zip(old[i1:i2], new[j1:j2], strict=True))
        elif tag == "delete":
            result.extend((o, None) for o in old[i1:i2])
        elif tag == "insert":
            result.extend((None, n) for n in new[j1:j2])
        else:
            result.extend(_pair(old[i1:i2], new[j1:j2], key, compatible))
    return result


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _sentence_key(sentence: Sentence) -> list[str]:
    return _keys(sentence)


def diff_sentences(old: Sequence[Sentence], new: Sequence[Sentence]) -> tuple[SentenceDiff, ...]:
    """Diff two sequences of sentences: equal, added, removed, changed (paired by similarity)."""
    out = []
    for a, b in _align(old, new, _sentence_key):
        if a is None:
            out.append(_whole("added", b))
        elif b is None:
            out.append(_whole("removed", a))
        else:
            out.append(diff_words(a, b))
    return tuple(out)


def _block_key(block: Block) -> list[str]:
    words: list[str] = [block.kind, block.tag, block.ident]
    for sentence in (*block.caption, *block.sentences):
        words.extend(_keys(sentence))
    for row in block.rows:
        for cell in row:
            words.extend(_keys(cell))
    if block.kind == "figure":
        words.append(str(hash(block.image)))
    return words


def _compatible(a: Block, b: Block) -> bool:
    if a.kind != b.kind or (a.kind == "prose" and a.tag != b.tag):
        return False
    return not (a.ident and b.ident and a.kind != "prose" and a.ident != b.ident)


def _rows_diff(old: Block, new: Block) -> tuple[tuple[str, tuple[SentenceDiff, ...]], ...]:
    def row_key(row: tuple[Sentence, ...]) -> list[str]:
        return [k for cell in row for k in (*_keys(cell), "|")]

    rows = []
    for a, b in _align(list(old.rows), list(new.rows), row_key):
        if a is None:
            rows.append(("added", tuple(_whole("added", c) for c in b)))
        elif b is None:
            rows.append(("removed", tuple(_whole("removed", c) for c in a)))
        else:
            cells = []
            for i in range(max(len(a), len(b))):
                if i >= len(a):
                    cells.append(_whole("added", b[i]))
                elif i >= len(b):
                    cells.append(_whole("removed", a[i]))
                else:
                    cells.append(diff_words(a[i], b[i]))
            status = "same" if all(c.status == "same" for c in cells) else "changed"
            rows.append((status, tuple(cells)))
    return tuple(rows)


def diff_block(old: Block | None, new: Block | None) -> BlockDiff:
    """Diff two blocks of the same kind (either may be ``None``: added or removed)."""
    if old is None or new is None:
        status = "added" if old is None else "removed"
        block = new if old is None else old
        assert block is not None  # one side is set by construction
        whole = tuple(_whole(status, s) for s in block.sentences)
        caption = tuple(_whole(status, s) for s in block.caption)
        rows = tuple((status, tuple(_whole(status, c) for c in row)) for row in block.rows)
        return BlockDiff(status, old, new, whole, caption, rows)
    sentences = diff_sentences(old.sentences, new.sentences)
    caption = diff_sentences(old.caption, new.caption)
    rows = _rows_diff(old, new) if old.kind == "table" else ()
    image_changed = old.kind == "figure" and old.image != new.image
    changed = (
        any(s.status != "same" for s in (*sentences, *caption))
        or any(status != "same" for status, _ in rows)
        or image_changed
    )
    return BlockDiff(
        "changed" if changed else "same", old, new, sentences, caption, rows, image_changed
    )


def diff_blocks(old: Sequence[Block], new: Sequence[Block]) -> tuple[BlockDiff, ...]:
    """Align two block sequences (SequenceMatcher, then pairing by similarity) and diff them.

    Reference entries (tag ``ref``) are matched by citekey instead: an entry is added, removed
    or changed (its text differs).
    """
    if any(b.tag == "ref" for b in (*old, *new)):
        return _diff_entries(old, new)
    return tuple(diff_block(a, b) for a, b in _align(old, new, _block_key, _compatible))


def _diff_entries(old: Sequence[Block], new: Sequence[Block]) -> tuple[BlockDiff, ...]:
    by_key = {b.ident: b for b in old}
    new_keys = {b.ident for b in new}
    out: list[BlockDiff] = []
    pending_removed = [b for b in old if b.ident not in new_keys]
    for block in new:
        # a removed entry is shown where it sorted in the old list
        while pending_removed and _sort_key(pending_removed[0]) <= _sort_key(block):
            out.append(diff_block(pending_removed.pop(0), None))
        out.append(diff_block(by_key.get(block.ident), block))
    out.extend(diff_block(b, None) for b in pending_removed)
    return tuple(out)


def _sort_key(block: Block) -> str:
    return " ".join(_keys(block.sentences[0])).casefold() if block.sentences else ""


def diff_sections(old: Section | None, new: Section | None) -> SectionDiff:
    """Diff two sections (matched by id); either may be ``None``."""
    base = new if new is not None else old
    assert base is not None  # one side is set by construction
    if old is None or new is None:
        status = "added" if old is None else "removed"
        blocks = tuple(
            diff_block(None, b) if old is None else diff_block(b, None) for b in base.blocks
        )
        notes = tuple(
            diff_block(None, b) if old is None else diff_block(b, None) for b in base.notes
        )
        return SectionDiff(base.ident, status, _whole(status, base.title), blocks, notes)
    title = diff_words(old.title, new.title)
    blocks = diff_blocks(old.blocks, new.blocks)
    notes = diff_blocks(old.notes, new.notes)
    changed = title.status != "same" or any(b.status != "same" for b in (*blocks, *notes))
    return SectionDiff(new.ident, "changed" if changed else "same", title, blocks, notes)


def diff_documents(old: Document, new: Document) -> DocumentDiff:
    """The tracked changes from ``old`` to ``new``.

    Sections are matched by id and kept in the new order (a removed section stays where it
    was); then sentences deleted in one place and inserted word for word elsewhere are marked
    moved (:func:`mark_moves`).
    """
    old_by_id = {s.ident: s for s in old.sections}
    new_ids = {s.ident for s in new.sections}
    sections: list[SectionDiff] = []
    old_order = [s.ident for s in old.sections]
    emitted: set[str] = set()

    def removed_before(ident: str | None) -> None:
        limit = old_order.index(ident) if ident in old_order else len(old_order)
        for other in old_order[:limit]:
            if other not in new_ids and other not in emitted:
                sections.append(diff_sections(old_by_id[other], None))
                emitted.add(other)

    for section in new.sections:
        removed_before(section.ident)
        sections.append(diff_sections(old_by_id.get(section.ident), section))
    removed_before(None)
    return mark_moves(DocumentDiff(tuple(sections)))


def _movable(block: BlockDiff) -> bool:
    return block.block.kind == "prose" and block.block.tag not in ("ref", "title", "keywords")


def mark_moves(diff: DocumentDiff) -> DocumentDiff:
    """Mark each removed sentence that reappears word for word (same token keys) as added
    elsewhere: the old place becomes ``moved-from``, the new one ``moved-to``, both with the
    same move number and the other place's section title. Pairs are taken in reading order."""
    removed: dict[tuple[str, ...], list[tuple[int, int, int, int]]] = {}
    added: list[tuple[tuple[str, ...], tuple[int, int, int, int]]] = []
    for si, section in enumerate(diff.sections):
        for part, blocks in enumerate((section.blocks, section.notes)):
            for bi, block in enumerate(blocks):
                if not _movable(block):
                    continue
                for ti, sentence in enumerate(block.sentences):
                    keys = tuple(t.key for _, toks in sentence.ops for t in toks)
                    if sentence.status == "removed":
                        removed.setdefault(keys, []).append((si, part, bi, ti))
                    elif sentence.status == "added":
                        added.append((keys, (si, part, bi, ti)))
    moves: dict[tuple[int, int, int, int], tuple[str, int, int]] = {}
    number = 0
    for keys, place in added:
        if removed.get(keys):
            number += 1
            origin = removed[keys].pop(0)
            moves[origin] = ("moved-from", number, place[0])
            moves[place] = ("moved-to", number, origin[0])
    if not moves:
        return diff
    titles = [s.title_text for s in diff.sections]
    sections = []
    for si, section in enumerate(diff.sections):
        parts = []
        for part, blocks in enumerate((section.blocks, section.notes)):
            new_blocks = []
            for bi, block in enumerate(blocks):
                sentences = list(block.sentences)
                for ti, sentence in enumerate(sentences):
                    if (si, part, bi, ti) in moves:
                        status, n, other = moves[(si, part, bi, ti)]
                        plain = tuple(t for _, toks in sentence.ops for t in toks)
                        sentences[ti] = SentenceDiff(status, (("equal", plain),), n, titles[other])
                new_blocks.append(replace(block, sentences=tuple(sentences)))
            parts.append(tuple(new_blocks))
        sections.append(replace(section, blocks=parts[0], notes=parts[1]))
    return DocumentDiff(tuple(sections))


# =========================================================================== summary


@dataclass(frozen=True)
class Counts:
    """Changes in one section. Sentences include table cells, captions and notes; a citation,
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
        if s.status in ("added", "removed", "changed"):
            for op, tokens in s.ops:
                if op == "insert":
                    c["words_added"] += _words(tokens)
                elif op == "delete":
                    c["words_removed"] += _words(tokens)

    sentence(section.title)
    for block in (*section.blocks, *section.notes):
        whole = block.status in ("added", "removed") and block.block.kind in ("table", "figure")
        for s in () if whole else (*block.sentences, *block.caption):
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


# =========================================================================== HTML


LABELS = {"insert": "inserted: ", "delete": "deleted: "}


def _ops_html(ops: Sequence[tuple[str, Sequence[Token]]]) -> str:
    out: list[str] = []
    first = True
    previous = ""
    for op, tokens in ops:
        if not tokens:
            continue
        # a replacement reads "<del>old</del> <ins>new</ins>": a space between the two
        space = " " if (tokens[0].space or previous == "delete") and not first else ""
        previous = op
        body = "".join((" " if t.space and i else "") + t.html for i, t in enumerate(tokens))
        if op == "equal":
            out.append(space + body)
        else:
            tag = "ins" if op == "insert" else "del"
            out.append(f'{space}<{tag}><span class="vh">{LABELS[op]}</span>{body}</{tag}>')
        first = False
    return "".join(out)


def sentence_html(s: SentenceDiff) -> str:
    """A sentence as HTML: ``<ins>``/``<del>`` with hidden labels; moved ones with a visible
    note naming the other place (linked both ways by ``#move-N-from``/``#move-N-to``)."""
    if s.status == "moved-from":
        return (
            f'<del class="moved" id="move-{s.move}-from"><span class="vh">moved away: </span>'
            f"{_ops_html(s.ops)}</del>"
            f' <a class="move-note" href="#move-{s.move}-to">[moved to {html.escape(s.where)}]</a>'
        )
    if s.status == "moved-to":
        return (
            f'<ins class="moved" id="move-{s.move}-to"><span class="vh">moved here: </span>'
            f"{_ops_html(s.ops)}</ins>"
            f' <a class="move-note" href="#move-{s.move}-from">'
            f"[moved from {html.escape(s.where)}]</a>"
        )
    return _ops_html(s.ops)


def _sentences_html(sentences: Sequence[SentenceDiff]) -> str:
    return " ".join(sentence_html(s) for s in sentences)


_BLOCK_LABELS = {"added": "Added", "removed": "Removed", "changed": "Changed"}


def _plain_html(sentences: Sequence[SentenceDiff]) -> str:
    """Sentences shown without marks (inside a table or figure added or removed whole)."""
    return " ".join(_ops_html([("equal", toks) for _, toks in s.ops]) for s in sentences)


def _whole_block(block: BlockDiff, what: str, inner: str) -> str:
    """A table or figure added or removed as a whole: one ``<ins>``/``<del>`` around it."""
    tag = "ins" if block.status == "added" else "del"
    label = "inserted" if block.status == "added" else "deleted"
    return f'<{tag} class="block"><span class="vh">{label} {what}: </span>{inner}</{tag}>'


def _table_html(block: BlockDiff) -> str:
    b = block.block
    whole = block.status in ("added", "removed")
    caption = _plain_html(block.caption) if whole else _sentences_html(block.caption)
    status = f' <span class="block-label">({block.status})</span>' if block.status != "same" else ""
    parts = [f'<div class="table-wrap {block.status}"><table>']
    parts.append(f"<caption>{caption}{status}</caption>")
    header = (
        b.header_rows
        if block.status in ("added", "removed") or block.new is None
        else (block.new.header_rows)
    )
    for i, (row_status, cells) in enumerate(block.rows):
        cell_tag = "th" if i < header else "td"
        scope = ' scope="col"' if cell_tag == "th" else ""
        row_class = f' class="row-{row_status}"' if row_status != "same" else ""
        label = ""
        if row_status in ("added", "removed") and not whole:
            label = f'<span class="vh">row {row_status}: </span>'
        cells_html = []
        for k, cell in enumerate(cells):
            cls = f' class="cell-{cell.status}"' if cell.status != "same" and not whole else ""
            text = _plain_html([cell]) if whole else sentence_html(cell)
            cells_html.append(
                f"<{cell_tag}{scope}{cls}>{label if k == 0 else ''}{text}</{cell_tag}>"
            )
        row_class = row_class if not whole else ""
        parts.append(f"<tr{row_class}>{''.join(cells_html)}</tr>")
    parts.append("</table></div>")
    return _whole_block(block, "table", "".join(parts)) if whole else "".join(parts)


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def _figure_html(block: BlockDiff, labels: tuple[str, str]) -> str:
    caption = _sentences_html(block.caption)
    if block.image_changed and block.old is not None and block.new is not None:
        sides = []
        for which, fig, label in (("old", block.old, labels[0]), ("new", block.new, labels[1])):
            sides.append(
                f'<figure class="side {which}"><img src="{_data_uri(fig.image, fig.mime)}"'
                f' alt="{html.escape(fig.alt)}"><figcaption>{html.escape(label)}</figcaption>'
                "</figure>"
            )
        return (
            f'<figure class="figure changed"><div class="side-by-side">{"".join(sides)}</div>'
            f'<figcaption>{caption} <span class="block-label">(picture changed: old left, '
            "new right)</span></figcaption></figure>"
        )
    b = block.block
    whole = block.status in ("added", "removed")
    if whole:
        caption = _plain_html(block.caption)
    status = f' <span class="block-label">({block.status})</span>' if block.status != "same" else ""
    figure = (
        f'<figure class="figure {block.status}"><img src="{_data_uri(b.image, b.mime)}"'
        f' alt="{html.escape(b.alt)}"><figcaption>{caption}{status}</figcaption></figure>'
    )
    return _whole_block(block, "figure", figure) if whole else figure


def _prose_html(block: BlockDiff) -> str:
    b = block.block
    body = _sentences_html(block.sentences)
    label = ""
    if block.status in ("added", "removed"):
        label = f'<span class="block-label">{_BLOCK_LABELS[block.status]} paragraph:</span> '
    cls = f' class="{block.status}"' if block.status != "same" else ""
    if b.tag in ("li", "oli"):
        return f"<li{cls}>{body}</li>"
    if b.tag.startswith("h") and b.tag[1:].isdigit():
        return f"<{b.tag}{cls}>{body}</{b.tag}>"
    if b.tag == "title":
        return f'<p class="article-title">{body}</p>'
    if b.tag == "keywords":
        return f'<p class="keywords"><span class="keywords-label">Keywords:</span> {body}</p>'
    if b.tag == "pre":
        return f"<pre{cls}>{body}</pre>"
    if b.tag == "blockquote":
        return f"<blockquote{cls}><p>{label}{body}</p></blockquote>"
    if b.tag == "ref":
        entry_label = ""
        if block.status != "same":
            entry_label = f'<span class="block-label">{_BLOCK_LABELS[block.status]} entry:</span> '
        return f'<p class="ref-entry{" " + block.status if cls else ""}">{entry_label}{body}</p>'
    if b.tag == "note":
        return body
    return f"<p{cls}>{label}{body}</p>"


def _anchor(markup: str, block: BlockDiff, changes: list[str] | None) -> str:
    """Give a changed block's first element the id ``change-N`` (N counts in ``changes``)."""
    if changes is None or block.status == "same":
        return markup
    changes.append(f"change-{len(changes) + 1}")
    return re.sub(r"^<(\w+)", lambda m: f'<{m.group(1)} id="{changes[-1]}"', markup, count=1)


def _blocks_html(
    blocks: Sequence[BlockDiff], labels: tuple[str, str], changes: list[str] | None = None
) -> str:
    out: list[str] = []
    open_list: tuple[str, int] | None = None
    for block in blocks:
        b = block.block
        if b.kind == "prose" and b.tag in ("li", "oli"):
            wanted = ("ul" if b.tag == "li" else "ol", b.group)
            if open_list != wanted:
                if open_list:
                    out.append(f"</{open_list[0]}>")
                out.append(f"<{wanted[0]}>")
                open_list = wanted
        elif open_list:
            out.append(f"</{open_list[0]}>")
            open_list = None
        if b.kind == "table":
            out.append(_anchor(_table_html(block), block, changes))
        elif b.kind == "figure":
            out.append(_anchor(_figure_html(block, labels), block, changes))
        else:
            out.append(_anchor(_prose_html(block), block, changes))
    if open_list:
        out.append(f"</{open_list[0]}>")
    return "\n".join(out)


def _notes_html(notes: Sequence[BlockDiff], changes: list[str] | None = None) -> str:
    if not notes:
        return ""
    items = []
    for note in notes:
        cls = f' class="{note.status}"' if note.status != "same" else ""
        label = ""
        if note.status in ("added", "removed"):
            label = f'<span class="block-label">{_BLOCK_LABELS[note.status]} note:</span> '
        number = f' value="{note.block.group}"' if note.block.group else ""
        item = f"<li{number}{cls}>{label}{_sentences_html(note.sentences)}</li>"
        items.append(_anchor(item, note, changes))
    return f'<aside class="notes"><p class="notes-title">Notes</p><ol>{"".join(items)}</ol></aside>'


def _jump_html(changes: Sequence[str]) -> str:
    """Links to every changed block, in reading order."""
    if not changes:
        return ""
    links = " ".join(f'<a href="#{c}">{i}</a>' for i, c in enumerate(changes, 1))
    return f'<nav class="jump" aria-label="Changed places"><p>Go to a change: {links}</p></nav>'


def _summary_html(rows: Sequence[Counts]) -> str:
    head = (
        '<tr><th scope="col" rowspan="2">Section</th>'
        '<th scope="colgroup" colspan="4">Sentences</th>'
        '<th scope="colgroup" colspan="2">Words</th>'
        '<th scope="col" rowspan="2">Tables, figures</th></tr>'
        '<tr><th scope="col">added</th><th scope="col">removed</th><th scope="col">changed</th>'
        '<th scope="col">moved</th><th scope="col">added</th><th scope="col">removed</th></tr>'
    )
    body = []
    totals = [0] * 8
    for row in rows:
        values = [
            row.sentences_added,
            row.sentences_removed,
            row.sentences_changed,
            row.sentences_moved,
            row.words_added,
            row.words_removed,
            row.tables + row.figures,
        ]
        for i, v in enumerate(values):
            totals[i] += v
        extra = []
        if row.tables:
            extra.append(f"{row.tables} table{'s' * (row.tables != 1)}")
        if row.figures:
            pictures = f" ({row.images} picture{'s' * (row.images != 1)})" if row.images else ""
            extra.append(f"{row.figures} figure{'s' * (row.figures != 1)}{pictures}")
        cells = "".join(f"<td>{v}</td>" for v in values[:6])
        other = ", ".join(extra) or "0"
        cls = ' class="unchanged"' if not row.total and not row.words_added else ""
        body.append(
            f'<tr{cls}><th scope="row"><a href="#diff-{html.escape(row.ident)}">'
            f"{html.escape(row.section)}</a></th>{cells}<td>{other}</td></tr>"
        )
    foot = "".join(f"<td>{v}</td>" for v in totals[:7])
    return (
        '<table class="summary"><caption>Changes per section (in the reference list, sentences'
        " are entries)</caption>"
        f"<thead>{head}</thead><tbody>{''.join(body)}</tbody>"
        f'<tfoot><tr><th scope="row">Total</th>{foot}</tr></tfoot></table>'
    )


LEGEND = (
    '<section class="legend" aria-labelledby="legend-title">'
    '<h2 id="legend-title">How to read the marks</h2><ul>'
    '<li><ins><span class="vh">inserted: </span>inserted text</ins>: added in the new revision'
    " (underlined, green)</li>"
    '<li><del><span class="vh">deleted: </span>deleted text</del>: removed from the old revision'
    " (struck through, red)</li>"
    '<li><ins class="moved"><span class="vh">moved here: </span>moved sentence</ins>'
    ' <span class="move-note">[moved from …]</span> and <del class="moved"><span class="vh">'
    'moved away: </span>moved sentence</del> <span class="move-note">[moved to …]</span>: a'
    " sentence that moved unchanged (blue, dashed); the note links the other place</li>"
    "<li>Citations and the reference list are compared as they print (after citeproc), so a"
    " changed citekey or page locator shows as a changed citation.</li>"
    "<li>A changed figure shows the old picture on the left and the new one on the right.</li>"
    "</ul></section>"
)


@dataclass(frozen=True)
class RevisionInfo:
    """A resolved revision: full commit hash, short hash, commit date, subject, and the
    revision as the user wrote it."""

    commit: str
    short: str = ""
    date: str = ""
    subject: str = ""
    given: str = ""

    def label(self) -> str:
        given = f"{self.given} = " if self.given and self.given != self.short else ""
        return f"{given}{self.short} ({self.date})"


def diff_html(
    diff: DocumentDiff,
    old: RevisionInfo,
    new: RevisionInfo,
    css: str,
    borrowed: Sequence[str] = (),
) -> str:
    """The tracked-changes document as a standalone HTML5 page (CSS inline, pictures as
    ``data:`` URLs, so the one file is the whole document).

    Args:
        diff: the diff (:func:`diff_documents`).
        old, new: the two revisions, for the header.
        css: the stylesheet text (``styles/diff/diff.css``).
        borrowed: notes on files a revision lacked and took from the other one.

    Returns:
        the HTML text. With no change, the page says "No changes" and has no article body.
    """
    title_section = next((s for s in diff.sections if s.ident == "front-matter"), None)
    title_text = ""
    if title_section:
        for block in title_section.blocks:
            if block.block.tag == "title":
                title_text = plain_text(
                    t for s in block.sentences for op, toks in s.ops if op != "delete" for t in toks
                )
    revisions = (
        f'<p class="revisions">From <code>{html.escape(old.short)}</code> '
        f"({html.escape(old.date)}, “{html.escape(old.subject)}”) to "
        f"<code>{html.escape(new.short)}</code> ({html.escape(new.date)}, "
        f"“{html.escape(new.subject)}”).</p>"
    )
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in borrowed)
    borrowed_html = (
        '<div class="borrowed"><p>Files a revision lacked (or had only for an earlier'
        f" pipeline), taken from elsewhere:</p><ul>{notes}</ul></div>"
        if notes
        else ""
    )
    page_title = f"Tracked changes {old.short} to {new.short}"
    if title_text:
        page_title += f": {title_text}"
    if not diff.changed:
        body = (
            f'<main><p class="no-changes" role="status">No changes: the article is the same at '
            f"<code>{html.escape(old.short)}</code> and <code>{html.escape(new.short)}</code>."
            "</p></main>"
        )
        summary = ""
    else:
        labels = (f"Old ({old.short})", f"New ({new.short})")
        changes: list[str] = []
        parts = []
        for section in diff.sections:
            heading = sentence_html(section.title) if section.title.ops else "Title and abstract"
            label = ""
            if section.status in ("added", "removed"):
                label = f' <span class="block-label">(section {section.status})</span>'
            hid = f"diff-{section.ident}"
            parts.append(
                f'<section class="article-section {section.status}" aria-labelledby="{hid}">'
                f'<h2 id="{hid}">{heading}{label}</h2>\n'
                f"{_blocks_html(section.blocks, labels, changes)}\n"
                f"{_notes_html(section.notes, changes)}</section>"
            )
        body = "<main>" + "\n".join(parts) + "</main>"
        summary = (
            '<section class="summary-section" aria-labelledby="summary-title">'
            '<h2 id="summary-title">Summary</h2>'
            f"{_summary_html(summary_rows(diff))}{_jump_html(changes)}</section>"
        )
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(page_title)}</title>\n<style>\n{css}\n</style>\n</head>\n<body>\n"
        f'<header class="diff-header"><p class="kicker">Tracked changes</p>'
        f"<h1>{html.escape(title_text or 'The article')}</h1>{revisions}{borrowed_html}"
        f"</header>\n{LEGEND}\n{summary}\n{body}\n</body>\n</html>\n"
    )


# =========================================================================== edge: git


def _git(root: Path, *args: str, binary: bool = False) -> Any:
    process = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    if binary:
        return process
    return subprocess.CompletedProcess(
        process.args,
        process.returncode,
        process.stdout.decode("utf-8", "replace"),
        process.stderr.decode("utf-8", "replace"),
    )


def resolve_revision(root: Path, revision: str) -> RevisionInfo:
    """Resolve a revision to its commit.

    Raises:
        RevisionError: empty, not a commit git knows, or a commit without ``manuscript/``
            (before the manuscript was first committed).
    """
    revision = str(revision).strip()
    if not revision:
        raise RevisionError(
            "no revision given",
            hint="run: snakemake --cores 2 diff --config diff_from=REV diff_to=REV",
        )
    process = _git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )
    if process.returncode != 0 or revision.startswith("-"):
        raise RevisionError(
            f"unknown revision {revision!r}: git knows no commit, tag or branch of that name",
            hint="give a commit hash, tag or branch: see `git log --oneline`, `git tag`, "
            "`git branch -a`",
        )
    commit = process.stdout.strip()
    show = _git(root, "show", "-s", "--format=%h%x00%cs%x00%s", commit).stdout.strip()
    short, date, subject = (show.split("\x00") + ["", "", ""])[:3]
    info = RevisionInfo(commit, short, date, subject, revision)
    listed = _git(root, "ls-tree", "--name-only", commit, "--", "manuscript").stdout.split()
    if "manuscript" not in listed:
        first = _git(root, "log", "--reverse", "--format=%h", "--", "manuscript").stdout.split()
        since = f"; it was first committed in {first[0]}" if first else ""
        raise RevisionError(
            f"revision {revision!r} ({short}, {date}) has no manuscript/: it predates the "
            f"manuscript{since}",
            hint="choose a revision listed by `git log --oneline -- manuscript`",
        )
    return info


def commit_or_given(revision: Any, root: str | Path = ".") -> str:
    """The commit a revision names, else the revision as given (for the workflow's params:
    a moved branch then reruns the diff; a bad revision is reported by :func:`command`)."""
    given = str(revision if revision is not None else "")
    if not given or given.startswith("-"):
        return given
    process = _git(Path(root), "rev-parse", "--verify", "--quiet", f"{given}^{{commit}}")
    return process.stdout.strip() if process.returncode == 0 else given


def export_revision(root: Path, info: RevisionInfo, dest: Path) -> list[str]:
    """Write the article's files at ``info`` (:data:`ARTICLE_PATHS` that exist there) into
    ``dest`` with ``git archive | tar -x``; the working tree and the index are not touched.

    Returns:
        the paths exported.

    Raises:
        DiffError: git archive or tar fails.
    """
    present = _git(root, "ls-tree", "--name-only", info.commit, "--", *ARTICLE_PATHS).stdout
    paths = [p for p in ARTICLE_PATHS if p in present.split()]
    dest.mkdir(parents=True, exist_ok=True)
    archive = _git(root, "archive", "--format=tar", info.commit, "--", *paths, binary=True)
    if archive.returncode != 0:
        raise DiffError(
            f"git archive failed for {info.short}: {archive.stderr.decode(errors='replace')}",
            hint="check that the repository is readable",
        )
    untar = subprocess.run(
        ["tar", "-x", "-C", str(dest)], input=archive.stdout, capture_output=True, check=False
    )
    if untar.returncode != 0:
        raise DiffError(
            f"tar failed for {info.short}: {untar.stderr.decode(errors='replace')}",
            hint="check free space in the temporary folder",
        )
    return paths


def borrow_missing(dirs: dict[str, Path], names: dict[str, str]) -> list[str]:
    """Copy files the pipeline needs that one revision lacks from the other revision's export.

    Needed: ``manuscript/citation-corrections.yaml`` and every ``figures/*.py`` of the other
    revision. Returns notes such as ``"manuscript/citation-corrections.yaml: cf50cb2 lacks it,
    taken from e97325e"``.
    """
    notes = []
    keys = list(dirs)
    for this, other in ((keys[0], keys[1]), (keys[1], keys[0])):
        wanted = ["manuscript/citation-corrections.yaml"] + sorted(
            str(p.relative_to(dirs[other])) for p in (dirs[other] / "figures").glob("*.py")
        )
        for rel in wanted:
            source, target = dirs[other] / rel, dirs[this] / rel
            if source.is_file() and not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
                notes.append(f"{rel}: {names[this]} lacks it, taken from {names[other]}")
    return notes


def stale_scripts(folder: Path) -> list[tuple[str, str]]:
    """The scripts of an export's ``figures/`` that import a module of the ``build`` package
    that this pipeline lacks (written for an earlier pipeline: ``build.summits`` before the
    article's code moved to figures/), as ``(path relative to folder, module)``."""
    import ast
    import importlib.util

    found = []
    for script in sorted((folder / "figures").glob("*.py")):
        try:
            tree = ast.parse(script.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue  # the script's own error, reported when it runs
        modules = [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ] + [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and not node.level
        ]
        for module in modules:
            if module.startswith("build.") and importlib.util.find_spec(module) is None:
                found.append((str(script.relative_to(folder)), module))
                break
    return found


def replace_stale_scripts(dirs: dict[str, Path], names: dict[str, str], project: Path) -> list[str]:
    """Replace the scripts :func:`stale_scripts` finds in each export by the other revision's
    (when that one is not stale too), else by the project's own (``project/figures``), with
    the helper modules they need; give a table or figure a section file places but neither
    revision has a script for the project's script. Returns notes for the diff's header."""
    notes = []
    keys = list(dirs)
    stale = {side: stale_scripts(dirs[side]) for side in keys}  # before anything is replaced
    missing = {
        side: [
            f"figures/{ident}.py"
            for ident in _placeholders(dirs[side])
            if not (dirs[side] / "figures" / f"{ident}.py").exists()
        ]
        for side in keys
    }
    for this, other in ((keys[0], keys[1]), (keys[1], keys[0])):
        unusable = {rel for rel, _ in stale[other]} | set(missing[other])
        wanted = [
            (rel, f"needs {module}, which this pipeline lacks") for rel, module in stale[this]
        ]
        wanted += [(rel, "lacks it") for rel in missing[this]]
        for rel, why in wanted:
            if (dirs[other] / rel).is_file() and rel not in unusable:
                source, origin = dirs[other], names[other]
            elif (project / rel).is_file():
                source, origin = project, "the working tree"
            else:
                continue
            shutil.copyfile(source / rel, dirs[this] / rel)
            for helper in sorted((source / "figures").glob("*.py")):
                if not helper.name.startswith(("fig-", "tbl-")):
                    shutil.copyfile(helper, dirs[this] / "figures" / helper.name)
            notes.append(f"{rel}: {names[this]} {why}, taken from {origin}")
    return notes


def _placeholders(workdir: Path) -> list[str]:
    ids: list[str] = []
    for section in sorted((workdir / "manuscript").glob("[0-9][0-9]-*.md")):
        for ident in PLACEHOLDER_RE.findall(section.read_text(encoding="utf-8")):
            if ident not in ids:
                ids.append(ident)
    return ids


def _first_error(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    for line in lines:
        if line.startswith("error:") or "Error" in line.split(" ")[0]:
            return line
    return lines[0] if lines else "no message"


def same_generated_inputs(old: Path, new: Path) -> bool:
    """True when two exports make the same generated tables and figures: the same files under
    ``manuscript/data`` and ``figures`` (byte for byte), and every placeholder of ``old`` is
    placed in ``new`` too (so building ``new``'s makes all of ``old``'s)."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for folder in ("manuscript/data", "figures")
            for p in sorted((root / folder).rglob("*"))
            if p.is_file()
        }

    return files(old) == files(new) and set(_placeholders(old)) <= set(_placeholders(new))


def start_revision_build(
    workdir: Path, snakefile: Path, config: Path, log: Path, generated: bool = True
) -> Any:
    """Start building the generated inputs of the article in ``workdir`` with the current
    workflow (``snakefile``): the normalized Markdown and (with ``generated``) every generated
    table and figure the section files place. Returns the running process (its output goes to
    ``log``)."""
    (workdir / "config").mkdir(exist_ok=True)
    for name in ("config.yaml", "schema.yaml"):
        if (config.parent / name).is_file():
            shutil.copyfile(config.parent / name, workdir / "config" / name)
    targets = ["output/cite/article.md"]
    for ident in _placeholders(workdir) if generated else ():
        targets.append(f"output/generated/{ident}.md")
        if ident.startswith("fig-"):
            targets.append(f"output/generated/{ident}.svg")
    log.parent.mkdir(parents=True, exist_ok=True)
    handle = open(log, "wb")  # noqa: SIM115 - closed by finish_revision_build
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "snakemake",
            *targets,
            "--snakefile",
            str(snakefile),
            "--directory",
            str(workdir),
            "--cores",
            "2",
            "--nolock",
            "--config",
            "lint=warn",  # an old revision may predate today's lint rules: its lint warns
            "--quiet",
            "all",
        ],
        stdout=handle,
        stderr=subprocess.STDOUT,
        env={**os.environ, "TZ": "UTC", "LC_ALL": "C.UTF-8"},
    )
    process.log_handle = handle  # type: ignore[attr-defined]
    return process


def finish_revision_build(
    process: Any, workdir: Path, info: RevisionInfo, log: Path, generated_from: Path | None = None
) -> Any:
    """Wait for :func:`start_revision_build`, then parse the article there with citeproc
    (``article render --to json``, the render stage of the current pipeline). With
    ``generated_from``, the generated tables and figures are copied from that folder first.

    Returns:
        the article's AST.

    Raises:
        RevisionBuildError: a rule or pandoc failed; the message is the first error line,
            the hint names the log.
    """
    code = process.wait()
    process.log_handle.close()
    if code == 0 and generated_from is not None:
        shutil.copytree(
            generated_from / "output" / "generated",
            workdir / "output" / "generated",
            dirs_exist_ok=True,
        )
    if code == 0:
        render = subprocess.run(
            [
                sys.executable,
                "-m",
                "build.cli",
                "render",
                "--to",
                "json",
                "--markdown",
                "output/cite/article.md",
                "--metadata",
                "manuscript/metadata.yaml",
                "--bibliography",
                "refs.bib",
                "--config",
                "config/config.yaml",
                "--output",
                "output/render/article.json",
            ],
            cwd=workdir,
            capture_output=True,
            check=False,
            env={**os.environ, "TZ": "UTC", "LC_ALL": "C.UTF-8"},
        )
        with open(log, "ab") as handle:
            handle.write(render.stdout + render.stderr)
        code = render.returncode
    if code != 0:
        text = log.read_text(encoding="utf-8", errors="replace")
        raise RevisionBuildError(
            f"the article at {info.given} ({info.short}) does not build with the current "
            f"pipeline: {_first_error(text)}",
            hint=f"full log: {log}; fix the revision's manuscript or choose another revision",
        )
    return json.loads((workdir / "output/render/article.json").read_text(encoding="utf-8"))


# =========================================================================== edge: files


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(path, data)


def write_pdf(html_text: str, output: Path) -> int:
    """Paginate the diff HTML with WeasyPrint (PDF/UA-1 variant) and write it atomically.

    Only ``data:`` URLs and the diff styles may be loaded (the render stage's confined
    fetcher). Returns the number of pages.

    Raises:
        DiffError: WeasyPrint refused a resource.
    """
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from build.render import _confined_fetcher

    fetcher = _confined_fetcher([DIFF_CSS.parent])
    try:
        document = HTML(
            string=html_text, base_url=DIFF_CSS.parent.as_uri() + "/", url_fetcher=fetcher
        ).render(pdf_variant="pdf/ua-1")
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    except FatalURLFetchingError as error:  # derives from BaseException
        raise DiffError(
            f"WeasyPrint refused a resource: {error}",
            hint="the diff document may only use data: URLs",
        ) from None
    _write_atomic(output, data)
    return len(document.pages)


def make_diff(
    root: Path,
    from_rev: str,
    to_rev: str,
    snakefile: Path,
    log_dir: Path,
) -> tuple[DocumentDiff, RevisionInfo, RevisionInfo, list[str]]:
    """Build the article at both revisions (in temporary folders) and diff them.

    Identical commits are not built: the diff is empty.

    Raises:
        RevisionError, RevisionBuildError: see :func:`resolve_revision`,
            :func:`finish_revision_build`.
    """
    old = resolve_revision(root, from_rev)
    new = resolve_revision(root, to_rev)
    if old.commit == new.commit:
        return DocumentDiff(()), old, new, []
    with tempfile.TemporaryDirectory(prefix="article-diff-") as tmp:
        dirs = {"old": Path(tmp) / "old", "new": Path(tmp) / "new"}
        infos = {"old": old, "new": new}
        for side, path in dirs.items():
            export_revision(root, infos[side], path)
        short = {"old": old.short, "new": new.short}
        borrowed = borrow_missing(dirs, short)
        borrowed += replace_stale_scripts(dirs, short, root)
        config = root / "config" / "config.yaml"
        logs = {side: log_dir / f"build-{side}-{infos[side].short}.log" for side in dirs}
        # the same data and figure scripts: draw the tables and figures once (for "new")
        reuse = same_generated_inputs(dirs["old"], dirs["new"])
        running = {
            side: start_revision_build(
                dirs[side], snakefile, config, logs[side], generated=not (reuse and side == "old")
            )
            for side in dirs
        }
        asts = {}
        errors: list[PipelineError] = []
        for side in ("new", "old"):
            source = dirs["new"] if reuse and side == "old" and "new" in asts else None
            try:
                asts[side] = finish_revision_build(
                    running[side], dirs[side], infos[side], logs[side], source
                )
            except RevisionBuildError as error:
                errors.append(error)
        if errors:
            raise errors[0] if len(errors) == 1 else _DiffErrors(errors)
        documents = {side: document_from_ast(asts[side], dirs[side]) for side in dirs}
    return diff_documents(documents["old"], documents["new"]), old, new, borrowed


class _DiffErrors(ErrorList, DiffError):
    """Both revisions failed to build."""


# =========================================================================== key order


def _resolve(schema: dict[str, Any], schema_dir: Path, base: dict[str, Any]) -> list[Any]:
    """The schema (and its base document) after following ``$ref``; ``oneOf``/``anyOf``/
    ``allOf`` give every branch."""
    if "$ref" in schema:
        ref = schema["$ref"]
        file, _, pointer = ref.partition("#")
        doc = json.loads((schema_dir / file).read_text(encoding="utf-8")) if file else base
        target: Any = doc
        for part in [p for p in pointer.split("/") if p]:
            target = target[part]
        return _resolve(target, schema_dir, doc)
    branches = [(schema, base)]
    for keyword in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(keyword, []):
            branches.extend(_resolve(branch, schema_dir, base))
    return branches


def _field(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(top level)"


def key_order_problems(path: str, text: str, schema_path: Path) -> list[DataError]:
    """Check that every mapping of a data file lists its keys in the canonical order: the order
    of ``properties`` in its JSON Schema (following ``$ref``, ``oneOf``, ``anyOf``, ``items``).

    Args:
        path: the data file's path (for messages).
        text: its YAML text.
        schema_path: its schema (``manuscript/data/schemas/<stem>.schema.json``).

    Returns:
        one :class:`DataError` per mapping out of order, at the mapping's ``path:line:col``.
        Keys the schema does not list are ignored here (the schema check reports them).
    """
    import yaml

    schema_dir = schema_path.parent
    root_schema = json.loads(schema_path.read_text(encoding="utf-8"))
    problems: list[DataError] = []

    def walk(node: Any, schemas: list[Any], at: tuple[str | int, ...]) -> None:
        branches = [b for s, base in schemas for b in _resolve(s, schema_dir, base)]
        if isinstance(node, yaml.MappingNode):
            keys = [k.value for k, _ in node.value]
            for schema, _base in branches:
                order = list(schema.get("properties", {}))
                if not order or not set(keys) & set(order):
                    continue
                actual = [k for k in keys if k in order]
                expected = [k for k in order if k in actual]
                if actual != expected:
                    mark = node.start_mark
                    problems.append(
                        DataError(
                            f"{_field(at)}: keys in the order {', '.join(actual)}; the "
                            f"canonical order is {', '.join(expected)}",
                            path,
                            mark.line + 1,
                            mark.column + 1,
                            hint=f"reorder the keys as in {schema_path.name} (properties)",
                        )
                    )
                break
            for key, value in node.value:
                subs = [
                    (s["properties"][key.value], base)
                    for s, base in branches
                    if key.value in s.get("properties", {})
                ]
                walk(value, subs, (*at, key.value))
        elif isinstance(node, yaml.SequenceNode):
            subs = [(s["items"], base) for s, base in branches if isinstance(s.get("items"), dict)]
            for i, item in enumerate(node.value):
                walk(item, subs, (*at, i))

    walk(yaml.compose(text, Loader=yaml.SafeLoader), [(root_schema, root_schema)], ())
    return problems


# =========================================================================== CLI


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article diff``."""
    parser.add_argument("--from", dest="from_rev", help="the old revision (commit, tag, branch)")
    parser.add_argument("--to", dest="to_rev", help="the new revision")
    parser.add_argument("--html", help="where to write the tracked-changes HTML")
    parser.add_argument("--pdf", help="where to write its PDF")
    parser.add_argument("--snakefile", default="Snakefile", help="the current workflow")
    parser.add_argument("--log-dir", default="output/logs/diff", help="logs of the two builds")
    parser.add_argument(
        "--check-key-order",
        nargs="+",
        metavar="FILE",
        help="instead: check that data files keep their schema's key order",
    )


def command(
    from_rev: str | None = None,
    to_rev: str | None = None,
    html: str | None = None,
    pdf: str | None = None,
    snakefile: str = "Snakefile",
    log_dir: str = "output/logs/diff",
    check_key_order: Sequence[str] | None = None,
) -> int:
    """``article diff``: write the tracked-changes HTML (and PDF), or check data key order.

    Returns 0; prints "no changes" when the revisions give the same article.

    Raises:
        RevisionError, RevisionBuildError, DiffError; DataError (an ErrorList) for key order.
    """
    if check_key_order:
        problems: list[DataError] = []
        for name in check_key_order:
            data_path = Path(name)
            schema = data_path.parent / "schemas" / f"{data_path.stem}.schema.json"
            problems += key_order_problems(name, data_path.read_text(encoding="utf-8"), schema)
        if problems:
            raise _KeyOrderErrors(problems)
        print(f"key order ok: {len(check_key_order)} files", file=sys.stderr)
        return 0
    if not html:
        raise DiffError("no output", hint="give --html (and --pdf)")
    root = Path.cwd()
    diff, old, new, borrowed = make_diff(
        root, from_rev or "", to_rev or "", Path(snakefile).resolve(), Path(log_dir)
    )
    text = diff_html(diff, old, new, DIFF_CSS.read_text(encoding="utf-8"), borrowed)
    _write_atomic(Path(html), text.encode("utf-8"))
    if pdf:
        pages = write_pdf(text, Path(pdf))
        print(f"diff: {pdf}: {pages} pages", file=sys.stderr)
    if not diff.changed:
        print(f"no changes between {old.label()} and {new.label()}", file=sys.stderr)
        return 0
    for row in summary_rows(diff):
        if row.total or row.words_added or row.words_removed:
            print(
                f"{row.section}: +{row.sentences_added} -{row.sentences_removed} "
                f"~{row.sentences_changed} moved {row.sentences_moved} sentences, "
                f"+{row.words_added} -{row.words_removed} words, "
                f"{row.tables} tables, {row.figures} figures",
                file=sys.stderr,
            )
    return 0


class _KeyOrderErrors(ErrorList, DataError):
    """Data files whose keys are out of the canonical order."""
