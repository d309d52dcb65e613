"""Reading built outputs and an article's sources as text, for the e2e checks.

``normalize``d text: hyphenation at line ends undone, all whitespace as single spaces.
"""

from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

from projects import run


def normalize(text: str) -> str:
    """Text with hyphenation at line ends undone and all whitespace as single spaces."""
    text = re.sub(r"[\u2010\u00ad-]\n(?=\w)", "", text)  # pdftotext keeps hyphens at breaks
    return re.sub(r"\s+", " ", text)


def pdf_pages(pdf: Path) -> list[str]:
    """The PDF's text, one normalized string per page (pdftotext, -layout off)."""
    pages = int(re.search(r"Pages:\s+(\d+)", run(["pdfinfo", pdf]).stdout)[1])
    return [
        normalize(run(["pdftotext", "-f", n, "-l", n, pdf, "-"]).stdout)
        for n in range(1, pages + 1)
    ]


def html_text(markup: str) -> str:
    """The normalized text of HTML, each tag read as a space."""
    return normalize(unescape(re.sub(r"<[^>]+>", " ", markup)))


def epub_text(epub: Path) -> str:
    """The text of every (X)HTML member of the EPUB, joined by spaces."""
    with zipfile.ZipFile(epub) as archive:
        return " ".join(
            html_text(archive.read(n).decode("utf-8"))
            for n in archive.namelist()
            if n.endswith("html")
        )


def section_files(article: Path) -> list[Path]:
    """The section files ``manuscript/NN-*.md`` of the article whose folder is ``article``."""
    return sorted((article / "manuscript").glob("[0-9][0-9]-*.md"))


def headings(article: Path) -> list[str]:
    """Level-1 headings of the article's sections: `# Text {#id}` lines, markup and attributes
    dropped."""
    found = []
    for path in section_files(article):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                text = re.sub(r"\s*\{[^}]*\}\s*$", "", line[2:])
                found.append(re.sub(r"[*_`]", "", text).strip())
    return found


def bib_keys(article: Path) -> list[str]:
    """The entry keys of the article's ``refs.bib`` (not @comment, @string, @preamble)."""
    text = (article / "refs.bib").read_text(encoding="utf-8")
    return [
        key
        for kind, key in re.findall(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,", text, re.MULTILINE)
        if kind.lower() not in ("comment", "string", "preamble")
    ]
