"""Tests of build.data on small data files and schemas of their own (not the article's)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from build import cli
from build.data import (
    DataErrorList,
    PartialDate,
    Source,
    check_citekeys,
    data_files,
    fact_of,
    load_documents,
    parse_yaml,
    read_citekeys,
    validate_document,
)
from build.errors import BibliographyError, DataError

COMMON = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "common.schema.json",
    "$defs": {
        "sources": {
            "oneOf": [
                {"const": "article"},
                {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"key": {"type": "string"}, "locator": {"type": "string"}},
                        "required": ["key"],
                        "additionalProperties": False,
                    },
                },
            ]
        },
        "day": {
            "type": "string",
            "pattern": "^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$",
            "format": "partial-date",
            "description": "YYYY, YYYY-MM or YYYY-MM-DD",
        },
        "place": {
            "title": "{value: place, sources}",
            "type": "object",
            "properties": {"value": {"type": "string"}, "sources": {"$ref": "#/$defs/sources"}},
            "required": ["value", "sources"],
            "additionalProperties": False,
        },
    },
}
EVENTS = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "events.schema.json",
    "type": "object",
    "properties": {
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "kind": {"enum": ["fair", "race"], "description": "what kind of event"},
                    "when": {"$ref": "common.schema.json#/$defs/day"},
                    "where": {
                        "oneOf": [{"type": "null"}, {"$ref": "common.schema.json#/$defs/place"}]
                    },
                },
                "required": ["name", "when"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["events"],
    "additionalProperties": False,
}
GOOD = """\
events:
  - name: Spring fair
    kind: fair
    when: "2003-04"
    where: {value: Ghent, sources: [{key: smith2001, locator: p. 4}]}
  - name: Night race
    when: "1999"
    where: null
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A data folder with events.yaml and schemas/{events,common}.schema.json."""
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "common.schema.json").write_text(json.dumps(COMMON), encoding="utf-8")
    (schemas / "events.schema.json").write_text(json.dumps(EVENTS), encoding="utf-8")
    (tmp_path / "events.yaml").write_text(GOOD, encoding="utf-8")
    return tmp_path


def problems(folder: Path, text: str) -> list[str]:
    """The first line of every problem found in ``text`` as events.yaml."""
    document = parse_yaml(text, "events.yaml")
    return [
        str(p).splitlines()[0] for p in validate_document(document, folder / "schemas", "events")
    ]


# --------------------------------------------------------------------------- YAML


def test_positions_of_values() -> None:
    document = parse_yaml(GOOD, "events.yaml")
    assert document.where(("events", 0, "when")) == (4, 11)
    assert document.where(("events", 1, "name")) == (6, 11)
    assert document.where(("events", 9)) == (2, 3)  # the nearest located ancestor
    assert document.data["events"][0]["when"] == "2003-04"  # dates stay strings


def test_duplicate_keys_all_reported() -> None:
    with pytest.raises(DataErrorList) as caught:
        parse_yaml("a: 1\na: 2\nb: {c: 1, c: 2}\n", "x.yaml")
    assert [str(e).splitlines()[0] for e in caught.value.errors] == [
        "x.yaml:2:1: a: duplicate key 'a'",
        "x.yaml:3:11: b.c: duplicate key 'c'",
    ]


def test_syntax_error_names_line_and_error_type() -> None:
    with pytest.raises(BibliographyError) as caught:
        parse_yaml("a: [1, 2\nb: 3\n", "r.yaml", BibliographyError)
    assert str(caught.value).startswith(
        "r.yaml:1:4: malformed YAML: a '[' list is not closed with ']' (parsing failed at line 2)"
    )


# --------------------------------------------------------------------------- schema


def test_valid_file_has_no_problems(folder: Path) -> None:
    assert problems(folder, GOOD) == []


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            '"2003-04"',
            '"2003-02-30"',
            "events.yaml:4:11: events[0].when: impossible date '2003-02-30': "
            "day 30 does not exist in February 2003",
        ),
        ('"2003-04"', '"2003-13"', "events.yaml:4:11: events[0].when: impossible date"),
        ('"2003-04"', '"April 2003"', 'events.yaml:4:11: events[0].when: invalid value "April'),
        ("kind: fair", "kind: show", 'events.yaml:3:11: events[0].kind: invalid value "show"'),
        ("  - name: Night race\n", "  - title: Night race\n", "events.yaml:6:5: events[1]: "),
        (
            "{key: smith2001",
            "{page: 4, key: smith2001",
            "events.yaml:5:37: events[0].where.sources[0]: Additional",
        ),
    ],
    ids=["impossible-day", "impossible-month", "format", "enum", "required", "extra-field"],
)
def test_violations(folder: Path, old: str, new: str, expected: str) -> None:
    assert GOOD.count(old) == 1
    found = problems(folder, GOOD.replace(old, new))
    assert any(p.startswith(expected) for p in found), found


def test_hints_say_what_was_expected(folder: Path) -> None:
    document = parse_yaml(GOOD.replace('"2003-04"', '"2003-04-31"'), "events.yaml")
    (problem,) = validate_document(document, folder / "schemas", "events")
    assert problem.hint == "expected a real calendar date: YYYY, YYYY-MM or YYYY-MM-DD"
    document = parse_yaml(GOOD.replace("kind: fair", "kind: show"), "events.yaml")
    (problem,) = validate_document(document, folder / "schemas", "events")
    assert problem.hint == 'expected one of "fair", "race" (what kind of event)'
    document = parse_yaml(GOOD.replace("where: null", "where: 7"), "events.yaml")
    (problem,) = validate_document(document, folder / "schemas", "events")
    assert problem.hint == "expected null (not given) or {value: place, sources}"


def test_missing_and_broken_schema(folder: Path) -> None:
    document = parse_yaml("x: 1\n", "other.yaml")
    with pytest.raises(DataError, match="other.schema.json: cannot read the schema"):
        validate_document(document, folder / "schemas", "other")
    (folder / "schemas" / "other.schema.json").write_text('{\n  "type": }\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"other.schema.json:2:11: invalid JSON"):
        validate_document(document, folder / "schemas", "other")


# --------------------------------------------------------------------------- citekeys, facts


def test_unknown_citekey_at_its_field() -> None:
    document = parse_yaml(GOOD, "events.yaml")
    (problem,) = check_citekeys(document, {"jones2010"}, "lib.bib")
    assert str(problem).splitlines() == [
        "events.yaml:5:43: events[0].where.sources[0].key: unknown citekey 'smith2001': "
        "lib.bib has no entry with this key",
        "  hint: expected a key of lib.bib (see docs/conventions.md)",
    ]
    assert check_citekeys(document, {"smith2001"}) == []


def test_read_citekeys(tmp_path: Path) -> None:
    bib = tmp_path / "lib.bib"
    bib.write_text("@book{smith2001, title = {T}}\n@misc{jones2010, note = {N}}\n", "utf-8")
    assert read_citekeys(bib) == {"smith2001", "jones2010"}
    with pytest.raises(DataError, match="missing.bib"):
        read_citekeys(tmp_path / "missing.bib")


def test_facts_and_partial_dates() -> None:
    fact = fact_of(
        {"value": "1999-07", "sources": [{"key": "a2000", "locator": "p. 3"}]}, PartialDate.parse
    )
    assert fact.value == PartialDate(1999, 7)
    assert fact.sources == (Source("a2000", "p. 3"),)
    assert fact.sources[0].markdown() == "@a2000, p. 3"
    assert fact_of({"value": "x", "sources": "article"}).by_article
    assert fact_of(None) is None
    assert PartialDate.parse("1999-07").display() == "July 1999"
    assert PartialDate.parse("2004-02-29").display() == "February 29, 2004"
    assert PartialDate.parse("1999").decimal_year() == 1999.5
    with pytest.raises(ValueError, match="day 29 does not exist in February 2003"):
        PartialDate.parse("2003-02-29")


# --------------------------------------------------------------------------- files, CLI


def test_load_documents_collects_every_problem(folder: Path) -> None:
    (folder / "events.yaml").write_text(
        GOOD.replace("kind: fair", "kind: show").replace("smith2001", "smith1001"), "utf-8"
    )
    bib = folder / "lib.bib"
    bib.write_text("@book{smith2001, title = {T}}\n", encoding="utf-8")
    with pytest.raises(DataErrorList) as caught:
        load_documents([folder / "events.yaml"], bib=bib)
    assert [e.message.split(":")[0] for e in caught.value.errors] == [
        "events[0].kind",
        "events[0].where.sources[0].key",
    ]
    (folder / "events.yaml").write_text(GOOD, encoding="utf-8")
    documents = load_documents([folder / "events.yaml"], folder / "schemas", bib)
    assert list(documents) == ["events"]
    assert documents["events"].data["events"][1]["name"] == "Night race"


def test_data_files_are_the_yaml_files_of_the_folder(folder: Path) -> None:
    (folder / "notes.txt").write_text("not data\n", encoding="utf-8")
    assert [p.name for p in data_files(folder)] == ["events.yaml"]


def test_cli_check(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bib = folder / "lib.bib"
    bib.write_text("@book{smith2001, title = {T}}\n", encoding="utf-8")
    assert cli.main(["data", "--check", "--data-dir", str(folder), "--bib", str(bib)]) == 0
    assert "data ok: 1 data files (events.yaml)" in capsys.readouterr().err
    (folder / "places.yaml").write_text("places: []\n", encoding="utf-8")
    assert cli.main(["data", "--check", "--data-dir", str(folder), "--bib", str(bib)]) == 1
    err = capsys.readouterr().err
    assert "places.schema.json: cannot read the schema" in err
    assert "each data file NAME.yaml needs its JSON Schema schemas/NAME.schema.json" in err


def test_cli_check_without_bibliography(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = folder / "none.bib"
    assert cli.main(["data", "--check", "--data-dir", str(folder), "--bib", str(missing)]) == 0
    err = capsys.readouterr().err
    assert f"note: {missing} not found: citekeys not checked" in err
