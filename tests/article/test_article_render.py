"""The root article's metadata as the render stage reads it, with its real values (the render
stage on its small fixture: tests/unit/test_render.py)."""

from __future__ import annotations

from pathlib import Path

from build import render

ROOT = Path(__file__).resolve().parents[2]


def test_read_metadata_of_the_real_article():
    path = ROOT / "manuscript" / "metadata.yaml"
    meta = render.read_metadata(path.read_text(encoding="utf-8"))
    assert meta["running-head"] == "SHANGHAI COOPERATION ORGANIZATION (SCO)"
    assert render.author_surnames(meta) == "Khan and Sultana"
