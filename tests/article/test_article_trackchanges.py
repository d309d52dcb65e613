"""The root article's data files (manuscript/data/*.yaml) list their keys in the canonical
order of their schemas, as tracked changes expect (the rule on small inputs:
tests/unit/test_trackchanges.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from build.trackchanges import key_order_problems

ROOT = Path(__file__).resolve().parents[2]
DATA_FILES = sorted((ROOT / "manuscript" / "data").glob("*.yaml"))


def test_the_article_has_its_three_data_files() -> None:
    assert [p.name for p in DATA_FILES] == ["bodies.yaml", "membership.yaml", "summits.yaml"]


@pytest.mark.parametrize("path", DATA_FILES, ids=[p.name for p in DATA_FILES])
def test_data_files_keep_the_schema_key_order(path: Path) -> None:
    schema = path.parent / "schemas" / f"{path.stem}.schema.json"
    assert key_order_problems(str(path), path.read_text(encoding="utf-8"), schema) == []
