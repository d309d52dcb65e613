"""The root article's section files are one sentence per line, and reflowing them changes
nothing a reader sees (the rule on small inputs: tests/unit/test_linebreaks.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pypandoc
import pytest

from build.linebreaks import check_file, format_semantic_line_breaks

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = sorted((ROOT / "manuscript").glob("[0-9][0-9]-*.md"))


def _ast(text: str) -> object:
    """pandoc's JSON AST with SoftBreak normalised to Space (what a reader sees)."""
    raw = pypandoc.convert_text(text, "json", format="markdown")
    return json.loads(raw.replace('{"t":"SoftBreak"}', '{"t":"Space"}'))["blocks"]


def test_the_article_has_its_seven_sections() -> None:
    assert len(SECTIONS) == 7


@pytest.mark.parametrize("path", SECTIONS, ids=[p.name for p in SECTIONS])
def test_manuscript_is_one_sentence_per_line(path: Path) -> None:
    assert check_file(path) == [], f"run: article linebreaks --write {path}"
    text = path.read_text(encoding="utf-8")
    assert _ast(format_semantic_line_breaks(text)) == _ast(text)
