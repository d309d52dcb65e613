"""The manuscript stage: metadata.yaml and the section files, on small inputs of their own
(tests/data/manuscript/; the real article's: tests/article/test_article_manuscript.py)."""

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
    section_problems,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "manuscript"
#: a valid manuscript folder of its own: metadata.yaml, 01-zones.md, 02-agreements.md
ARTICLE = DATA / "article"


def test_metadata_loads() -> None:
    metadata = load_metadata(ARTICLE / "metadata.yaml")
    assert metadata["title"] == "Small Test Article: Border Treaties in Central Asia"
    assert [a["name"] for a in metadata["author"]] == ["Ann Example", "Bea Sample"]
    assert [a.get("corresponding", False) for a in metadata["author"]] == [True, False]
    assert [a["name"] for a in metadata["affiliations"]] == [
        "First Test University",
        "Second Test College",
    ]
    assert metadata["keywords"] == ["treaties", "borders"]
    assert metadata["running-head"] == "BORDER TREATIES"
    assert metadata["lang"] == "en-US"
    assert metadata["nocite"] == "@*"
    assert metadata["author-note"]["correspondence"].endswith(
        "She may be contacted at ann@example.org"
    )
    abstract = metadata["abstract"].splitlines()
    assert len(abstract) == 3  # one sentence per line, kept by the block scalar
    assert abstract[2] == "Their slugs run against the alphabet."


def test_sections_in_reading_order() -> None:
    """The number sets the order, not the slug (02-agreements sorts before 01-zones by slug)."""
    names = [p.name for p in list_sections(ARTICLE)]
    assert names == ["01-zones.md", "02-agreements.md"]


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
        "required metadata field 'lang' is missing",
        "author 1 has no 'name'",
    ]


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("en-US", None),
        ("fr", None),
        ("zh-Hant-TW", None),
        ("C", "required metadata field 'lang' 'C' is not a language tag"),
        ("english", "required metadata field 'lang' 'english' is not a language tag"),
        (7, "required metadata field 'lang' 7 is not a language tag"),
    ],
)
def test_lang_is_a_language_tag(lang, message) -> None:
    metadata = {"title": "T", "abstract": "A.", "author": [{"name": "A B"}], "lang": lang}
    problems = metadata_problems(metadata, "metadata.yaml", {"lang": 4})
    assert [str(p) for p in problems] == (
        []
        if message is None
        else [
            f"metadata.yaml:4: {message}\n  hint: add the BCP 47 tag of the article's language, "
            "e.g. 'lang: en-US' or 'lang: fr' (EPUB, PDF/UA and HTML need it; it is never guessed)"
        ]
    )


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
    """The fixture's metadata and sections 01-02 (tests/data/manuscript/article/) plus one test
    section as 03."""
    directory = tmp_path / "manuscript"
    directory.mkdir()
    shutil.copy(ARTICLE / "metadata.yaml", directory)
    for path in sorted(ARTICLE.glob("0[12]-*.md")):
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
    assert main(["manuscript", "--check", "--manuscript-dir", str(ARTICLE)]) == 0
    assert capsys.readouterr().out == f"{ARTICLE}: ok: 2 authors, 2 sections\n"


def test_cli_check_fails_with_message(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = _manuscript_with(tmp_path, "03-no-heading.md")
    shutil.copy(DATA / "title-with-colon.yaml", directory / "metadata.yaml")
    assert main(["manuscript", "--check", "--manuscript-dir", str(directory)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {directory}/metadata.yaml:2:41: malformed YAML: ")
    assert f"{directory}/03-no-heading.md:1:1: " in err


def test_cli_check_warns_of_a_hard_wrapped_section(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "manuscript"
    shutil.copytree(ARTICLE, directory)
    (directory / "03-wrapped.md").write_text(
        "# Vents {#sec-vents}\n\nLe mistral souffle du nord. Il\nest froid et sec.\n",
        encoding="utf-8",
    )
    assert main(["manuscript", "--check", "--manuscript-dir", str(directory)]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"{directory}: ok: 2 authors, 3 sections\n"
    assert captured.err == (
        f"warning: {directory}/03-wrapped.md:3: not one sentence per line (hard-wrapped)\n"
        f"  hint: run `article linebreaks --write {directory}/03-wrapped.md`\n"
    )


def test_cli_check_accepts_sentences_starting_with_accented_capitals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """No hard-wrap warning for lines that begin with "À", "Étudier" (build.linebreaks)."""
    directory = tmp_path / "manuscript"
    shutil.copytree(ARTICLE, directory)
    (directory / "03-lyon.md").write_text(
        "# Lyon {#sec-lyon}\n\nLa ville vote un plan en 1880.\nÀ Lyon, il pleut.\n"
        "Étudier les lecteurs demande du temps.\n",
        encoding="utf-8",
    )
    assert main(["manuscript", "--check", "--manuscript-dir", str(directory)]) == 0
    captured = capsys.readouterr()
    assert captured.out == f"{directory}: ok: 2 authors, 3 sections\n"
    assert captured.err == ""


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        pytest.param(
            "# Heading {#sec-x",
            "notes.md:2:11: the heading's attribute block '{#sec-x' is not closed\n"
            "  hint: close it: '# Heading text {#sec-x}'",
            id="unclosed-block",
        ),
        pytest.param(
            "# Zur Geschichte {#sec-geschichte .unnumbered  ",
            "notes.md:2:18: the heading's attribute block '{#sec-geschichte .unnumbered' is not "
            "closed\n  hint: close it: '# Heading text {#sec-geschichte .unnumbered}'",
            id="unclosed-block-with-class",
        ),
        pytest.param(
            "Heading {#sec-x",
            "notes.md:2:1: a section file must start with a level-1 heading with an id\n"
            "  hint: start the file with '# Heading text {#sec-slug}'",
            id="not-a-heading",
        ),
    ],
)
def test_heading_with_an_unclosed_attribute_block(first_line: str, expected: str) -> None:
    data = f"\n{first_line}\n\nText.\n".encode()
    problems = section_problems("notes.md", data)
    assert [str(p) for p in problems] == [expected]


def test_a_tab_in_the_metadata_is_named_with_its_line(tmp_path: Path) -> None:
    from build.yamlfile import parse_yaml

    with pytest.raises(ManuscriptError) as caught:
        parse_yaml("title: T\nauthor:\n\t- name: A\n", "m.yaml", ManuscriptError)
    assert str(caught.value) == (
        "m.yaml:3:1: malformed YAML: a tab character: YAML indents with spaces only\n"
        "  hint: replace the tab with spaces (two per level of nesting)"
    )


def test_a_section_id_without_the_sec_prefix_is_named() -> None:
    from build.manuscript import section_problems

    (problem,) = section_problems("a.md", b"# Appendix {#refs}\n\nText.\n")
    assert str(problem) == (
        "a.md:1:12: the section's id '#refs' is not 'sec-' and a slug of lower-case letters, "
        "digits and dashes\n  hint: write {#sec-refs} (ids of sections start with 'sec-'; "
        "tables 'tbl-', figures 'fig-')"
    )
    assert section_problems("a.md", b"# Appendix {#sec-refs}\n") == []
