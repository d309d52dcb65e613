"""Revision diffs, part 2: aligning two documents, marking moves.

Terms as in :mod:`build.difftokens`; *moved*: a sentence deleted in one place and inserted,
word for word, in another.

:func:`diff_documents` aligns sections by id, blocks and sentences with
:class:`difflib.SequenceMatcher` (Ratcliff/Obershelp, Python standard library), pairs the
blocks and sentences of a replaced range by similarity (ratio >= :data:`PAIR_RATIO`), diffs
paired sentences word by word, then marks identical deleted/inserted sentences as moved
(:func:`mark_moves`); :mod:`build.diffcounts` counts the changes per section. Pure: values in,
values out.
"""

from __future__ import annotations

import difflib
import heapq
import html
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from build.diffmoves import PAIR_RATIO, align, align_with_moves, heaviest_chain, ratio
from build.difftokens import Block, Document, Section, Sentence, Token, plain_text

#: Temporary move numbers (renumbered per document in reading order by :func:`mark_moves`).
_MOVE_IDS = itertools.count(1)


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
    """A block in the diff: ``status`` ``same``, ``added``, ``removed``, ``changed``,
    ``moved-from`` or ``moved-to`` (``move`` and ``where`` as for :class:`SentenceDiff`);
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
    move: int = 0
    where: str = ""

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


#: An opening bracket or quote: the word after it has no space before it.
_OPENERS = frozenset("([“‘\"'")
#: A space token (no text), put at the end of a change by :func:`opener_spaces`.
SPACE = Token(" ", " ", "punct", False, " ")


def opener_spaces(
    ops: Sequence[tuple[str, Sequence[Token]]],
) -> list[tuple[str, Sequence[Token]]]:
    """The ops of a sentence for writing (the HTML page, the Word file): words inserted or
    deleted right after an opening bracket, before kept words: "(" + inserted "Renmin Ribao," +
    " 1997)". The kept tokens are the new revision's, so their space is the new text's: the
    space between the change and them goes inside the change, as :data:`SPACE` at its end
    (inserted: "(1997)" when rejected; deleted: "(Renmin Ribao, 1997)" when rejected, "(1997)"
    accepted), so that neither revision reads "( 1997)" or "Ribao,1997".

    Returns:
        a new list of (op, tokens); ``ops`` is not changed."""
    out = [(op, list(tokens)) for op, tokens in ops]
    for k in range(1, len(out) - 1):
        (before, prev), (op, change), (after, kept) = out[k - 1], out[k], out[k + 1]
        if before != "equal" or after != "equal" or op == "equal" or not (prev and change and kept):
            continue
        if prev[-1].plain not in _OPENERS or change[0].space:
            continue
        if op == "insert" and kept[0].space:
            change.append(SPACE)
            kept[0] = replace(kept[0], space=False)
        elif op == "delete" and not kept[0].space:
            change.append(SPACE)
    return out


# =========================================================================== diff core


def _keys(tokens: Sequence[Token]) -> list[str]:
    return [t.key for t in tokens]


def _whole(status: str, sentence: Sentence) -> SentenceDiff:
    op = {"added": "insert", "removed": "delete"}.get(status, "equal")
    return SentenceDiff(status, ((op, tuple(sentence)),))


def diff_words(old: Sentence, new: Sentence) -> SentenceDiff:
    """Word-level diff of two sentences (``difflib.SequenceMatcher`` on token keys).

    Returns:
        status ``same`` when the keys are equal, else ``changed`` with the ops; a replaced run
        is shown as its deletion followed by its insertion, except a citation replaced by a
        similar one: only its changed words are marked (:func:`_citation_edit`).
    """
    matcher = difflib.SequenceMatcher(None, _keys(old), _keys(new), autojunk=False)
    ops: list[tuple[str, tuple[Token, ...]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        inside = _citation_edit(old[i1:i2], new[j1:j2]) if tag == "replace" else None
        if tag == "equal":
            ops.append(("equal", tuple(new[j1:j2])))
        elif inside:
            ops.extend(inside)
        else:
            if i2 > i1:
                ops.append(("delete", tuple(old[i1:i2])))
            if j2 > j1:
                ops.append(("insert", tuple(new[j1:j2])))
    status = "same" if all(op == "equal" for op, _ in ops) else "changed"
    return SentenceDiff(status, tuple(ops))


def _sentence_key(sentence: Sentence) -> list[str]:
    return _keys(sentence)


def _move_id(moves: dict[tuple[int, int], int], old: Any, new: Any) -> int:
    """A temporary number linking the two places of one move (renumbered in reading order by
    :func:`mark_moves`)."""
    return moves.setdefault((id(old), id(new)), next(_MOVE_IDS))


def _moved_sentence(role: str, old: Sentence, new: Sentence, move: int) -> SentenceDiff:
    """A moved sentence: its old text at the old place, its word diff at the new place."""
    if role == "from":
        return SentenceDiff("moved-from", (("equal", tuple(old)),), move)
    return SentenceDiff("moved-to", diff_words(old, new).ops, move)


def diff_sentences(old: Sequence[Sentence], new: Sequence[Sentence]) -> tuple[SentenceDiff, ...]:
    """Diff two sequences of sentences: equal, added, removed, changed (paired by similarity),
    moved within the sequence (:func:`build.diffmoves.align_with_moves`)."""
    out = []
    moves: dict[tuple[int, int], int] = {}
    for a, b, role in align_with_moves(old, new, _sentence_key):
        if role:
            out.append(_moved_sentence(role, a, b, _move_id(moves, a, b)))
        elif a is None:
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
    for a, b in align(list(old.rows), list(new.rows), row_key):
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

    Reference entries (tag ``ref``) are matched by citekey instead (:func:`_diff_entries`): an
    entry is added, removed, changed (its text differs) or moved (sorted elsewhere).
    """
    if any(b.tag == "ref" for b in (*old, *new)):
        return _diff_entries(old, new)
    out = []
    moves: dict[tuple[int, int], int] = {}
    for a, b, role in align_with_moves(old, new, _block_key, _compatible, _movable_block):
        if role:
            out.append(_moved_block(role, a, b, _move_id(moves, a, b)))
        else:
            out.append(diff_block(a, b))
    return tuple(out)


def _movable_block(block: Block) -> bool:
    return block.kind == "prose" and block.tag not in ("ref", "title", "keywords", "note")


def _moved_block(role: str, old: Block, new: Block, move: int) -> BlockDiff:
    """A moved block: its old text at the old place, its sentence diff at the new place."""
    if role == "from":
        same = tuple(SentenceDiff("same", (("equal", tuple(s)),)) for s in old.sentences)
        return BlockDiff("moved-from", old, None, same, move=move)
    return replace(diff_block(old, new), status="moved-to", move=move)


def _diff_entries(old: Sequence[Block], new: Sequence[Block]) -> tuple[BlockDiff, ...]:
    """The reference list: entries matched by citekey. An entry is added, removed, changed (its
    text differs, in place) or moved: an entry the new list sorts elsewhere (citeproc sorts by
    author, then year: a new first author re-sorts it) is ``moved-from`` at its old place and
    ``moved-to`` at its new one, its edits marked there. The entries in place are the heaviest
    order-preserving chain of the common ones (:func:`build.diffmoves.heaviest_chain`), an
    unchanged entry outweighing all changed ones: of the entries out of order, the changed ones
    moved. Between two entries in place, the others are in sort order (a removed entry where it
    sorted), so the old revision's text reads the old list in its order and the new revision's
    the new list in its order."""
    new_at = {b.ident: j for j, b in enumerate(new)}
    old_by_key = {b.ident: b for b in old}
    common = [(i, new_at[b.ident]) for i, b in enumerate(old) if b.ident in new_at]
    heavy = len(common) + 1
    weights = [heavy if _block_key(old[i]) == _block_key(new[j]) else 1 for i, j in common]
    chain = heaviest_chain([j for _, j in common], weights)
    anchors = [pair for pair, kept in zip(common, chain, strict=True) if kept]
    moves: dict[tuple[int, int], int] = {}
    out: list[BlockDiff] = []
    bounds = [(-1, -1), *anchors, (len(old), len(new))]
    for (i0, j0), (i1, j1) in itertools.pairwise(bounds):
        gone = []
        for a in old[i0 + 1 : i1]:
            b = new[new_at[a.ident]] if a.ident in new_at else None
            gone.append(
                _moved_block("from", a, b, _move_id(moves, a, b)) if b else diff_block(a, None)
            )
        came = []
        for b in new[j0 + 1 : j1]:
            a = old_by_key.get(b.ident)
            came.append(
                _moved_block("to", a, b, _move_id(moves, a, b)) if a else diff_block(None, b)
            )
        out.extend(heapq.merge(gone, came, key=lambda d: _sort_key(d.block)))
        if i1 < len(old):
            out.append(diff_block(old[i1], new[j1]))
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


#: A block or sentence removed in one place and added, edited, in another is a move when
#: their similarity reaches this and both have at least :data:`MOVE_MIN_WORDS` words.
MOVE_RATIO = 0.6
MOVE_MIN_WORDS = 4

Place = tuple[int, int, int, int]  # section, part (0 blocks, 1 notes), block, sentence (-1: block)


_CITATION_PART_RE = re.compile(r"\s*(\w+|[^\w\s])")


def _citation_parts(token: Token) -> list[Token]:
    """A rendered citation's text as words and punctuation (``(``, ``Garver``, ``,``, ...)."""
    parts = []
    for match in _CITATION_PART_RE.finditer(token.plain):
        part = match.group(1)
        kind = "word" if any(ch.isalnum() for ch in part) else "punct"
        space = token.space if not parts else match.group(0) != part
        parts.append(Token(f"cite:{part}", html.escape(part), kind, space, part))
    return parts


def _citation_edit(
    old: Sequence[Token], new: Sequence[Token]
) -> list[tuple[str, tuple[Token, ...]]] | None:
    """The ops of one citation replaced by a similar one (a changed locator "p. 457" -> "p.
    458", an added author): the citation's words diffed, inside one citation span. ``None``
    when the run is not one citation against one, when their words share little (ratio <
    :data:`PAIR_RATIO` of build.diffmoves: another source), or when the first or last part
    changed (the span could not enclose the marks)."""
    if len(old) != 1 or len(new) != 1 or old[0].kind != "cite" or new[0].kind != "cite":
        return None
    a, b = _citation_parts(old[0]), _citation_parts(new[0])
    words = [[t.key for t in parts if t.kind == "word"] for parts in (a, b)]
    if ratio(*words) < PAIR_RATIO:
        return None
    ops = diff_words(tuple(a), tuple(b)).ops
    if len(ops) < 3 or ops[0][0] != "equal" or ops[-1][0] != "equal":
        return None
    first, last = ops[0][1], ops[-1][1]
    opened = replace(first[0], html='<span class="citation">' + first[0].html)
    closed = replace(last[-1], html=last[-1].html + "</span>")
    head = (opened, *first[1:]) if len(first) > 1 else (opened,)
    if len(last) == 1:
        tail: tuple[Token, ...] = (closed,)
    else:
        tail = (*last[:-1], closed)
    return [("equal", head), *ops[1:-1], ("equal", tail)]


def _pair_moves(
    removed: list[tuple[Place, Sequence[str]]], added: list[tuple[Place, Sequence[str]]]
) -> list[tuple[Place, Place]]:
    """Pair removed with added items anywhere: word for word first (in reading order), then
    the most similar (ratio >= :data:`MOVE_RATIO`); each item is paired at most once."""
    pairs: list[tuple[Place, Place]] = []
    used: set[Place] = set()
    by_key: dict[tuple[str, ...], list[Place]] = {}
    for place, keys in removed:
        by_key.setdefault(tuple(keys), []).append(place)
    rest = []
    for place, keys in added:
        if by_key.get(tuple(keys)):
            origin = by_key[tuple(keys)].pop(0)
            used.add(origin)
            pairs.append((origin, place))
        else:
            rest.append((place, keys))
    for place, keys in rest:
        if sum(1 for k in keys if k[:1].isalnum() or ":" in k) < MOVE_MIN_WORDS:
            continue
        best, best_ratio = None, MOVE_RATIO
        for origin, old_keys in removed:
            if origin in used or len(old_keys) < MOVE_MIN_WORDS:
                continue
            similarity = ratio(old_keys, keys)
            if similarity >= best_ratio:
                best, best_ratio = origin, similarity
        if best is not None:
            used.add(best)
            pairs.append((best, place))
    return pairs


def _parts(section: SectionDiff) -> tuple[tuple[BlockDiff, ...], tuple[BlockDiff, ...]]:
    return section.blocks, section.notes


def _with(diff: DocumentDiff, changes: dict[Place, Any]) -> DocumentDiff:
    """The diff with the blocks (sentence -1) and sentences at the given places replaced."""
    sections = []
    for si, section in enumerate(diff.sections):
        parts = []
        for part, blocks in enumerate(_parts(section)):
            new_blocks = []
            for bi, block in enumerate(blocks):
                block = changes.get((si, part, bi, -1), block)
                sentences = tuple(
                    changes.get((si, part, bi, ti), s) for ti, s in enumerate(block.sentences)
                )
                new_blocks.append(replace(block, sentences=sentences))
            parts.append(tuple(new_blocks))
        sections.append(replace(section, blocks=parts[0], notes=parts[1]))
    return DocumentDiff(tuple(sections))


def _block_at(diff: DocumentDiff, place: Place) -> BlockDiff:
    return _parts(diff.sections[place[0]])[place[1]][place[2]]


def _tokens(sentence: SentenceDiff, side: str) -> Sentence:
    skip = "insert" if side == "old" else "delete"
    return tuple(t for op, toks in sentence.ops if op != skip for t in toks)


def mark_moves(diff: DocumentDiff) -> DocumentDiff:
    """Mark moves across the document, then number every move in reading order.

    A paragraph removed in one place and added in another (word for word, or edited: ratio
    >= :data:`MOVE_RATIO`) becomes ``moved-from`` / ``moved-to`` blocks, the new place with its
    own edits marked (:func:`diff_block`); then the same for single sentences (of any block,
    notes included). Moves inside one sequence were marked by :func:`diff_sentences` and
    :func:`diff_blocks`. Every move gets a number (1, 2, ... in reading order, shared by its two
    places) and the title of the section at its other place.
    """
    removed, added = [], []
    for si, section in enumerate(diff.sections):
        for bi, block in enumerate(section.blocks):
            if block.status in ("removed", "added") and _movable_block(block.block):
                entry = ((si, 0, bi, -1), _block_key(block.block))
                (removed if block.status == "removed" else added).append(entry)
    changes: dict[Place, Any] = {}
    for origin, place in _pair_moves(removed, added):
        old, new = _block_at(diff, origin).old, _block_at(diff, place).new
        move = next(_MOVE_IDS)
        changes[origin] = _moved_block("from", old, new, move)  # type: ignore[arg-type]
        changes[place] = _moved_block("to", old, new, move)  # type: ignore[arg-type]
    diff = _with(diff, changes)

    removed, added = [], []
    for si, section in enumerate(diff.sections):
        for part, blocks in enumerate(_parts(section)):
            for bi, block in enumerate(blocks):
                if block.block.kind != "prose" or block.block.tag in ("ref", "title", "keywords"):
                    continue
                for ti, sentence in enumerate(block.sentences):
                    if sentence.status == "removed":
                        removed.append(((si, part, bi, ti), _keys(_tokens(sentence, "old"))))
                    elif sentence.status == "added":
                        added.append(((si, part, bi, ti), _keys(_tokens(sentence, "new"))))
    changes = {}
    for origin, place in _pair_moves(removed, added):
        old = _tokens(_block_at(diff, origin).sentences[origin[3]], "old")
        new = _tokens(_block_at(diff, place).sentences[place[3]], "new")
        move = next(_MOVE_IDS)
        changes[origin] = _moved_sentence("from", old, new, move)
        changes[place] = _moved_sentence("to", old, new, move)
    return _number_moves(_with(diff, changes))


def _number_moves(diff: DocumentDiff) -> DocumentDiff:
    """Renumber moves 1, 2, ... in reading order and give each place the other's section."""
    numbers: dict[int, int] = {}
    sections_of: dict[tuple[int, str], int] = {}
    for si, section in enumerate(diff.sections):
        for blocks in _parts(section):
            for block in blocks:
                for item in (block, *block.sentences):
                    if item.status in ("moved-from", "moved-to"):
                        numbers.setdefault(item.move, len(numbers) + 1)
                        sections_of[(item.move, item.status)] = si
    if not numbers:
        return diff
    titles = [s.title_text for s in diff.sections]
    other = {"moved-from": "moved-to", "moved-to": "moved-from"}

    def renumber(item: Any) -> Any:
        if item.status not in other:
            return item
        where = sections_of.get((item.move, other[item.status]))
        return replace(
            item, move=numbers[item.move], where=titles[where] if where is not None else ""
        )

    sections = []
    for section in diff.sections:
        parts = []
        for blocks in _parts(section):
            parts.append(
                tuple(
                    replace(renumber(b), sentences=tuple(renumber(s) for s in b.sentences))
                    for b in blocks
                )
            )
        sections.append(replace(section, blocks=parts[0], notes=parts[1]))
    return DocumentDiff(tuple(sections))
