"""The benchmark's stage wrapper (bench/run.py STAGE_WRAPPER), which times every shell command of
an instrumented build. CI does not run the benchmark itself; this checks the part that reads the
workflow's commands, so that a new form of rule command cannot break `bench/run.py` unseen."""

from __future__ import annotations

import importlib
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_bench():
    if str(ROOT / "bench") not in sys.path:  # run.py imports its sibling floor.py
        sys.path.insert(0, str(ROOT / "bench"))
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def wrap(tmp_path: Path, *command: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    wrapper = tmp_path / "wrapper.py"
    wrapper.write_text(load_bench().STAGE_WRAPPER, encoding="utf-8")
    records = tmp_path / "records.jsonl"
    process = subprocess.run(
        [sys.executable, str(wrapper), str(records), *command],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = records.read_text(encoding="utf-8").splitlines() if records.exists() else []
    return process, [json.loads(line) for line in lines]


def test_wrapper_passes_leading_assignments_as_environment(tmp_path):
    """rules/figures.smk starts its command with ARTICLE_PRINT_SVG=...: an assignment, not a
    program."""
    script = tmp_path / "fig-x.py"
    script.write_text(
        "import os, sys\nsys.exit(0 if os.environ.get('ARTICLE_PRINT_SVG') == 'a b.svg' else 3)\n",
        encoding="utf-8",
    )
    process, records = wrap(tmp_path, "ARTICLE_PRINT_SVG=a b.svg", sys.executable, str(script))
    assert process.returncode == 0, process.stderr
    assert [(r["label"], r["exit"]) for r in records] == [("fig-x", 0)]
    assert records[0]["wall_s"] > 0 and records[0]["maxrss_kb"] > 0


def test_wrapper_names_a_command_it_cannot_run(tmp_path):
    process, records = wrap(tmp_path, "no-such-program-here", "--flag")
    assert process.returncode == 127
    assert "cannot run 'no-such-program-here'" in process.stderr
    assert [r["exit"] for r in records] == [127]


# ------------------------------------------------------------------ bench/floor.py, bench/issue.py


def load(name: str):
    """A module of bench/ (which imports its siblings by name: bench/ goes on sys.path)."""
    if str(ROOT / "bench") not in sys.path:
        sys.path.insert(0, str(ROOT / "bench"))
    return importlib.import_module(name)


def copy_config(project: Path) -> None:
    """The journal profile of the repository, in ``project/config/``."""
    (project / "config").mkdir()
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    (project / "config" / "config.yaml").write_text(text, encoding="utf-8")


def make_article(project: Path, figures: dict[str, str]) -> str:
    """An article folder articles/x with two section files (one placeholder of a figure) and
    the given figure/table scripts; returns its folder."""
    manuscript = project / "articles" / "x" / "manuscript"
    manuscript.mkdir(parents=True)
    (manuscript / "01-a.md").write_text("# A {#sec-a}\n\nSee @fig-b.\n", encoding="utf-8")
    (manuscript / "02-b.md").write_text(
        "# B\n\n::: {#fig-b .generated}\n:::\n\nEnd.\n", encoding="utf-8"
    )
    folder = project / "articles" / "x" / "figures"
    folder.mkdir()
    for name, text in figures.items():
        (folder / name).write_text(text, encoding="utf-8")
    return "articles/x"


def test_floor_markdown_puts_generated_figures_in_place_and_prints_print_svgs(tmp_path):
    floor = load("floor")
    article = make_article(tmp_path, {})
    generated = tmp_path / "fl" / "generated"
    generated.mkdir(parents=True)
    (generated / "fig-b.md").write_text("![B](fl/generated/fig-b.svg){#fig-b}\n", encoding="utf-8")
    screen, printed = floor.floor_markdown(tmp_path, article, "fl")
    assert (screen, printed) == ("fl/article.md", "fl/article.print.md")
    text = (tmp_path / screen).read_text(encoding="utf-8")
    assert text == "# A {#sec-a}\n\nSee [fig-b](#fig-b).\n\n\n# B\n\n" + (
        "![B](fl/generated/fig-b.svg){#fig-b}\n\n\nEnd.\n"
    )
    printed_text = (tmp_path / printed).read_text(encoding="utf-8")
    assert "![B](fl/generated/fig-b.print.svg){#fig-b}" in printed_text
    assert printed_text.replace(".print.svg", ".svg") == text


def test_floor_runs_each_script_with_the_rule_arguments(tmp_path):
    """Figures: SVG, print SVG, Markdown, the profile's text width, schemas, declared data;
    tables: Markdown, schemas, the article's refs.bib, declared data (rules/figures.smk)."""
    floor = load("floor")
    copy_config(tmp_path)
    article = make_article(
        tmp_path,
        {
            "fig-b.py": "# data: b.yaml c.yaml\n",
            "tbl-t.py": "# data:\n",
            "helper.py": "",
        },
    )
    commands = floor.floor_commands(tmp_path, article, "fl")
    names = list(commands)
    assert names[:2] == ["floor script fig-b", "floor script tbl-t"]
    assert names[2:] == list(floor.TOOL_PARTS)
    assert all(floor.is_part(n) for n in names)
    width = str(floor.text_width_mm(tmp_path))
    assert float(width) > 100
    data = "articles/x/manuscript/data"
    assert commands["floor script fig-b"] == [
        sys.executable,
        "articles/x/figures/fig-b.py",
        *("--svg", "fl/generated/fig-b.svg", "--print-svg", "fl/generated/fig-b.print.svg"),
        *("--markdown", "fl/generated/fig-b.md", "--text-width-mm", width),
        *("--schemas", f"{data}/schemas", f"{data}/b.yaml", f"{data}/c.yaml"),
    ]
    assert commands["floor script tbl-t"] == [
        sys.executable,
        "articles/x/figures/tbl-t.py",
        *("--markdown", "fl/generated/tbl-t.md", "--schemas", f"{data}/schemas"),
        *("--bib", "articles/x/refs.bib"),
    ]
    pdf = commands["floor pdf: WeasyPrint"]
    assert pdf[-2:] == ["fl/a.print.html", "fl/a.pdf"]
    assert "--bibliography=articles/x/refs.bib" in commands["floor html (pandoc)"]


def test_floor_of_an_article_without_scripts_is_the_bare_tools(tmp_path):
    floor = load("floor")
    copy_config(tmp_path)
    (tmp_path / "articles" / "y" / "manuscript").mkdir(parents=True)
    assert floor.script_commands(tmp_path, "articles/y") == {}
    assert list(floor.floor_commands(tmp_path, "articles/y")) == list(floor.TOOL_PARTS)


def test_issue_slugs_sort_in_number_order():
    issue = load("issue")
    assert issue.slugs(4) == ["a01", "a02", "a03", "a04"]
    assert issue.slugs(32)[-1] == "a32"
    assert issue.slugs(120)[:2] == ["a001", "a002"]
    assert sorted(issue.slugs(32)) == issue.slugs(32)


def test_issue_rows_and_verdicts():
    issue = load("issue")
    sample = issue.Sample(wall_s=64.0, peak_mb=300.0, exit=0, cpu_s=96.0)
    row = issue.size_row(32, sample, floor_cpu_s=2.0)
    assert row["cpu_s_per_article"] == 3.0
    assert row["wall_s_per_article"] == 2.0
    assert row["cpu_vs_floor"] == 1.5
    found = issue.verdicts([issue.size_row(1, sample, 2.0), row])
    assert [(v["value"], v["holds"]) for v in found] == [(1.5, False), (300.0, True)]
    assert found[0]["target"].startswith("CPU s per article at 32 articles <= 1.3 x")
    # without the 32-article build only the memory target is judged
    assert len(issue.verdicts([issue.size_row(4, sample, 2.0)])) == 1


def test_issue_job_costs_leave_the_rest_to_snakemake():
    issue = load("issue")
    records = [
        {"label": "render pdf", "cpu_s": 1.0, "wall_s": 1.2, "maxrss_kb": 2048},
        {"label": "render pdf", "cpu_s": 3.0, "wall_s": 3.1, "maxrss_kb": 4096},
        {"label": "manuscript", "cpu_s": 0.5, "wall_s": 0.6, "maxrss_kb": 1024},
    ]
    rows = issue.job_costs(records, total_cpu_s=6.0, count=2)
    assert [(r["label"], r["jobs"], r["cpu_s"]) for r in rows] == [
        ("render pdf", 2, 4.0),
        ("manuscript", 1, 0.5),
        ("rest", 0, 1.5),
    ]
    assert rows[0]["cpu_s_per_job"] == 2.0 and rows[0]["cpu_s_per_article"] == 2.0
    assert rows[0]["peak_mb"] == 4.0
    assert rows[-1]["cpu_s_per_article"] == 0.75


def test_wrapper_labels_the_pipeline_commands(tmp_path):
    """`env ... python -m build.cli --log LOG STAGE ...` (rules/common.smk ARTICLE): the label
    is the stage, `render <format>`, or a script's name, never the `--log` option."""
    fake = tmp_path / "build"
    fake.mkdir()
    (fake / "__init__.py").write_text("", encoding="utf-8")
    (fake / "cli.py").write_text("", encoding="utf-8")  # does nothing, exits 0
    records = []
    for args in (
        ["--log", "l.log", "manuscript", "--check"],
        ["--log", "l.log", "render", "--to", "pdf"],
        ["--log", "l.log", "script", "articles/x/figures/fig-b.py", "--svg", "s.svg"],
    ):
        process, found = wrap(
            tmp_path, "env", f"PYTHONPATH={tmp_path}", sys.executable, "-m", "build.cli", *args
        )
        assert process.returncode == 0, process.stderr
        records = found
    assert [r["label"] for r in records] == ["manuscript", "render pdf", "fig-b"]
    assert all(r["cpu_s"] >= 0 for r in records)
