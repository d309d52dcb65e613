"""Revision diffs, part 5: the diff as a Word file with tracked changes.

From the diff's own model (:class:`build.diffalign.DocumentDiff`, no second diff): every
insertion and deletion becomes a pandoc ``Span`` of class ``insertion`` / ``deletion`` with
the attributes ``author`` and ``date`` (the new revision's commit author and author date),
which pandoc's DOCX writer turns into Word tracked changes (``w:ins`` / ``w:del``, pandoc
manual, "Track changes"). Word's move marks cannot be written by pandoc: a move is a deletion at
its old place and an insertion at its new place, each with a Word comment ("Moved to ...",
"Moved from ...") through pandoc's ``comment-start`` / ``comment-end`` spans. Text only: a
table row is a paragraph of its cells separated by ``|``, a figure its caption; emphasis is
not kept. :func:`document_text` is the text the file holds for one revision (what accepting or
rejecting every change gives), for tests.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from build.atomic import write_bytes_atomic
from build.diffalign import BlockDiff, DocumentDiff, SentenceDiff
from build.difftokens import Document, Token
from build.revisions import DiffError, RevisionInfo

_NOTE_NUMBER = re.compile(r">(\d+)<")


def _text(token: Token) -> str:
    """A token as the Word file prints it (a note call as its number)."""
    if token.kind == "note":
        found = _NOTE_NUMBER.search(token.html)
        return f"[{found.group(1)}]" if found else "[note]"
    return token.plain


def _inlines(tokens: Iterable[Token], first: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for token in tokens:
        if token.space and not (first and not out):
            out.append({"t": "Space"})
        out.append({"t": "Str", "c": _text(token)})
    return out


class _Writer:
    """Builds the pandoc AST of the tracked-changes document."""

    def __init__(self, author: str, date: str) -> None:
        self.attrs = [["author", author or "unknown"], ["date", date]]
        self.comments = 0

    def _mark(self, kind: str, inlines: list[dict[str, Any]]) -> dict[str, Any]:
        return {"t": "Span", "c": [["", [kind], self.attrs], inlines]}

    def _comment(self, text: str, inlines: list[dict[str, Any]]) -> list[dict[str, Any]]:
        ident = str(self.comments)
        self.comments += 1
        words = [{"t": "Str", "c": w} for w in text.split()]
        body: list[dict[str, Any]] = []
        for word in words:
            body.extend([{"t": "Space"}, word] if body else [word])
        start = {"t": "Span", "c": [["", ["comment-start"], [["id", ident], *self.attrs]], body]}
        end = {"t": "Span", "c": [["", ["comment-end"], [["id", ident]]], []]}
        return [start, *inlines, end]

    def ops(self, ops: Sequence[tuple[str, Sequence[Token]]], first: bool) -> list[Any]:
        out: list[Any] = []
        for op, tokens in ops:
            inlines = _inlines(tokens, first and not out)
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
            mark = self._mark("deletion", _inlines(old, first))
            return self._comment(f"Moved to {where}", [mark])
        if status == "moved-to":
            new = [t for op, toks in s.ops if op != "delete" for t in toks]
            mark = self._mark("insertion", _inlines(new, first))
            return self._comment(f"Moved from {where}", [mark])
        return self.ops(s.ops, first)

    def sentences(self, sentences: Sequence[SentenceDiff], moved: Any = None) -> list:
        out: list[Any] = []
        for s in sentences:
            inlines = self.sentence(s, not out, moved)
            if inlines and out:
                out.append({"t": "Space"})
            out.extend(inlines)
        return out

    def block(self, block: BlockDiff) -> list[dict[str, Any]]:
        b = block.block
        if b.kind == "table":
            rows = []
            for _, cells in block.rows:
                inlines: list[Any] = []
                for cell in cells:
                    if inlines:
                        inlines.extend([{"t": "Space"}, {"t": "Str", "c": "|"}, {"t": "Space"}])
                    inlines.extend(self.sentence(cell, True))
                rows.append({"t": "Para", "c": inlines})
            return [{"t": "Para", "c": self.sentences(block.caption)}, *rows]
        if b.kind == "figure":
            return [{"t": "Para", "c": self.sentences(block.caption)}]
        moved = (block.status, block.where) if block.status.startswith("moved") else None
        inlines = self.sentences(block.sentences)
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
        level = int(b.tag[1]) - 1 if re.fullmatch(r"h[2-6]", b.tag) else 0
        if level:
            return [{"t": "Header", "c": [level, ["", [], []], inlines]}]
        return [{"t": "Para", "c": inlines}]


def docx_ast(diff: DocumentDiff, new: RevisionInfo) -> dict[str, Any]:
    """The pandoc JSON AST of the tracked-changes document (see the module's docstring)."""
    writer = _Writer(new.author, new.timestamp)
    blocks: list[dict[str, Any]] = []
    for section in diff.sections:
        if section.ident != "front-matter":
            title = writer.sentence(section.title, True)
            blocks.append({"t": "Header", "c": [1, [section.ident, [], []], title]})
        for block in (*section.blocks, *section.notes):
            blocks.extend(writer.block(block))
    return {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": blocks}


def document_text(document: Document) -> str:
    """The text of one revision as the Word file holds it (words separated by single spaces):
    what accepting (the new revision) or rejecting (the old) every change of it gives."""
    words: list[str] = []

    def add(sentence: Iterable[Token]) -> None:
        words.append(
            "".join((" " if t.space and i else "") + _text(t) for i, t in enumerate(sentence))
        )

    for section in document.sections:
        if section.ident != "front-matter":
            add(section.title)
        for block in (*section.blocks, *section.notes):
            for s in block.caption:
                add(s)
            for row in block.rows:
                for k, cell in enumerate(row):
                    if k:
                        words.append("|")
                    add(cell)
            for s in block.sentences:
                add(s)
    return " ".join(" ".join(w for w in words if w).split())


def write_docx(diff: DocumentDiff, new: RevisionInfo, output: Path) -> None:
    """Write the tracked-changes Word file with pandoc (``-f json -t docx``), atomically.

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
        output.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(output, target.read_bytes())
