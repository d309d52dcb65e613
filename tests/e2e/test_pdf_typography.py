"""Typography of the root article's PDF from the session build, read from the PDF (issue 17).

build.typography finds each fault at its page and line; the kinds the filters and print.css
fix must not occur, the others must not exceed their count before the change (README,
"Typography"). Small inputs of the same rules: tests/unit/test_typography.py.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from build import typography

pytestmark = pytest.mark.e2e

MM = 72 / 25.4
#: measured on the PDF of main before the change (commit 409628d), the counts of the kinds
#: that the build reduces but cannot rule out
BEFORE = {"hyphen-run": 2, "single-word-last-line": 5, "short-page": 0}
FIXED = ("locator-split", "name-hyphenated", "page-turn-hyphen")


class _Starts(HTMLParser):
    """Texts of the print HTML's headings and caption labels: what a short page may precede."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[list[str]] = []
        self.open: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag in ("h1", "h2", "h3", "h4", "h5") or "caption-label" in classes:
            self.open = (tag, [])
            self.found.append(self.open[1])

    def handle_endtag(self, tag: str) -> None:
        if self.open and tag in (self.open[0], "span"):
            self.open = None

    def handle_data(self, data: str) -> None:
        if self.open:
            self.open[1].append(data)


@pytest.fixture(scope="module")
def faults(project_build) -> list[typography.Finding]:
    out = project_build.output()
    css = _read(out / "render/profile.css")
    margins = re.search(r"margin: ([\d.]+)mm [\d.]+mm ([\d.]+)mm", css)
    pages = typography.read_pages(
        out / "article.pdf", float(margins.group(1)) * MM, float(margins.group(2)) * MM
    )
    starts = _Starts()
    starts.feed(_read(out / "render/article.print.html"))
    boundaries = [" ".join("".join(parts).split()) for parts in starts.found]
    labels, months = typography.load_words("en-US")
    return typography.find_faults(pages, labels, months, boundaries)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", FIXED)
def test_fixed_faults_do_not_occur(faults, kind: str) -> None:
    found = [str(f) for f in faults if f.kind == kind]
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("kind", sorted(BEFORE))
def test_other_faults_are_no_more_than_before(faults, kind: str) -> None:
    found = [str(f) for f in faults if f.kind == kind]
    assert len(found) <= BEFORE[kind], "\n".join(found)


def test_short_tables_print_on_one_page_and_the_html_scrolls_them(project_build) -> None:
    out = project_build.output()
    html = _read(out / "render/article.print.html")
    tables = re.findall(r'<table[^>]* class="short-table".*?</table>', html, re.S)
    assert tables, "the article's table has no short-table class"
    text = [typography.read_pages(out / "article.pdf", 0, 0)]
    pages = text[0]
    for table in tables:
        label = re.search(r'caption-label"><strong>([^<]+)<', table).group(1)
        cells = r"<tr>\s*<td[^>]*>(?:<p>)?(?:<span[^>]*>)?([^<]+)<"  # a nohyphen span or none
        last_row = re.findall(cells, table)[-1].split()[0]
        caption_page = next(p.number for p in pages for ln in p.lines if ln.text == label)
        row_pages = {p.number for p in pages for ln in p.lines if ln.words[0] == last_row}
        assert caption_page in row_pages, (label, caption_page, row_pages)
    screen = _read(out / "article.html")
    assert screen.count('class="table-scroll"') == screen.count("<table")
    assert screen.count('class="figure-scroll"') == screen.count("<figure")


def test_the_abstracts_names_are_kept_whole_and_the_head_stays_plain(project_build) -> None:
    html = _read(project_build.output() / "render/article.print.html")
    description = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    assert description.startswith("Since the dissolution of Soviet Union, the US")
    assert "<" not in description and "&lt;span" not in description
    abstract = html[html.index('<section class="abstract"') :].split("</section>")[0]
    assert 'Since the dissolution of <span class="nohyphen">Soviet Union, the US' in abstract
