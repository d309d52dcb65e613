"""Scanning a source for citations: pandoc citations, parenthetical groups and year-only
groups after a name, outside code, comments, raw HTML and the reference list.

Terms: see :mod:`build.citesyntax`; a **found** citation (:class:`Found`) is located by the
offsets of the text that a canonical citation would replace.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from build.citesyntax import ParsedItem, parse_item, split_pandoc_suffix
from build.citesyntax import raise_all as _raise_all
from build.errors import CitationError

# --------------------------------------------------------------------------------------------
# Scanning the text


@dataclass
class Found:
    """A citation located in a source: ``start``/``end`` offsets of the text to replace."""

    start: int
    end: int
    kind: str  # "paren" | "pandoc" | "pandoc-narrative" | "narrative"
    items: list[ParsedItem] | None = None  # for paren / narrative
    pandoc: list[dict] | None = None  # for pandoc kinds


_HEADING_END = re.compile(
    r"^(?:#{1,6}\s*)?(?:references|reference list|bibliography|works cited)\s*(?:\{[^}]*\})?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_CITEKEY = r"(?:[\w](?:[\w:.#$%&+?/\-]*[\w])?|\{[^{}\s]+\})"
#: ``[...@key...]`` but not a footnote ``^[...]`` (whose text may hold citations of its own)
_PANDOC_BRACKET = re.compile(
    r"(?<!\^)\[(?!\^)(?P<body>[^\[\]]*?(?<![\w.])-?@" + _CITEKEY + r"[^\[\]]*)\]"
)
_PANDOC_NARRATIVE = re.compile(
    r"(?<![\w.@\]`])(?:(?<=\^\[)|(?<!\[))(?P<suppress>-)?@(?P<key>"
    + _CITEKEY
    + r")(?:\s\[(?P<locator>[^\[\]@]*)\])?"
)
_PANDOC_ITEM = re.compile(
    r"^(?P<prefix>.*?)(?P<suppress>-)?@(?P<key>" + _CITEKEY + r")(?P<suffix>.*)$", re.DOTALL
)


def body_end(text: str) -> int:
    """Offset where the reference list starts (a ``References`` heading line), else the end."""
    match = _HEADING_END.search(text)
    return match.start() if match else len(text)


#: Raw HTML that is not prose: a ``<style>``/``<script>`` element with its content, or one tag
#: with its attributes (quoted values may hold ``>``), as pandoc reads raw HTML (issue 9:
#: ``url(http://...)`` in a style attribute or ``@import`` in a style sheet is left to the
#: safety check, not taken for a citation).
_RAW_HTML = (
    r"<(style|script)\b[^>]*>.*?</\1\s*>",
    r"""</?[A-Za-z][\w:-]*(?:\s+(?:[^<>"']|"[^"]*"|'[^']*')*)?/?>""",
)


def _protected_spans(text: str) -> list[tuple[int, int]]:
    """Spans not to scan: fenced code, inline code, HTML comments, autolinks, raw HTML
    elements ``<style>``/``<script>`` and tags (:data:`_RAW_HTML`; the text between tags is
    scanned)."""
    spans = []
    fence = None
    pos = 0
    for line in text.splitlines(keepends=True):
        stripped = line.lstrip()
        if fence is None and (stripped.startswith("```") or stripped.startswith("~~~")):
            fence = pos
        elif fence is not None and (stripped.startswith("```") or stripped.startswith("~~~")):
            spans.append((fence, pos + len(line)))
            fence = None
        pos += len(line)
    if fence is not None:
        spans.append((fence, len(text)))
    for pattern in (
        r"(`+)(?!`).+?(?<!`)\1",
        r"<!--.*?-->",
        r"<(?:https?|mailto|ftp):[^>\s]+>",
        *_RAW_HTML,
    ):
        spans.extend(m.span() for m in re.finditer(pattern, text, re.DOTALL | re.IGNORECASE))
    return sorted(spans)


def _in_spans(pos: int, spans: list[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


class _Positions:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        import bisect

        index = bisect.bisect_right(self.starts, offset) - 1
        return index + 1, offset - self.starts[index] + 1


def _paragraphs(text: str, end: int) -> list[tuple[int, int]]:
    spans, start = [], 0
    for match in re.finditer(r"\n[ \t]*\n", text[:end]):
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, end))
    return spans


def _parse_pandoc_items(body: str) -> list[dict]:
    items = []
    for part in body.split(";"):
        match = _PANDOC_ITEM.match(part.strip())
        if not match:
            items.append({"prefix": part.strip(), "key": None})
            continue
        suffix = match.group("suffix").strip()
        suffix = suffix[1:].strip() if suffix.startswith(",") else suffix
        locator, suffix = split_pandoc_suffix(suffix) if suffix else (None, "")
        items.append(
            {
                "prefix": match.group("prefix").strip(),
                "suppress": bool(match.group("suppress")),
                "key": match.group("key").strip("{}"),
                "locator": locator,
                "suffix": suffix,
            }
        )
    return items


#: Prefixes of cross-reference ids written with citation syntax (``@tbl-results``): they name a
#: table, figure, section or equation of the article, not an entry of refs.bib, and are resolved
#: by the crossref Lua filter of the render stage (docs/conventions.md).
CROSSREF_PREFIXES = ("tbl-", "fig-", "sec-", "eq-")


def is_crossref(citekey: str) -> bool:
    """True when ``citekey`` is a cross-reference id (``tbl-``, ``fig-``, ``sec-``, ``eq-``)."""
    return citekey.startswith(CROSSREF_PREFIXES)


def scan(path: str, text: str) -> list[Found]:
    """Locate every candidate citation of one source, in document order.

    Only the body is scanned (up to a ``References`` heading). Returns pandoc citations and
    parenthetical groups that have the shape of a citation; whether a names-only group is a
    citation is settled during resolution.

    Raises:
        CitationError: unbalanced parentheses (``path:line:col`` of the unmatched one), a
            citation cut by the end of the file, a pandoc citation bracket never closed.
    """
    end = body_end(text)
    positions = _Positions(text)
    protected = _protected_spans(text)
    found: list[Found] = []
    errors: list[CitationError] = []
    taken: list[tuple[int, int]] = []
    for match in _PANDOC_BRACKET.finditer(text, 0, end):
        following = text[match.end() : match.end() + 1]
        if _in_spans(match.start(), protected) or (following and following in "(["):
            continue  # code, or a Markdown link/reference "[text](...)"
        taken.append(match.span())
        items = _parse_pandoc_items(match["body"])
        if all(item["key"] and is_crossref(item["key"]) for item in items):
            continue  # [@tbl-results]: a cross-reference, not a citation
        found.append(Found(match.start(), match.end(), "pandoc", pandoc=items))
    for match in _PANDOC_NARRATIVE.finditer(text, 0, end):
        if _in_spans(match.start(), protected) or _in_spans(match.start(), taken):
            continue
        if is_crossref(match["key"]):
            taken.append(match.span())
            continue  # @fig-timeline: a cross-reference, not a citation
        locator, suffix = split_pandoc_suffix(match["locator"] or "")
        item = {
            "prefix": "",
            "suppress": bool(match["suppress"]),
            "key": match["key"].strip("{}"),
            "locator": locator,
            "suffix": suffix.strip(),
        }
        found.append(Found(match.start(), match.end(), "pandoc-narrative", pandoc=[item]))
        taken.append(match.span())
    # unclosed pandoc brackets
    for match in re.finditer(r"(?<!\^)\[(?!\^)[^\[\]]*?(?<![\w.])-?@\w", text[:end]):
        if _in_spans(match.start(), protected) or _in_spans(match.start(), taken):
            continue
        para_end = next(b for a, b in _paragraphs(text, end) if a <= match.start() <= b)
        line, column = positions.at(match.start())
        cut = not text[para_end:end].strip()
        errors.append(
            CitationError(
                "citation cut by the end of the file: '[' is never closed"
                if cut
                else "unbalanced brackets: pandoc citation '[' is not closed in its paragraph",
                path,
                line,
                column,
                hint="add the closing ']' (the file may have been truncated)",
            )
        )
    # parentheses, paragraph by paragraph; skipped[pos] is 1 inside a protected or taken span
    # (one pass over the spans: testing every character against every span is quadratic)
    skipped = bytearray(len(text))
    for a, b in (*protected, *taken):
        skipped[a:b] = b"\x01" * (b - a)
    paragraphs = _paragraphs(text, end)
    for para_index, (start, stop) in enumerate(paragraphs):
        stack: list[int] = []
        groups: list[tuple[int, int, int]] = []  # (open, close, depth)
        pos = start
        while pos < stop:
            char = text[pos]
            if skipped[pos]:
                pos += 1
                continue
            if char == "(":
                if pos > 0 and text[pos - 1] == "]":  # a Markdown link destination
                    depth, j = 0, pos
                    while j < stop:
                        depth += {"(": 1, ")": -1}.get(text[j], 0)
                        if depth == 0:
                            break
                        j += 1
                    pos = j + 1
                    continue
                stack.append(pos)
            elif char == ")":
                if stack:
                    opened = stack.pop()
                    groups.append((opened, pos, len(stack)))
                elif not re.search(r"(?:^|\s)[\w]{1,3}$", text[max(start, pos - 4) : pos]):
                    line, column = positions.at(pos)
                    errors.append(
                        CitationError(
                            "unbalanced parentheses: ')' has no matching '('",
                            path,
                            line,
                            column,
                            hint="add the missing '(' or remove the stray ')'",
                        )
                    )
            pos += 1
        for opened in stack:
            line, column = positions.at(opened)
            last = para_index == len(paragraphs) - 1 and not text[stop:].strip()
            snippet = text[opened:stop].strip().splitlines()[0][:60]
            cut = last and parse_item(text[opened + 1 : stop]) is not None
            errors.append(
                CitationError(
                    f"citation cut by the end of the file: '{snippet}' is not closed"
                    if cut
                    else f"unbalanced parentheses: '{snippet}' is not closed in its paragraph",
                    path,
                    line,
                    column,
                    hint="add the closing ')' (the file may have been truncated)",
                )
            )
        for opened, closed, _depth in sorted(groups):
            if any(a <= opened < b for a, b, *_ in [(f.start, f.end) for f in found]):
                continue
            content = text[opened + 1 : closed]
            if "@" in content and re.search(r"(?<![\w.])-?@\w", content):
                continue
            items = _parse_group(content, opened + 1)
            if items is None:
                continue
            if all(not it.names and not it.ibid and not it.url for it in items):
                # year-only: "Paul (2018)" -> narrative, decided against the bibliography
                found.append(Found(opened, closed + 1, "narrative", items=items))
                continue
            found.append(Found(opened, closed + 1, "paren", items=items))
    # a back-reference written bare at the start of a footnote ("[^2]: Ibid., p. 17."; Chicago
    # notes): the work of the citation before it, as in parentheses
    cited_at = sorted(f.start for f in found)
    for match in _NOTE_IBID.finditer(text, 0, end):
        start, stop = match.span("ref")
        if skipped[start] or any(f.start <= start < f.end for f in found):
            continue
        if match["note"]:  # a definition: only when no citation stands between call and text
            call = text.find(f"[^{match['note']}]", 0, match.start())
            if call < 0 or any(call < at < match.start() for at in cited_at):
                continue
        items = _parse_group(match["ref"], start)
        if items and all(item.ibid for item in items):
            found.append(Found(start, stop, "paren", items=items))
    _raise_all(errors)
    found.sort(key=lambda f: f.start)
    return found


#: "Ibid." or "Ibid., p. 17" opening a footnote (``[^n]: ...`` or ``^[...]``); the full stop
#: that ends the note's sentence is not part of it. A definition counts only when no other
#: citation stands between its call and it (its work is then the last one before the call).
_NOTE_IBID = re.compile(
    r"(?m)(?:^\[\^(?P<note>[^\]\s]+)\]:[ \t]*|\^\[[ \t]*)"
    r"(?P<ref>Ibid(?:em)?(?:\.,[ \t]*pp?\.[ \t]*\d+(?:[ \t]*[-–\u2010\u2011][ \t]*\d+)?)?)"
    r"(?=\.)"
)


def _parse_group(content: str, offset: int) -> list[ParsedItem] | None:
    """Split a parenthesis on ``;`` and parse each work; None unless every part parses."""
    items = []
    pos = 0
    for part in content.split(";"):
        item = parse_item(part, offset + pos)
        pos += len(part) + 1
        if item is None:
            return None
        items.append(item)
    # "Aris, 2009, 2011": one item per year
    expanded = []
    for item in items:
        if len(item.years) > 1:
            for year in item.years:
                expanded.append(
                    ParsedItem(
                        item.text,
                        item.offset,
                        item.names,
                        [year],
                        item.locator,
                        item.suffix,
                        item.prefix,
                        item.ibid,
                        item.url,
                        item.dated,
                    )
                )
        else:
            expanded.append(item)
    return expanded
