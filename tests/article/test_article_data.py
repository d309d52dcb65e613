"""Tests of the root article's data (manuscript/data/), its own checks (figures/sco_data.py)
and Table 1 (figures/tbl-summits.py), with the article's real values."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from article_scripts import load_dataset, load_script, sco_data

from build import cli
from build.data import check_documents, parse_yaml, read_citekeys
from build.errors import DataError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "manuscript" / "data"
SCHEMAS = DATA / "schemas"
FIXTURES = ROOT / "tests" / "data" / "summits"
FOUNDERS = ["China", "Russia", "Kazakhstan", "Kyrgyzstan", "Tajikistan"]

table = load_script("tbl-summits")
summits_table_cells = table.summits_table_cells
summits_table_markdown = table.summits_table_markdown


@pytest.fixture(scope="module")
def dataset():
    return load_dataset(DATA)


def keys_of(facts):
    return {source.key for fact in facts for source in fact.sources if source.key}


# --------------------------------------------------------------------------- real data


def test_six_rows_five_summits_and_the_founding(dataset):
    assert len(dataset.summits) == 6
    assert [s.kind for s in dataset.summits] == ["summit"] * 5 + ["founding"]
    assert [s.ordinal for s in dataset.summits] == [1, 2, 3, 4, 5, None]


def test_order_and_dates_as_precise_as_the_article(dataset):
    assert [s.date.value.iso() for s in dataset.summits] == [
        "1996-04-26",
        "1997-04-24",
        "1998-07-03",
        "1999",
        "2000-07-05",
        "2001",
    ]


@pytest.mark.parametrize(
    ("index", "city", "country"),
    [
        (0, "Shanghai", "China"),
        (1, None, "Russia"),  # the article: "held in Russia on 24th April 1997"
        (2, "Alma Ata", "Kazakhstan"),
        (3, "Bishkek", "Kyrgyzstan"),
        (4, "Dushanbe", "Tajikistan"),
        (5, None, None),  # the founding: no place given
    ],
    ids=["1996", "1997", "1998", "1999", "2000", "2001"],
)
def test_places(dataset, index, city, country):
    summit = dataset.summits[index]
    assert (summit.city.value if summit.city else None) == city
    assert (summit.host_country.value if summit.host_country else None) == country


@pytest.mark.parametrize(
    ("index", "keys"),
    [
        (0, set()),  # its only parenthetical (Xinhua, 27 April 1997) has no list entry
        (1, {"shambaugh2002", "renmin1997"}),
        (2, {"nasir2007", "mahmud2001", "tao2001"}),
        (3, {"mahmud2001", "garver1998"}),
        (4, {"bakshi2002"}),
        (5, {"chung2006", "scond"}),
    ],
    ids=["1996", "1997", "1998", "1999", "2000", "2001"],
)
def test_citekeys_of_each_summit(dataset, index, keys):
    assert keys_of(dataset.summits[index].decisions) == keys


def test_date_and_place_facts_are_the_articles_own_statements(dataset):
    for summit in dataset.summits:
        assert summit.date.by_article
        assert summit.participants.by_article


def test_unlisted_citation_kept_as_the_article_gives_it(dataset):
    sources = [src for d in dataset.summits[0].decisions for src in d.sources]
    assert [s.unlisted for s in sources] == ["Xinhua News Agency, 27 April, 1997"]


def test_participants(dataset):
    for summit in dataset.summits[:5]:
        assert list(summit.participants.value) == FOUNDERS
    assert list(dataset.summits[5].participants.value) == [*FOUNDERS, "Uzbekistan"]


def test_membership_years(dataset):
    joined = {m.state: m.joined for m in dataset.members}
    assert joined == {
        **dict.fromkeys(FOUNDERS, 1996),
        "Uzbekistan": 2001,
        "India": 2017,
        "Pakistan": 2017,
    }
    assert [m.state for m in dataset.members if m.founder] == FOUNDERS


def test_bodies_with_their_charter_articles(dataset):
    articles = {b.name: b.charter_article for b in dataset.bodies}
    assert articles == {
        "Council of Heads of State": 4,
        "Council of Heads of Government (Prime Ministers)": 4,
        "Council of Ministers of Foreign Affairs": 7,
        "Meetings of Heads of Ministries and/or Agencies": 8,
        "Council of National Coordinators": 9,
        "Regional Anti-terrorist Structure (RATS)": 10,
        "Secretariat": 11,
    }
    assert [b.id for b in dataset.bodies if not b.listed] == ["secretariat"]
    seats = {b.id: b.seat.value for b in dataset.bodies if b.seat}
    assert seats == {"rats": "Tashkent", "secretariat": "Beijing"}
    assert {b.id for b in dataset.bodies if b.permanent} == {"rats", "secretariat"}


def test_relations_link_known_bodies(dataset):
    pairs = [(r.source, r.target) for r in dataset.relations]
    assert pairs == [
        ("foreign-ministers", "heads-of-state"),
        ("national-coordinators", "heads-of-state"),
        ("heads-of-state", "rats"),
        ("foreign-ministers", "secretariat"),
    ]


def test_real_citekeys_follow_the_fixed_scheme(dataset):
    keys = keys_of(d for s in dataset.summits for d in s.decisions)
    keys |= keys_of(b.role for b in dataset.bodies)
    bib = (ROOT / "refs.bib").read_text(encoding="utf-8")
    known = set(re.findall(r"^@\w+\{([^,\s]+),", bib, flags=re.MULTILINE))
    assert len(known) == 64
    assert keys <= known


# --------------------------------------------------------------------------- Table 1


def test_table_markdown(dataset):
    text = summits_table_markdown(dataset.summits)
    lines = text.splitlines()
    assert lines[0].startswith("Table: Summits of the Shanghai Five")
    assert lines[0].endswith("{#tbl-summits}")
    table = [line for line in lines if line.startswith("|")]
    assert len(table) == 2 + 6  # header, separator, one row per meeting
    assert table[0].split(" | ")[0] == "| Meeting"
    assert "[@shambaugh2002, p. 288]" in table[3]
    assert "(Xinhua News Agency, 27 April, 1997)" in table[2]
    assert "::: table-note" in lines
    assert any(line.startswith("*Note.*") for line in lines)


@pytest.mark.parametrize(
    ("index", "cells"),
    [
        (0, ["First summit", "April 26, 1996", "Shanghai, China"]),
        (1, ["Second summit", "April 24, 1997", "Russia (city not stated)"]),
        (3, ["Fourth summit", "1999", "Bishkek, Kyrgyzstan"]),
        (5, ["Founding of the SCO", "2001", "Not stated"]),
    ],
    ids=["1996", "1997", "1999", "2001"],
)
def test_table_cells(dataset, index, cells):
    assert summits_table_cells(dataset.summits[index])[:3] == cells


def test_corrected_date_changes_exactly_the_table_cell(tmp_path, dataset):
    before = summits_table_markdown(dataset.summits)
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    summits = data / "summits.yaml"
    text = summits.read_text(encoding="utf-8")
    assert text.count('"1998-07-03"') == 1
    summits.write_text(text.replace('"1998-07-03"', '"1998-07-04"'), encoding="utf-8")
    after = summits_table_markdown(load_dataset(data).summits)
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert len(changed) == 1
    old_cells, new_cells = (line.split(" | ") for line in changed[0])
    assert [(a, b) for a, b in zip(old_cells, new_cells, strict=True) if a != b] == [
        ("July 3, 1998", "July 4, 1998")
    ]


# --------------------------------------------------------------------------- violations


def check_fixture(name: str, stem: str = "summits") -> DataError:
    path = FIXTURES / "invalid" / name
    relative = str(path.relative_to(ROOT))
    keys = read_citekeys(FIXTURES / "refs.bib")
    with pytest.raises(DataError) as caught:
        document = parse_yaml(path.read_text(encoding="utf-8"), relative)
        sco_data.read(check_documents({stem: document}, SCHEMAS, keys))
    return caught.value


@pytest.mark.parametrize(
    ("name", "where", "message", "expected"),
    [
        (
            "impossible-date.yaml",
            "impossible-date.yaml:7:19: summits[0].date.value",
            "impossible date '1997-02-30': day 30 does not exist in February 1997",
            "a real calendar date: ISO 8601 date as precise as the article gives it",
        ),
        (
            "unknown-citekey.yaml",
            "unknown-citekey.yaml:13:61: summits[0].decisions[0].sources[1].key",
            "unknown citekey 'bakshi2020'",
            "a key of refs.bib",
        ),
        (
            "missing-field.yaml",
            "missing-field.yaml:3:5: summits[0]",
            "missing required field 'city'",
            "the fields 'id', 'kind'",
        ),
        (
            "bad-date-format.yaml",
            "bad-date-format.yaml:8:14: summits[0].date.value",
            'invalid value "3rd July 1998"',
            "ISO 8601 date as precise as the article gives it",
        ),
        (
            "duplicate-key.yaml",
            "duplicate-key.yaml:8:5: summits[0].date",
            "duplicate key 'date'",
            "each key once",
        ),
        (
            "syntax-error.yaml",
            "syntax-error.yaml:4:11",
            "malformed YAML: a '{' mapping is not closed with '}'",
            None,
        ),
    ],
    ids=["impossible-date", "unknown-citekey", "missing-field", "date-format", "dup-key", "syntax"],
)
def test_violation_messages(name, where, message, expected):
    error = check_fixture(name)
    text = str(error)
    first = text.splitlines()[0]
    assert first.startswith("tests/data/summits/invalid/" + where + ": ")
    assert message in first
    hint = f"hint: expected {expected}" if expected else "hint: fix the YAML syntax at this place"
    assert hint in text


def test_bad_sources_reports_the_field_and_the_unknown_key_together():
    error = check_fixture("bad-sources.yaml")
    lines = str(error).splitlines()
    assert lines[0].endswith(
        "bad-sources.yaml:8:39: summits[0].city.sources[0]: "
        "Additional properties are not allowed ('page' was unexpected)"
    )
    assert lines[1] == "  hint: expected only the fields 'key', 'locator'"
    assert (
        "bad-sources.yaml:8:45: summits[0].city.sources[0].key: unknown citekey 'tao2001'"
        in (lines[2])
    )
    assert len(error.errors) == 2


def test_relation_to_unknown_body():
    error = check_fixture("bodies-unknown-relation.yaml", stem="bodies")
    assert str(error).startswith(
        "tests/data/summits/invalid/bodies-unknown-relation.yaml:11:11: relations[0].from: "
        "unknown body 'foreign-ministers'"
    )


def test_participant_who_had_not_joined(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    summits = data / "summits.yaml"
    lines = summits.read_text(encoding="utf-8").splitlines(keepends=True)
    target = next(i for i, line in enumerate(lines) if "Tajikistan, Uzbekistan]" in line)
    lines[target] = lines[target].replace("Uzbekistan]", "Uzbekistan, India]")
    summits.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_dataset(data)
    assert str(caught.value).startswith(
        f"{summits}:{target + 1}:{lines[target].index('India') + 1}: "
        "summits[5].participants.value[6]: 'India' joined in 2017 according to membership.yaml"
    )


# --------------------------------------------------------------------------- commands


def test_cli_check_passes_on_the_real_data(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert cli.main(["data", "--check"]) == 0
    assert (
        "data ok: 3 data files (bodies.yaml, membership.yaml, summits.yaml)"
        in capsys.readouterr().err
    )


def test_table_script_writes_the_markdown(tmp_path, dataset):
    output = tmp_path / "out" / "tbl-summits.md"
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "figures" / "tbl-summits.py"),
            "--markdown",
            str(output),
            "--schemas",
            str(SCHEMAS),
            "--bib",
            str(ROOT / "refs.bib"),
            str(DATA / "summits.yaml"),
            str(DATA / "membership.yaml"),
        ],
        check=True,
        capture_output=True,
    )
    assert output.read_text(encoding="utf-8") == summits_table_markdown(dataset.summits)


def test_table_script_reports_invalid_data(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "summits.yaml").write_text(
        (data / "summits.yaml").read_text(encoding="utf-8").replace("1997-04-24", "1997-04-31"),
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "figures" / "tbl-summits.py"),
            "--markdown",
            str(tmp_path / "t.md"),
            "data/summits.yaml",
            "data/membership.yaml",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "data/summits.yaml:" in done.stderr
    assert "impossible date '1997-04-31': day 31 does not exist in April 1997" in done.stderr
    assert not (tmp_path / "t.md").exists()


def test_cli_check_reports_invalid_data(monkeypatch, tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(DATA, data)
    (data / "summits.yaml").write_text(
        (data / "summits.yaml").read_text(encoding="utf-8").replace("1997-04-24", "1997-04-31"),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert cli.main(["data", "--check", "--data-dir", "data"]) == 1
    err = capsys.readouterr().err
    assert "error: data/summits.yaml:" in err
    assert "impossible date '1997-04-31': day 31 does not exist in April 1997" in err


def test_every_script_declares_what_it_reads():
    from build.figures import declared_data

    declared = {
        p.stem: declared_data(p.read_text(encoding="utf-8"), str(p))
        for p in sorted((ROOT / "figures").glob("*.py"))
        if p.name.startswith(("fig-", "tbl-"))
    }
    assert declared == {
        "fig-bodies": ["bodies.yaml"],
        "fig-timeline": ["summits.yaml", "membership.yaml"],
        "tbl-summits": ["summits.yaml", "membership.yaml"],
    }
