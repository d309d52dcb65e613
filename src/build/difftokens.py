"""Revision diffs, part 1: the article of a pandoc AST as tokens to compare.

Terms (used by every ``build.diff*`` module and :mod:`build.trackchanges`):

* *AST*: pandoc's JSON AST of the article at one revision, citations already rendered by
  citeproc (so a citation is compared by what it renders to, not by its citekey).
* *token*: one unit of comparison: a word (pandoc ``Str``), a whole rendered citation, a whole
  link text (cross-references such as "Figure 1"), or a note call. Its ``key`` is compared, its
  ``html`` is shown. A word's key carries its emphasis (``em:word``), so a change of emphasis
  is a change.
* *sentence*: the tokens of one sentence of a paragraph, found by punctuation as
  ``build.linebreaks`` finds them (:func:`_ends_sentence`), not by line ends: a soft line break
  is a space, so re-wrapping a paragraph or reflowing it to one sentence per line changes no
  token; also a table cell, a caption or a reference-list entry.
* *block*: a paragraph, list item, heading, table, figure or reference entry.
* *section*: the blocks under one level-1 heading (its id, e.g. ``sec-conclusion``); the title,
  abstract and keywords form the section ``front-matter``; the reference list ``references``.

:func:`document_from_ast` turns an AST into a :class:`Document` (sections of blocks of
sentences of tokens); pure, no I/O except reading figure pictures under the AST's folder.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from build.linebreaks import ABBREVIATIONS

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

#: Marks a forced sentence boundary (between the paragraphs of a note or a cell) in a token
#: stream; :func:`_block_inlines` puts :data:`_BREAK_NODE` there.
_BREAK = Token("", "", "break")
_BREAK_NODE = {"t": "SentenceBreak"}
#: Closing punctuation that may follow a sentence's final stop ("end.)" "end.”").
_CLOSERS = frozenset(")]”’\"'")
#: Opening punctuation that may start a sentence.
_OPENERS = frozenset("([“‘\"'")


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
                # a no-break space is a space: pandoc's smart extension puts one after "p." or
                # "Dr." within a line but not at a line end, so re-wrapping would change it
                for k, piece in enumerate(content.split("\u00a0")):
                    pending[0] = pending[0] or k > 0
                    lead, core, trail = _PUNCT_RE.match(piece).groups()  # type: ignore[union-attr]
                    for part in (*lead, core, *trail):
                        if part:
                            word_kind = "word" if any(ch.isalnum() for ch in part) else "punct"
                            emit(part, html.escape(part), word_kind)
            elif kind == "Space":
                pending[0] = True
            elif kind == "LineBreak":
                pending[0] = True
            elif kind == "SoftBreak":
                pending[0] = True  # a line end prints as a space: re-wrapping changes nothing
            elif kind == "SentenceBreak":
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


def _ends_sentence(tokens: Sequence[Token], i: int) -> bool:
    """True when a sentence ends after ``tokens[i]``: a ``.``, ``!`` or ``?`` (plus closing
    quotes, brackets or note calls) followed by a spaced token that starts with an upper-case
    letter, a digit or opening punctuation, the stop not after an abbreviation (``p.``,
    ``e.g.``, :data:`build.linebreaks.ABBREVIATIONS`) or a single letter (an initial). The rule
    of :func:`build.linebreaks.split_sentences`, on tokens."""
    if i + 1 >= len(tokens):
        return False
    following = tokens[i + 1]
    start = following.plain[:1]
    if following is _BREAK or not following.space or not start:
        return False
    if not (start.isupper() or start.isdigit() or start in _OPENERS or following.kind == "cite"):
        return False
    j = i
    while (
        j > 0 and not tokens[j].space and (tokens[j].kind == "note" or tokens[j].plain in _CLOSERS)
    ):
        j -= 1
    stop = tokens[j]
    if stop.kind != "punct" or stop.plain not in (".", "!", "?"):
        return False
    if stop.plain == "." and j > 0 and not stop.space and tokens[j - 1].kind == "word":
        word = tokens[j - 1].plain.lower()
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            return False
    return True


def _split(tokens: Iterable[Token]) -> tuple[Sentence, ...]:
    """Split a token stream into sentences (:func:`_ends_sentence`, and forced breaks between
    a note's or cell's paragraphs); empty sentences are dropped."""
    items = list(tokens)
    sentences: list[Sentence] = []
    current: list[Token] = []
    for i, token in enumerate(items):
        if token is _BREAK:
            if current:
                sentences.append(tuple(current))
            current = []
            continue
        if not current:
            token = replace(token, space=False)
        current.append(token)
        if _ends_sentence(items, i):
            sentences.append(tuple(current))
            current = []
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
                inlines.append(_BREAK_NODE)
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
