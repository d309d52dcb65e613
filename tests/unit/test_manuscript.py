"""The manuscript stage: metadata.yaml and the section files of the real article."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from build.cli import main
from build.errors import ErrorList, ManuscriptError
from build.manuscript import (
    check_manuscript,
    list_sections,
    load_metadata,
    metadata_problems,
    numbering_problems,
)

ROOT = Path(__file__).resolve().parents[2]
MANUSCRIPT = ROOT / "manuscript"
DATA = ROOT / "tests" / "data" / "manuscript"


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


@pytest.mark.parametrize(
    ("name", "location", "message"),
    [
        pytest.param(
            "title-with-colon.yaml",
            "title-with-colon.yaml:2:41:",
            "mapping values are not allowed here",
            id="unquoted-colon-in-title",
        ),
        pytest.param(
            "bad-indent.yaml",
            "bad-indent.yaml:5:4:",
            "expected <block end>",
            id="author-indented-three-spaces",
        ),
        pytest.param(
            "no-title.yaml",
            "no-title.yaml:",
            "required metadata field 'title' is missing",
            id="missing-title",
        ),
        pytest.param(
            "author-without-name.yaml",
            "author-without-name.yaml:5:",
            "author 2 has no 'name'",
            id="author-without-name",
        ),
    ],
)
def test_metadata_errors(name: str, location: str, message: str) -> None:
    path = DATA / name
    with pytest.raises(ManuscriptError) as caught:
        load_metadata(path)
    text = str(caught.value)
    assert text.startswith(f"{DATA}/{location} "), text
    assert message in text
    assert "\n  hint: " in text


def test_metadata_problems_are_all_reported() -> None:
    problems = metadata_problems({"author": [{"name": ""}]}, "metadata.yaml")
    assert [p.message for p in problems] == [
        "required metadata field 'title' is missing",
        "required metadata field 'abstract' is missing",
        "author 1 has no 'name'",
    ]


def test_scalar_metadata_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "metadata.yaml"
    path.write_text("Sino-Russia Strategic Partnership\n", encoding="utf-8")
    with pytest.raises(ManuscriptError, match="must be a YAML mapping.*found a str"):
        load_metadata(path)


#: A section saved as Latin-1: "détente" has byte 0xe9 at line 3, byte column 33. Made here,
#: not stored under tests/data, because tools that read tests/ (ruff) reject non-UTF-8 files.
LATIN1_SECTION = (
    "# The Evolution of Shanghai Five {#sec-shanghai-five}\n\n"
    "An expression of the political détente was the mutual withdrawal of 80,000 troops from "
    "their borders.\n"
).encode("latin-1")


def _manuscript_with(tmp_path: Path, extra: str) -> Path:
    """The real metadata and sections 01-02 plus one test section as 03."""
    directory = tmp_path / "manuscript"
    directory.mkdir()
    shutil.copy(MANUSCRIPT / "metadata.yaml", directory)
    for path in sorted(MANUSCRIPT.glob("0[12]-*.md")):
        shutil.copy(path, directory)
    if extra == "03-latin1.md":
        (directory / extra).write_bytes(LATIN1_SECTION)
    else:
        shutil.copy(DATA / extra, directory / extra)
    return directory


def test_non_utf8_section_names_file_line_and_column(tmp_path: Path) -> None:
    directory = _manuscript_with(tmp_path, "03-latin1.md")
    with pytest.raises(ManuscriptError) as caught:
        list_sections(directory)
    assert str(caught.value).startswith(
        f"{directory}/03-latin1.md:3:33: section file is not valid UTF-8 (byte 0xe9)\n  hint: "
    )


def test_section_without_heading(tmp_path: Path) -> None:
    directory = _manuscript_with(tmp_path, "03-no-heading.md")
    with pytest.raises(ManuscriptError) as caught:
        list_sections(directory)
    assert str(caught.value).startswith(
        f"{directory}/03-no-heading.md:1:1: a section file must start with a level-1 heading"
    )


def test_empty_section(tmp_path: Path) -> None:
    directory = _manuscript_with(tmp_path, "03-latin1.md")
    (directory / "03-latin1.md").write_bytes(b"\n  \n")
    with pytest.raises(ManuscriptError, match=r"03-latin1\.md: section file is empty"):
        list_sections(directory)


def test_no_sections(tmp_path: Path) -> None:
    with pytest.raises(ManuscriptError, match="no section files"):
        list_sections(tmp_path)


def test_numbering_gap_and_repeat() -> None:
    problems = numbering_problems(
        ["01-great-powers-competition.md", "03-shanghai-five.md", "03-copy.md", "4-x.md"],
        "manuscript",
    )
    assert [str(p).splitlines()[0] for p in problems] == [
        "manuscript/4-x.md: section file name is not NN-slug.md "
        "(lower-case letters, digits, dashes)",
        "manuscript/03-shanghai-five.md: section number 03 is used by 2 files: "
        "03-copy.md, 03-shanghai-five.md",
        "manuscript: section file 02-*.md is missing (numbers run to 03)",
    ]


def test_check_reports_metadata_and_section_problems_together(tmp_path: Path) -> None:
    directory = _manuscript_with(tmp_path, "03-latin1.md")
    shutil.copy(DATA / "no-title.yaml", directory / "metadata.yaml")
    with pytest.raises(ErrorList) as caught:
        check_manuscript(directory)
    lines = [line for line in str(caught.value).splitlines() if not line.startswith("  ")]
    assert lines == [
        f"{directory}/metadata.yaml: required metadata field 'title' is missing",
        f"{directory}/03-latin1.md:3:33: section file is not valid UTF-8 (byte 0xe9)",
    ]


def test_cli_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manuscript", "--check", "--manuscript-dir", str(MANUSCRIPT)]) == 0
    assert capsys.readouterr().out == f"{MANUSCRIPT}: ok: 2 authors, 7 sections\n"


def test_cli_check_fails_with_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _manuscript_with(tmp_path, "03-no-heading.md")
    shutil.copy(DATA / "title-with-colon.yaml", directory / "metadata.yaml")
    assert main(["manuscript", "--check", "--manuscript-dir", str(directory)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {directory}/metadata.yaml:2:41: malformed YAML: ")
    assert f"{directory}/03-no-heading.md:1:1: " in err
