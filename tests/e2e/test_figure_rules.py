"""The figure and table rules through Snakemake, on a small workflow of just those rules and
the real article's data (rules/tables.smk, rules/figures.smk; moved from tests/unit: they run
Snakemake)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from projects import ROOT, SNAKEMAKE

pytestmark = pytest.mark.e2e

DATA = ROOT / "manuscript" / "data"


def test_changed_data_file_rebuilds_only_what_reads_it(tmp_path):
    """Snakemake compares checksums: change content, not mtimes (STACK-NOTES)."""
    work = tmp_path / "work"
    for part in ("figures", "rules"):
        shutil.copytree(ROOT / part, work / part)
    shutil.copytree(DATA, work / "manuscript" / "data")
    shutil.copy(ROOT / "refs.bib", work / "refs.bib")
    (work / "Snakefile").write_text(
        'include: "rules/tables.smk"\ninclude: "rules/figures.smk"\n\n\n'
        "rule all:\n    input:\n        rules.make_summits_table.output.table,\n"
        "        GENERATED_FIGURES,\n",
        encoding="utf-8",
    )
    snakemake = [str(SNAKEMAKE), "-c1", "--quiet", "all"]

    def build() -> dict[str, int]:
        subprocess.run(snakemake, cwd=work, check=True, capture_output=True)
        out = work / "output" / "generated"
        return {p.name: p.stat().st_mtime_ns for p in sorted(out.iterdir())}

    first = build()
    assert sorted(first) == [
        "fig-bodies.md",
        "fig-bodies.print.svg",
        "fig-bodies.svg",
        "fig-timeline.md",
        "fig-timeline.print.svg",
        "fig-timeline.svg",
        "tbl-summits.md",
    ]
    generated = work / "output" / "generated"
    # the rule hands the print SVG's path to the script in $ARTICLE_PRINT_SVG: text as text
    assert "<text" in (generated / "fig-bodies.print.svg").read_text(encoding="utf-8")
    assert "<text" not in (generated / "fig-bodies.svg").read_text(encoding="utf-8")
    bodies = work / "manuscript" / "data" / "bodies.yaml"
    bodies.write_text(
        bodies.read_text(encoding="utf-8").replace("seat: {value: Beijing", "seat: {value: Peking"),
        encoding="utf-8",
    )
    second = build()
    assert {n for n in first if first[n] != second[n]} == {
        "fig-bodies.md",
        "fig-bodies.print.svg",
        "fig-bodies.svg",
    }
    summits = work / "manuscript" / "data" / "summits.yaml"
    summits.write_text(
        summits.read_text(encoding="utf-8").replace('"2000-07-05"', '"2000-07-06"'),
        encoding="utf-8",
    )
    third = build()
    assert {n for n in second if second[n] != third[n]} == {
        "fig-timeline.md",
        "fig-timeline.print.svg",
        "fig-timeline.svg",
        "tbl-summits.md",
    }
    assert "July 6, 2000" in (work / "output" / "generated" / "tbl-summits.md").read_text(
        encoding="utf-8"
    )


def test_a_script_without_print_svg_gives_its_svg_to_the_pdf(tmp_path):
    """A figure script with a command line of its own (an earlier revision's, built by
    `snakemake diff`) ignores $ARTICLE_PRINT_SVG: the rule copies its SVG as the print SVG."""
    work = tmp_path / "work"
    shutil.copytree(ROOT / "rules", work / "rules")
    shutil.copytree(DATA, work / "manuscript" / "data")
    (work / "figures").mkdir()
    (work / "figures" / "fig-bodies.py").write_text(
        "import argparse\n"
        "parser = argparse.ArgumentParser()\n"
        "parser.add_argument('data', nargs='+')\n"
        "parser.add_argument('--svg', required=True)\n"
        "parser.add_argument('--markdown', required=True)\n"
        "args = parser.parse_args()\n"
        "open(args.svg, 'w').write('<svg xmlns=\"http://www.w3.org/2000/svg\"/>')\n"
        "open(args.markdown, 'w').write('![Old](x.svg){#fig-bodies}')\n",
        encoding="utf-8",
    )
    (work / "Snakefile").write_text(
        'include: "rules/figures.smk"\n\n\nrule all:\n    input:\n'
        '        "output/generated/fig-bodies.print.svg",\n',
        encoding="utf-8",
    )
    snakemake = [str(SNAKEMAKE), "-c1", "--quiet", "all"]
    subprocess.run(snakemake, cwd=work, check=True, capture_output=True)
    generated = work / "output" / "generated"
    assert (generated / "fig-bodies.print.svg").read_bytes() == (
        generated / "fig-bodies.svg"
    ).read_bytes()
