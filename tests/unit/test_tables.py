"""Tests of build.tables on small inputs of their own: cells, citations, pipe tables, the
shared command line of table scripts."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from build.data import Source
from build.errors import DataError
from build.tables import cite, escape_cell, pipe_table, table_command, table_markdown

COLUMNS = (("Name", 6), ("Note", 14))


def test_escape_cell() -> None:
    assert escape_cell("a|b *c* [d] @e <f> `g` #h _i_ \\") == (
        "a\\|b \\*c\\* \\[d\\] \\@e \\<f\\> \\`g\\` \\#h \\_i\\_ \\\\"
    )


@pytest.mark.parametrize(
    ("text", "sources", "expected"),
    [
        ("Founded.", (), "Founded."),
        ("Founded.", (Source("ann2001", "p. 3"),), "Founded [@ann2001, p. 3]."),
        ("Founded", (Source("ann2001"), Source("bo2002")), "Founded [@ann2001; @bo2002]"),
        ("Met.", (Source(unlisted="Daily News, 2 May"),), "Met (Daily News, 2 May)."),
        (
            "Met",
            (Source("ann2001"), Source(unlisted="A|B")),
            "Met [@ann2001] (A\\|B)",
        ),
    ],
    ids=["none", "locator", "two", "unlisted", "both"],
)
def test_cite(text: str, sources: tuple[Source, ...], expected: str) -> None:
    assert cite(text, sources) == expected


def test_pipe_table_and_markdown() -> None:
    rows = [["a", "one"], ["b", "two"]]
    assert pipe_table(COLUMNS, rows) == (
        "| Name | Note |\n|------|--------------|\n| a | one |\n| b | two |"
    )
    assert table_markdown("tbl-x", "Things", COLUMNS, rows, "*Note.* Made up.") == (
        "Table: Things {#tbl-x}\n\n"
        "| Name | Note |\n|------|--------------|\n| a | one |\n| b | two |\n"
        "\n::: table-note\n*Note.* Made up.\n:::\n"
    )
    assert table_markdown("tbl-x", "Things", COLUMNS, rows).endswith("| b | two |\n")
    with pytest.raises(ValueError, match="row 1 has 1 cells for 2 columns"):
        pipe_table(COLUMNS, [["a", "b"], ["c"]])


SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "items.schema.json",
    "type": "object",
    "properties": {
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "key": {"type": "string"},
                },
                "required": ["name"],
            },
        }
    },
}


@pytest.fixture
def data(tmp_path: Path) -> Path:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "items.schema.json").write_text(json.dumps(SCHEMA), "utf-8")
    items = tmp_path / "items.yaml"
    items.write_text("items:\n  - {name: a, sources: [{key: ann2001}]}\n", encoding="utf-8")
    return items


def markdown_of(documents) -> str:
    rows = [[item["name"], "-"] for item in documents["items"].data["items"]]
    return table_markdown("tbl-items", "Items", COLUMNS, rows)


def test_table_command_writes_markdown(data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "tbl-items.md"
    argv = ["--markdown", str(out), "--schemas", str(data.parent / "schemas"), str(data)]
    assert table_command(argv, description="d", read=dict, markdown=markdown_of) == 0
    assert out.read_text(encoding="utf-8") == (
        "Table: Items {#tbl-items}\n\n| Name | Note |\n|------|--------------|\n| a | - |\n"
    )


def test_table_command_checks_citekeys_against_bib(data: Path, tmp_path: Path) -> None:
    bib = tmp_path / "lib.bib"
    bib.write_text("@book{bo2002, title = {T}}\n", encoding="utf-8")
    out = tmp_path / "t.md"
    argv = ["--markdown", str(out), "--bib", str(bib), str(data)]
    where = r"items.yaml:2:31: items\[0\].sources\[0\].key: unknown citekey 'ann2001'"
    with pytest.raises(DataError, match=where):
        table_command(argv, description="d", read=dict, markdown=markdown_of)
    assert not out.exists()
    with pytest.raises(DataError, match="none.bib"):
        table_command(
            [*argv[:2], "--bib", str(tmp_path / "none.bib"), str(data)],
            description="d",
            read=dict,
            markdown=markdown_of,
        )


def test_a_table_script_runs_as_python_figures_tbl(data: Path, tmp_path: Path) -> None:
    """A script in figures/ imports build.tables and prints its table without --markdown."""
    script = tmp_path / "tbl-items.py"
    script.write_text(
        "# data: items.yaml\n"
        "import sys\n"
        "from build.tables import table_command, table_markdown\n"
        "rows = lambda d: [[i['name'], 'x'] for i in d['items'].data['items']]\n"
        "md = lambda d: table_markdown('tbl-items', 'Items', (('N', 3), ('M', 3)), rows(d))\n"
        "sys.exit(table_command(None, description='t', read=dict, markdown=md))\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script), str(data)], capture_output=True, text=True, check=True
    )
    assert done.stdout == "Table: Items {#tbl-items}\n\n| N | M |\n|---|---|\n| a | x |\n"
