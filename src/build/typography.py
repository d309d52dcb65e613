"""Typographic faults of a paginated PDF, read from the PDF itself (issue 17).

Terms used in this module:

* ``line``: one printed line of text as poppler's ``pdftotext -bbox-layout`` gives it: its
  words and its box in PDF points (origin top left, y downwards), on a 1-based ``page``.
* ``size class``: lines whose word boxes have the same height (rounded to 0.5 pt) were set in
  the same font size: the body text, footnotes, tables, references each form one. The body is
  the class with the most words. Faults are looked for between consecutive lines of one class,
  so that a footnote never counts as the next line of the body text.
* ``auto hyphen``: the hyphen WeasyPrint adds where it hyphenates a word (its default
  ``hyphenate-character``, U+2010 HYPHEN), unlike a hyphen of the text (U+002D).
* ``label``: a word that a number completes ("p.", "Article", "§"), from
  ``styles/filters/nobreak-words.json``, the file the filter ``nobreak.lua`` ties them with.

The kinds of fault (:data:`KINDS`), each a :class:`Finding` at its page and line:
``locator-split`` a label, a hyphenated alphanumeric token ("S-5"), a number range or a date
broken across two lines; ``name-hyphenated`` a capitalised word hyphenated at a line end;
``page-turn-hyphen`` a word hyphenated across a page turn; ``hyphen-run`` three or more
consecutive lines ending with an auto hyphen; ``single-word-last-line`` the last line of a
justified paragraph holding one word; ``short-page`` a page whose text ends more than two lines
above the foot of its text area, unless the next page begins with a heading, a figure or a
table (``boundaries``).
"""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from build.errors import PipelineError

WORDS_FILE = Path(__file__).parent / "styles" / "filters" / "nobreak-words.json"
AUTO_HYPHEN = "\u2010"
KINDS = (
    "locator-split",
    "name-hyphenated",
    "page-turn-hyphen",
    "hyphen-run",
    "single-word-last-line",
    "short-page",
)
_XHTML = "{http://www.w3.org/1999/xhtml}"
_NUMBER_RE = re.compile(r"^[(\[]?(\d|[IVXLCDM]+\b)")
_TOKEN_HYPHEN_RE = re.compile(r"\w-$")  # "S-" at a line end, a digit next
_RANGE_RE = re.compile(r"\d[\u2013-]$")  # "20–" at a line end, a digit next
_DAY_RE = re.compile(r"^\(?(\d{1,2})(st|nd|rd|th|er|\.)?,?$")
_YEAR_RE = re.compile(r"^\d{3,4}\b")


class TypographyError(PipelineError):
    """The PDF cannot be read (poppler's pdftotext missing or failing)."""


@dataclass(frozen=True)
class Line:
    """One printed line: its words and box (PDF points, y downwards) on ``page`` (1-based)."""

    page: int
    words: tuple[str, ...]
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    block_x_max: float  # the right edge of its text block: a full line of justified text

    @property
    def text(self) -> str:
        return " ".join(self.words)

    @property
    def height(self) -> float:
        return round((self.y_max - self.y_min) * 2) / 2


@dataclass(frozen=True)
class Page:
    """A page's size (points) and its lines inside the text area, top to bottom."""

    number: int
    width: float
    height: float
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Finding:
    """One fault: its kind (:data:`KINDS`), page, line on that page (1-based, counted in its
    text area from the top) and the printed text that shows it."""

    kind: str
    page: int
    line: int
    text: str

    def __str__(self) -> str:
        return f"page {self.page}, line {self.line}: {self.kind}: {self.text}"


def load_words(lang: str, path: Path = WORDS_FILE) -> tuple[set[str], set[str]]:
    """(labels, months) for the BCP 47 ``lang`` (its primary subtag, plus ``any``), lower case."""
    data = json.loads(path.read_text(encoding="utf-8"))
    primary = lang.split("-")[0].lower()
    labels = {w.lower() for key in ("any", primary) for w in data["labels"].get(key, [])}
    months = {w.lower() for w in data["months"].get(primary, [])}
    return labels, months


def read_pages(pdf: str | Path, top_pt: float, bottom_pt: float) -> list[Page]:
    """The lines of every page of ``pdf`` inside its text area (``pdftotext -bbox-layout``).

    Args:
        pdf: the PDF file.
        top_pt, bottom_pt: the page's top and bottom margins in points; lines outside (running
            heads, page numbers) are left out.
    Raises:
        TypographyError: pdftotext is missing or fails.
    """
    try:
        done = subprocess.run(
            ["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, check=False
        )
    except FileNotFoundError:
        raise TypographyError(
            "pdftotext not found", str(pdf), hint="install poppler-utils (.ci/setup.sh)"
        ) from None
    if done.returncode:
        raise TypographyError(
            f"pdftotext failed: {done.stderr.decode(errors='replace').strip()}", str(pdf)
        )
    return parse_bbox_layout(done.stdout.decode("utf-8"), top_pt, bottom_pt)


def parse_bbox_layout(xhtml: str, top_pt: float, bottom_pt: float) -> list[Page]:
    """The pages of ``pdftotext -bbox-layout`` output (see :func:`read_pages`)."""
    pages = []
    for number, page in enumerate(ET.fromstring(xhtml).iter(f"{_XHTML}page"), start=1):
        width, height = float(page.get("width")), float(page.get("height"))
        lines = []
        for block in page.iter(f"{_XHTML}block"):
            for line in block.iter(f"{_XHTML}line"):
                words = tuple(w.text or "" for w in line.iter(f"{_XHTML}word"))
                box = [float(line.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")]
                if words and box[1] >= top_pt - 2 and box[3] <= height - bottom_pt + 2:
                    lines.append(Line(number, words, *box, float(block.get("xMax"))))
        lines.sort(key=lambda ln: (round(ln.y_min), ln.x_min))
        pages.append(Page(number, width, height, tuple(lines)))
    return pages


def _classes(pages: Sequence[Page]) -> tuple[float, dict[float, list[Line]]]:
    """The body's line height and every size class's lines in reading order."""
    by_height: dict[float, list[Line]] = {}
    for page in pages:
        for line in page.lines:
            by_height.setdefault(line.height, []).append(line)
    words = Counter({h: sum(len(ln.words) for ln in lines) for h, lines in by_height.items()})
    return words.most_common(1)[0][0], by_height


def _line_no(pages: Sequence[Page], line: Line) -> int:
    return pages[line.page - 1].lines.index(line) + 1


def _bare(word: str) -> str:
    return word.strip("()[],;:\u201c\u201d\"'").lower()


def _split_kind(a: Line, b: Line, labels: set[str], months: set[str]) -> bool:
    """Whether the break between line ``a`` and the next line ``b`` splits a locator, a
    hyphenated alphanumeric token, a number range or a date."""
    last, first = a.words[-1], b.words[0]
    if _NUMBER_RE.match(first) and (
        _bare(last) in labels or _TOKEN_HYPHEN_RE.search(last) or _RANGE_RE.search(last)
    ):
        return True
    if not months:
        return False
    if _bare(last).rstrip(",") in months and re.match(r"^\(?\d", first):
        return True  # "June | 15", "June | 2001"
    if _DAY_RE.match(last) and _bare(first).rstrip(",.") in months:
        return True  # "15 | June"
    if len(a.words) > 1 and _bare(a.words[-2]) in months and _DAY_RE.match(last):
        return bool(_YEAR_RE.match(first))  # "June 15, | 2001"
    return False


def find_faults(
    pages: Sequence[Page],
    labels: set[str],
    months: set[str],
    boundaries: Iterable[str] = (),
    line_height_pt: float | None = None,
) -> list[Finding]:
    """Every fault of :data:`KINDS` in ``pages`` (:func:`read_pages`), in page order per kind.

    Args:
        pages: the PDF's pages.
        labels, months: from :func:`load_words`.
        boundaries: texts that a heading, a figure caption or a table caption begins with (the
            print HTML's headings and caption labels): a short page before one is expected.
        line_height_pt: the body's line height (points); measured from the body lines if None.
    """
    body, classes = _classes(pages)
    found: list[Finding] = []

    def add(kind: str, line: Line, text: str | None = None) -> None:
        found.append(Finding(kind, line.page, _line_no(pages, line), text or line.text))

    for lines in classes.values():
        run: list[Line] = []
        for index, line in enumerate(lines):
            after = lines[index + 1] if index + 1 < len(lines) else None
            last = line.words[-1]
            if after and _split_kind(line, after, labels, months):
                add("locator-split", line, f"{line.text} | {after.text}")
            hyphenated = last.endswith(AUTO_HYPHEN)
            if hyphenated and last[:1].isupper():
                add("name-hyphenated", line, f"{last} | {after.words[0] if after else ''}")
            if hyphenated and after and after.page != line.page:
                add("page-turn-hyphen", line, f"{last} | page {after.page}: {after.words[0]}")
            if hyphenated and (not run or _consecutive(run[-1], line)):
                run.append(line)
            else:
                if len(run) >= 3:
                    add("hyphen-run", run[0], f"{len(run)} lines: " + " / ".join(
                        r.words[-1] for r in run))  # fmt: skip
                run = [line] if hyphenated else []
        if len(run) >= 3:
            add("hyphen-run", run[0], f"{len(run)} lines: " + " / ".join(r.words[-1] for r in run))
    found += _single_word_last_lines(pages, classes[body])
    found += _short_pages(pages, classes[body], boundaries, line_height_pt)
    return sorted(found, key=lambda f: (KINDS.index(f.kind), f.page, f.line))


def _consecutive(a: Line, b: Line) -> bool:
    """Whether ``b`` is the line right below ``a`` in the same column of the same page."""
    return a.page == b.page and 0 < b.y_min - a.y_min < 2.2 * (a.y_max - a.y_min)


def _full(line: Line) -> bool:
    return line.x_max >= line.block_x_max - 1.0


def _single_word_last_lines(pages: Sequence[Page], body: Sequence[Line]) -> list[Finding]:
    """Body lines that end a justified paragraph (short, after a full line) with one word."""
    found = []
    for before, line in zip(body, body[1:], strict=False):
        if len(line.words) == 1 and _full(before) and not _full(line):
            if before.page == line.page and _consecutive(before, line):
                found.append(Finding("single-word-last-line", line.page, _line_no(pages, line),
                                     f"{before.words[-1]} | {line.text}"))  # fmt: skip
    return found


def _short_pages(
    pages: Sequence[Page],
    body: Sequence[Line],
    boundaries: Iterable[str],
    line_height_pt: float | None,
) -> list[Finding]:
    """Pages (not the last) whose last line of text ends more than two body lines above the
    foot of the text area or the top of the footnotes, unless the next page opens with one of
    ``boundaries``."""
    if line_height_pt is None:
        steps = Counter(
            round(b.y_min - a.y_min, 1) for a, b in zip(body, body[1:], strict=False)
            if _consecutive(a, b)
        )  # fmt: skip
        line_height_pt = steps.most_common(1)[0][0] if steps else 12.0
    starts = tuple(" ".join(b.split()) for b in boundaries if b.strip())
    body_height = body[0].height if body else 0.0
    foot = max((ln.y_max for p in pages for ln in p.lines), default=0.0)  # text area's foot
    found = []
    for page, following in zip(pages, pages[1:], strict=False):
        if not page.lines or not following.lines:
            continue
        notes = _footnotes(page, body_height)
        text_lines = [ln for ln in page.lines if ln not in notes]
        bottom = notes[0].y_min - line_height_pt if notes else foot
        gap = bottom - max(ln.y_max for ln in text_lines)
        opening = following.lines[0].text
        if gap > 2.5 * line_height_pt and not any(opening.startswith(s) for s in starts):
            last = text_lines[-1]
            found.append(Finding("short-page", page.number, _line_no(pages, last),
                                 f"{gap / line_height_pt:.1f} lines free; next page: "
                                 f"{opening[:40]}"))  # fmt: skip
    return found


def _footnotes(page: Page, body_height: float) -> list[Line]:
    """The footnote lines at the foot of ``page``: the trailing lines set smaller than the
    body, below its last body-size line."""
    notes: list[Line] = []
    for line in reversed(page.lines):
        if line.height >= body_height:
            break
        notes.insert(0, line)
    if len(notes) == len(page.lines):  # no body line: a page of references or a table
        return []
    last_text = max(ln.y_max for ln in page.lines if ln not in notes)
    return notes if notes and notes[0].y_min - last_text > 10 else []


def summarize(findings: Iterable[Finding]) -> dict[str, int]:
    """The number of findings of each kind of :data:`KINDS` (0 included)."""
    counts = Counter(f.kind for f in findings)
    return {kind: counts.get(kind, 0) for kind in KINDS}
