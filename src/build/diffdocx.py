"""Revision diffs, part 5: the diff as a Word file with tracked changes.

From the diff's own model (:class:`build.diffalign.DocumentDiff`, no second diff): every
insertion and deletion becomes a pandoc ``Span`` of class ``insertion`` / ``deletion`` with
the attributes ``author`` and ``date`` (the new revision's commit author and author date),
which pandoc's DOCX writer turns into Word tracked changes (``w:ins`` / ``w:del``, pandoc
manual, "Track changes"). Word's move marks cannot be written by pandoc: a move is a deletion at
its old place and an insertion at its new place, each with a Word comment ("Moved to ...",
"Moved from ...") through pandoc's ``comment-start`` / ``comment-end`` spans.

What the file keeps: emphasis (``Emph``, ``Strong``, underline, strike-out, super- and
subscript, small caps: the wrappers a token's key records, :mod:`build.difftokens`), inside
tracked changes too; headings; tables as Word tables (pandoc ``Table``: caption, header rows,
cells with their tracked changes); notes as Word footnotes at their calls, their text with its
tracked changes (a note whose call was inserted or deleted is inserted or deleted with it). A
figure is its caption (no picture); a citation or cross-reference is its printed text.

Word marks a paragraph's end (its paragraph mark) as inserted or deleted on its own: pandoc
does not, so :func:`mark_paragraphs` marks the paragraph mark of every paragraph whose whole
text is deleted (or inserted) in ``word/document.xml``, and a table row's whole text the row
(``w:trPr``, ECMA-376 Part 1, 17.13.5): accepting (rejecting) every change then leaves no
empty paragraph or row. Pandoc's own reader applies the paragraph marks, not the row marks.

:func:`document_lines` is the text the file holds for one revision (what accepting or
rejecting every change gives), for tests.
"""

from __future__ import annotations

import itertools
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from build.atomic import write_bytes_atomic
from build.diffalign import SPACE, BlockDiff, DocumentDiff, SentenceDiff, opener_spaces
from build.difftokens import Block, Document, Token
from build.revisions import DiffError, RevisionInfo

_NOTE_NUMBER = re.compile(r">(\d+)<")
#: A token's key prefix (``em:``, ``strong:``...) as the pandoc element it came from.
_STYLES = {
    "em": "Emph",
    "strong": "Strong",
    "u": "Underline",
    "s": "Strikeout",
    "sup": "Superscript",
    "sub": "Subscript",
    "sc": "SmallCaps",
}


def _styles(token: Token) -> list[str]:
    """The pandoc wrappers of a token, outermost first (from its key's prefix)."""
    if not token.text or not token.key.endswith(token.text):
        return []
    prefix = token.key[: len(token.key) - len(token.text)]
    return [_STYLES[p] for p in prefix.split(":") if p in _STYLES]


def _word(token: Token) -> dict[str, Any]:
    node: dict[str, Any] = {"t": "Str", "c": token.plain}
    for style in reversed(_styles(token)):
        node = {"t": style, "c": [node]}
    return node


def _side(s: SentenceDiff, side: str) -> list[Token]:
    """The tokens of one revision's text (``old`` or ``new``) in a sentence of the diff: a
    moved sentence is the old text at its old place and the new text at its new place."""
    if s.status == "moved-from":
        return [t for op, toks in s.ops if op != "insert" for t in toks] if side == "old" else []
    if s.status == "moved-to" and side == "old":
        return []
    skip = "insert" if side == "old" else "delete"
    return [t for op, toks in s.ops if op != skip for t in toks]


class _Notes:
    """The notes of the diff in the order of their calls, one queue per revision (a note's
    number is its call's rank in the document, :mod:`build.difftokens`)."""

    def __init__(self, diff: DocumentDiff) -> None:
        notes = [b for section in diff.sections for b in section.notes]
        self.queues = {
            "old": sorted((b for b in notes if b.old is not None), key=lambda b: b.old.group),  # type: ignore[union-attr]
            "new": sorted((b for b in notes if b.new is not None), key=lambda b: b.new.group),  # type: ignore[union-attr]
        }
        self.taken = {"old": 0, "new": 0}

    def take(self, side: str) -> BlockDiff | None:
        """The note of the next call of ``side``'s text (``None``: more calls than notes)."""
        queue, at = self.queues[side], self.taken[side]
        self.taken[side] += 1
        return queue[at] if at < len(queue) else None

    def left(self) -> list[BlockDiff]:
        """The notes no call took (none when every call was met once), in diff order."""
        taken = set(map(id, self.queues["old"][: self.taken["old"]]))
        taken |= set(map(id, self.queues["new"][: self.taken["new"]]))
        seen: list[BlockDiff] = []
        for b in (*self.queues["new"], *self.queues["old"]):
            if id(b) not in taken and all(b is not s for s in seen):
                seen.append(b)
        return seen


class _Writer:
    """Builds the pandoc AST of the tracked-changes document."""

    def __init__(self, author: str, date: str, notes: _Notes) -> None:
        self.attrs = [["author", author or "unknown"], ["date", date]]
        self.comments = 0
        self.notes = notes

    def _mark(self, kind: str, inlines: list[dict[str, Any]]) -> dict[str, Any]:
        return {"t": "Span", "c": [["", [kind], self.attrs], inlines]}

    def _comment(self, text: str, inlines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ident = str(self.comments)
        self.comments += 1
        body = _spaced([{"t": "Str", "c": w} for w in text.split()])
        start = {"t": "Span", "c": [["", ["comment-start"], [["id", ident], *self.attrs]], body]}
        end = {"t": "Span", "c": [["", ["comment-end"], [["id", ident]]], []]}
        return [start, *inlines, end]

    def _note(self, side: str) -> list[dict[str, Any]]:
        """A footnote at a call of ``side``'s text (``both``: a call both revisions have)."""
        if side != "both":
            note = self.notes.take(side)
            return [self._whole_note(note, side)] if note is not None else []
        old, new = self.notes.take("old"), self.notes.take("new")
        if old is not None and old is new:  # one note, its edits tracked inside
            return [{"t": "Note", "c": [{"t": "Para", "c": self.sentences(old.sentences)}]}]
        out = []  # the revisions pair other notes with this call: the old one out, the new in
        if old is not None:
            out.append(self._mark("deletion", [self._whole_note(old, "old")]))
        if new is not None:
            out.append(self._mark("insertion", [self._whole_note(new, "new")]))
        return out

    def _whole_note(self, note: BlockDiff, side: str) -> dict[str, Any]:
        """A footnote holding one revision's text of ``note``, all of it deleted (``old``) or
        inserted (``new``)."""
        inlines: list[Any] = []
        for s in note.sentences:
            tokens = _side(s, side)
            if tokens and inlines:
                inlines.append({"t": "Space"})
            inlines.extend(self.inlines(tokens, True, "none"))
        kind = "deletion" if side == "old" else "insertion"
        return {"t": "Note", "c": [{"t": "Para", "c": [self._mark(kind, inlines)]}]}

    def inlines(self, tokens: Iterable[Token], first: bool, side: str) -> list[dict[str, Any]]:
        """Tokens as pandoc inlines (a note call as its footnote, taken for ``side``: ``old``,
        ``new``, ``both``; ``none``: no note calls here)."""
        out: list[dict[str, Any]] = []
        for token in tokens:
            if token.space and not (first and not out):
                out.append({"t": "Space"})
            if token.kind == "note":
                out.extend(self._note(side) if side != "none" else [])
            elif token is SPACE:
                out.append({"t": "Space"})
            else:
                out.append(_word(token))
        return out

    def ops(self, ops: Sequence[tuple[str, Sequence[Token]]], first: bool) -> list[Any]:
        out: list[Any] = []
        ops = opener_spaces(ops)
        for op, tokens in ops:
            side = {"equal": "both", "insert": "new", "delete": "old"}[op]
            inlines = self.inlines(tokens, first and not out, side)
            if not inlines:
                continue
            if op == "equal":
                out.extend(inlines)
            else:
                out.append(self._mark("insertion" if op == "insert" else "deletion", inlines))
        return out

    def sentence(self, s: SentenceDiff, first: bool, moved: tuple[str, str] | None = None) -> list:
        status, where = moved or (s.status, s.where)
        if status == "moved-from":
            old = [t for op, toks in s.ops if op != "insert" for t in toks]
            mark = self._mark("deletion", self.inlines(old, first, "old"))
            return self._comment(f"Moved to {where}", [mark])
        if status == "moved-to":
            new = [t for op, toks in s.ops if op != "delete" for t in toks]
            mark = self._mark("insertion", self.inlines(new, first, "new"))
            return self._comment(f"Moved from {where}", [mark])
        return self.ops(s.ops, first)

    def sentences(self, sentences: Sequence[SentenceDiff], moved: Any = None) -> list:
        """Sentences joined by a space; the space between two changes of one kind goes inside
        them (else rejecting two inserted sentences would leave a paragraph of one space,
        which is not wholly inserted: :func:`mark_paragraphs`)."""
        out: list[Any] = []
        for s in sentences:
            inlines = self.sentence(s, not out, moved)
            if inlines and out and _same_change(out[-1], inlines[0]):
                out[-1]["c"][1].extend([{"t": "Space"}, *inlines[0]["c"][1]])
                inlines = inlines[1:]
            elif inlines and out:
                out.append({"t": "Space"})
            out.extend(inlines)
        return out

    def table(self, block: BlockDiff) -> dict[str, Any]:
        """A pandoc ``Table`` of the diff's rows (header rows: those of the new revision, of
        the old one for a removed table; rows padded to the widest)."""
        width = max((len(cells) for _, cells in block.rows), default=1)
        head: list[Any] = []
        body: list[Any] = []
        side_block = block.new if block.new is not None else block.old
        header_rows = side_block.header_rows if side_block is not None else 0
        skip = "removed" if block.new is not None else "added"
        seen = 0
        for status, cells in block.rows:
            row_cells = [_cell(self.sentence(cell, True)) for cell in cells] + [_cell([])] * (
                width - len(cells)
            )
            row = [["", [], []], row_cells]
            in_head = seen < header_rows
            seen += status != skip
            (head if in_head else body).append(row)
        caption = self.sentences(block.caption)
        return {
            "t": "Table",
            "c": [
                [block.block.ident, [], []],
                [None, [{"t": "Plain", "c": caption}] if caption else []],
                [[{"t": "AlignDefault"}, {"t": "ColWidthDefault"}]] * width,
                [["", [], []], head],
                [[["", [], []], 0, [], body]],
                [["", [], []], []],
            ],
        }

    def block(self, block: BlockDiff) -> list[dict[str, Any]]:
        b = block.block
        if b.kind == "table":
            return [self.table(block)]
        if b.kind == "figure":
            return [{"t": "Para", "c": self.sentences(block.caption)}]
        moved = (block.status, block.where) if block.status.startswith("moved") else None
        if moved:
            old = [s for s in block.sentences if s.status != "added"]
            inlines = self.sentence(
                SentenceDiff(
                    "x",
                    tuple(
                        (op, toks)
                        for s in (block.sentences if moved[0] == "moved-to" else old)
                        for op, toks in s.ops
                    ),
                ),
                True,
                moved,
            )
        else:
            inlines = self.sentences(block.sentences)
        level = int(b.tag[1]) - 1 if re.fullmatch(r"h[2-6]", b.tag) else 0
        if level:
            return [{"t": "Header", "c": [level, ["", [], []], inlines]}]
        return [{"t": "Para", "c": inlines}]


def _same_change(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Both are insertions, or both deletions, of one author and date."""
    if a.get("t") != "Span" or b.get("t") != "Span":
        return False
    classes = a["c"][0][1]
    return classes in (["insertion"], ["deletion"]) and a["c"][0] == b["c"][0]


def _spaced(words: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for word in words:
        out.extend([{"t": "Space"}, word] if out else [word])
    return out


def _cell(inlines: list[dict[str, Any]]) -> list[Any]:
    blocks = [{"t": "Plain", "c": inlines}] if inlines else []
    return [["", [], []], {"t": "AlignDefault"}, 1, 1, blocks]


def docx_ast(diff: DocumentDiff, new: RevisionInfo) -> dict[str, Any]:
    """The pandoc JSON AST of the tracked-changes document (see the module's docstring)."""
    writer = _Writer(new.author, new.timestamp, _Notes(diff))
    blocks: list[dict[str, Any]] = []
    for section in diff.sections:
        if section.ident != "front-matter":
            title = writer.sentence(section.title, True)
            blocks.append({"t": "Header", "c": [1, [section.ident, [], []], title]})
        for block in section.blocks:
            blocks.extend(writer.block(block))
    for note in writer.notes.left():  # a note without a call (none by construction): kept
        blocks.extend(writer.block(note))
    return {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": blocks}


# =========================================================================== paragraph marks

#: A paragraph, a table row, a table (pandoc nests none of them in itself).
_PARA_RE = re.compile(r"<w:p(?: [^>]*)?>.*?</w:p>", re.DOTALL)
_ROW_RE = re.compile(r"<w:tr(?: [^>]*)?>.*?</w:tr>", re.DOTALL)
_TABLE_RE = re.compile(r"<w:tbl>.*?</w:tbl>", re.DOTALL)
_CHANGE_RE = re.compile(r"<w:(ins|del) ([^>]*)>.*?</w:\1>", re.DOTALL)
_TEXT_RE = re.compile(r"<w:(?:t|delText)[ >]")
_ID_RE = re.compile(r'w:id="(\d+)"')


def _whole_change(xml: str) -> tuple[str, str] | None:
    """``(ins|del, its attributes)`` when every text run of ``xml`` is inside changes of that
    one kind (and there is text); else ``None``."""
    changes = _CHANGE_RE.findall(xml)
    kinds = {kind for kind, _ in changes}
    if len(kinds) != 1 or _TEXT_RE.search(_CHANGE_RE.sub("", xml)):
        return None
    if not any(_TEXT_RE.search(m.group(0)) for m in _CHANGE_RE.finditer(xml)):
        return None
    kind = kinds.pop()
    attrs = next(a for k, a in changes if k == kind)
    return kind, re.sub(r'w:id="\d+"\s*', "", attrs).strip()


def mark_paragraphs(xml: str) -> tuple[str, int]:
    """Mark, in ``word/document.xml``'s text, the paragraph mark (``w:pPr/w:rPr/w:del`` or
    ``w:ins``) of every paragraph outside tables whose whole text is deleted (inserted), and
    every table row (``w:trPr/w:del|w:ins``) whose whole text is; with the author and date of
    the paragraph's (row's) own change.

    Returns:
        the new text and how many marks were added.
    """
    ids = itertools.count(max((int(i) for i in _ID_RE.findall(xml)), default=0) + 1)
    count = 0

    def paragraph(match: re.Match[str]) -> str:
        nonlocal count
        text = match.group(0)
        found = _whole_change(text)
        if not found:
            return text
        kind, attrs = found
        mark = f'<w:rPr><w:{kind} w:id="{next(ids)}" {attrs} /></w:rPr>'
        count += 1
        if "</w:pPr>" in text:
            return text.replace("</w:pPr>", mark + "</w:pPr>", 1)
        head = text.index(">") + 1
        return f"{text[:head]}<w:pPr>{mark}</w:pPr>{text[head:]}"

    def row(match: re.Match[str]) -> str:
        nonlocal count
        text = match.group(0)
        found = _whole_change(text)
        if not found:
            return text
        kind, attrs = found
        mark = f'<w:{kind} w:id="{next(ids)}" {attrs} />'
        count += 1
        head = text.index(">") + 1
        if text[head:].startswith("<w:trPr>"):
            return text.replace("</w:trPr>", mark + "</w:trPr>", 1)
        if text[head:].startswith("<w:trPr />"):
            return f"{text[:head]}<w:trPr>{mark}</w:trPr>{text[head + len('<w:trPr />') :]}"
        return f"{text[:head]}<w:trPr>{mark}</w:trPr>{text[head:]}"

    out, at = [], 0
    for table in _TABLE_RE.finditer(xml):
        out.append(_PARA_RE.sub(paragraph, xml[at : table.start()]))
        out.append(_ROW_RE.sub(row, table.group(0)))
        at = table.end()
    out.append(_PARA_RE.sub(paragraph, xml[at:]))
    return "".join(out), count


def _rewrite_document_xml(path: Path) -> int:
    """Apply :func:`mark_paragraphs` to the Word file at ``path`` (rewritten in place, its
    other members byte for byte and in order). Returns the number of marks."""
    with zipfile.ZipFile(path) as source:
        members = [(info, source.read(info)) for info in source.infolist()]
    count = 0
    rewritten = path.with_suffix(".marked.docx")
    with zipfile.ZipFile(rewritten, "w") as target:
        for info, data in members:
            if info.filename == "word/document.xml":
                text, count = mark_paragraphs(data.decode("utf-8"))
                data = text.encode("utf-8")
            target.writestr(info, data)
    rewritten.replace(path)
    return count


# =========================================================================== text, for tests


def _note_text(token: Token, notes: dict[int, Block]) -> str:
    found = _NOTE_NUMBER.search(token.html)
    note = notes.get(int(found.group(1))) if found else None
    if note is None:
        return "[note]"
    return "[note: " + " ".join(_tokens_text(s, {}) for s in note.sentences) + "]"


def _tokens_text(sentence: Iterable[Token], notes: dict[int, Block]) -> str:
    return "".join(
        (" " if t.space and i else "") + (_note_text(t, notes) if t.kind == "note" else t.plain)
        for i, t in enumerate(sentence)
    )


def document_lines(document: Document) -> list[str]:
    """The text of one revision as the Word file holds it: what accepting (the new revision)
    or rejecting (the old) every change gives. One line per paragraph or heading (sentences
    joined by one space), per table caption and per table row (cells joined by `` | ``); a
    note as ``[note: its text]`` at its call."""
    notes = {b.group: b for section in document.sections for b in section.notes}
    lines: list[str] = []
    for section in document.sections:
        if section.ident != "front-matter":
            lines.append(_tokens_text(section.title, notes))
        for block in section.blocks:
            if block.caption:
                lines.append(" ".join(_tokens_text(s, notes) for s in block.caption))
            lines.extend(" | ".join(_tokens_text(c, notes) for c in row) for row in block.rows)
            if block.sentences:
                lines.append(" ".join(_tokens_text(s, notes) for s in block.sentences))
    return lines


def write_docx(diff: DocumentDiff, new: RevisionInfo, output: Path) -> None:
    """Write the tracked-changes Word file with pandoc (``-f json -t docx``), then mark whole
    paragraphs and rows (:func:`mark_paragraphs`), atomically.

    Raises:
        DiffError: pandoc failed (its message).
    """
    import calendar
    import time as clock

    from build.errors import RenderError
    from build.pandoc import run_pandoc

    # the file's core properties carry the new revision's date, not the clock (reproducible)
    epoch = (
        calendar.timegm(clock.strptime(new.timestamp, "%Y-%m-%dT%H:%M:%SZ"))
        if new.timestamp
        else None
    )
    with tempfile.TemporaryDirectory(prefix="diff-docx-") as tmp:
        target = Path(tmp) / "diff.docx"
        try:
            run_pandoc(
                ["-f", "json", "-t", "docx", "-o", str(target)],
                json.dumps(docx_ast(diff, new)).encode("utf-8"),
                epoch,
            )
        except RenderError as error:
            raise DiffError(
                f"pandoc could not write the Word file: {error.message}",
                hint="report it with the diff's HTML",
            ) from None
        _rewrite_document_xml(target)
        output.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(output, target.read_bytes())
