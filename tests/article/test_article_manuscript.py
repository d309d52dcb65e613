"""The root article's manuscript/ with its real values: its metadata.yaml, its seven section
files in reading order, and the manuscript check of its folder (the rules on small inputs:
tests/unit/test_manuscript.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from build.cli import main
from build.manuscript import list_sections, load_metadata

ROOT = Path(__file__).resolve().parents[2]
MANUSCRIPT = ROOT / "manuscript"


def test_real_metadata_loads() -> None:
    metadata = load_metadata(MANUSCRIPT / "metadata.yaml")
    assert metadata["title"] == (
        "Sino-Russia Strategic Partnership: The Case Study of Shanghai Cooperation "
        "Organization (SCO)"
    )
    assert [a["name"] for a in metadata["author"]] == ["Jamshed Khan", "Razia Sultana"]
    assert [a.get("corresponding", False) for a in metadata["author"]] == [True, False]
    assert [a["name"] for a in metadata["affiliations"]] == [
        "Bannu Model School and College Bannu",
        "Shaheed Benazir Bhutto Women University Peshawar",
    ]
    assert metadata["keywords"] == ["SCO", "soft balancing", "Central Asia", "Russia", "China"]
    assert metadata["running-head"] == "SHANGHAI COOPERATION ORGANIZATION (SCO)"
    assert metadata["lang"] == "en-US"
    assert metadata["nocite"] == "@*"
    assert metadata["author-note"]["correspondence"].endswith(
        "He may be contacted at corresponding.author@example.org"
    )
    abstract = metadata["abstract"].splitlines()
    assert len(abstract) == 8  # one sentence per line
    assert abstract[5].endswith("formation of the Shanghai Cooperation Organization.")


def test_real_sections_in_reading_order() -> None:
    names = [p.name for p in list_sections(MANUSCRIPT)]
    assert names == [
        "01-great-powers-competition.md",
        "02-shanghai-spirit.md",
        "03-shanghai-five.md",
        "04-formation-of-sco.md",
        "05-organizational-structure.md",
        "06-areas-of-cooperation.md",
        "07-conclusion.md",
    ]


def test_cli_check_ok_on_the_real_manuscript(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manuscript", "--check", "--manuscript-dir", str(MANUSCRIPT)]) == 0
    assert capsys.readouterr().out == f"{MANUSCRIPT}: ok: 2 authors, 7 sections\n"
