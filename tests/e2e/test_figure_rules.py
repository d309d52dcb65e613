"""The figure and table rules through Snakemake, on a copy of the workflow with the real
article's data, figure and table scripts (rules/figures.smk; moved from tests/unit: they run
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
    for part in ("figures", "rules", "config"):
        shutil.copytree(ROOT / part, work / part)
    shutil.copytree(DATA, work / "manuscript" / "data")
    shutil.copy(ROOT / "refs.bib", work / "refs.bib")
    # the bibliography's own rules (its common words) go with it
    shutil.copy(
        ROOT / "manuscript" / "bibliography.yaml", work / "manuscript" / "bibliography.yaml"
    )
    shutil.copy(ROOT / "Snakefile", work / "Snakefile")
    targets = [
        f"output/generated/{name}"
        for name in (
            "fig-bodies.md",
            "fig-bodies.print.svg",
            "fig-bodies.svg",
            "fig-timeline.md",
            "fig-timeline.print.svg",
            "fig-timeline.svg",
            "tbl-summits.md",
        )
    ]
    snakemake = [str(SNAKEMAKE), "-c1", *targets, "--quiet", "all"]

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
    # the rule hands the print SVG's path to the script (--print-svg): text as text
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
