"""End-to-end: switching the CSL style restyles citations and references, nothing else (issue 6).

A temporary copy of the project (sources plus the session build's output/, so that only the
render rules run again) is built with ``--config csl_style=chicago-author-date``. Chicago
author-date (17th ed., §15.9 and §15.21): no comma between author and year, no "p."/"pp." before the
locator, the year after the author's name in the reference list, article titles in quotation
marks and title case. The page is compared with the APA build once citations and the reference
list are taken out: everything else is the same.
"""

from __future__ import annotations

import json
import re
import subprocess
import zipfile
from html import unescape
from pathlib import Path

import pytest
from outputs import normalize

from projects import copy_project, snakemake

pytestmark = pytest.mark.e2e

#: (APA 7, Chicago author-date) renderings of the article's first citation and its entry.
CITATION = ("(Mackinder, 2004, pp. 298–303)", "(Mackinder 2004, 298–303)")
REFERENCE = (
    "Mackinder, H. J. (2004). The geographical pivot of history. The Geographical Journal, "
    "170(4), 298–321.",
    "Mackinder, H. J. 2004. “The Geographical Pivot of History.” The Geographical Journal 170 "
    "(4): 298–321.",
)


@pytest.fixture(scope="module")
def apa(project_build) -> Path:
    """The session build's output/ (APA 7, the profile's style)."""
    return project_build.output()


@pytest.fixture(scope="module")
def chicago(tmp_path_factory, project_build) -> Path:
    """The project copy built with the Chicago author-date style; returns its output/."""
    copy = copy_project(
        tmp_path_factory.mktemp("chicago") / "project", output_from=project_build.root
    )
    result = snakemake(
        copy, "--config", "csl_style=chicago-author-date", "--forcerun", "check_profile"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return copy / "output"


def plain(markup: str) -> str:
    """The text of HTML without its tags (inline markup leaves no space), whitespace
    normalized."""
    return normalize(unescape(re.sub(r"<[^>]+>", "", markup)))


def texts(output: Path) -> dict[str, str]:
    with zipfile.ZipFile(output / "article.epub") as epub:
        epub_text = " ".join(
            plain(epub.read(n).decode("utf-8")) for n in epub.namelist() if n.endswith("html")
        )
    pdf = subprocess.run(
        ["pdftotext", str(output / "article.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    return {
        "html": plain((output / "article.html").read_text(encoding="utf-8")),
        "epub": epub_text,
        "pdf": normalize(pdf),
    }


@pytest.mark.parametrize("kind", ["html", "epub", "pdf"])
def test_chicago_restyles_citations_and_references(apa, chicago, kind):
    apa_text, chicago_text = texts(apa)[kind], texts(chicago)[kind]
    assert CITATION[0] in apa_text and REFERENCE[0] in apa_text
    assert CITATION[1] in chicago_text, kind
    assert REFERENCE[1] in chicago_text, kind
    assert CITATION[0] not in chicago_text and REFERENCE[0] not in chicago_text


def without_citations(markup: str) -> str:
    """The HTML page without its citations (each span.citation with its nested spans) and
    without its reference list (nor its copies in the head: citation_reference tags and the
    JSON-LD's citation list)."""
    markup = re.sub(r'<meta name="citation_reference" content="[^"]*">\n', "", markup)

    def without_list(script: re.Match) -> str:
        data = json.loads(script[1])
        data.pop("citation", None)
        return f"<script>{json.dumps(data, sort_keys=True)}</script>"

    markup = re.sub(r'<script type="application/ld\+json">([^<]*)</script>', without_list, markup)
    parts, position = [], 0
    for match in re.finditer(r'<span class="citation" data-cites="[^"]*">', markup):
        if match.start() < position:
            continue  # inside a removed citation
        parts.append(markup[position : match.start()] + "CITE")
        depth, cursor = 1, match.end()
        while depth:
            tag = re.compile(r"<(/?)span\b").search(markup, cursor)
            depth += -1 if tag[1] else 1
            cursor = tag.end()
        position = markup.index(">", cursor) + 1
    markup = "".join(parts) + markup[position:]
    start, end = markup.index('<div id="refs"'), markup.index('<section id="footnotes"')
    return markup[:start] + markup[end:]


def test_chicago_changes_nothing_else(apa, chicago):
    page = (apa / "article.html").read_text(encoding="utf-8")
    other = (chicago / "article.html").read_text(encoding="utf-8")
    assert page != other
    assert without_citations(page) == without_citations(other)
    entries = [re.findall(r'<div id="(ref-[^"]+)" class="csl-entry"', m) for m in (page, other)]
    assert sorted(entries[0]) == sorted(entries[1])
