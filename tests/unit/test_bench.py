"""The benchmark's stage wrapper (bench/run.py STAGE_WRAPPER), which times every shell command of
an instrumented build. CI does not run the benchmark itself; this checks the part that reads the
workflow's commands, so that a new form of rule command cannot break `bench/run.py` unseen."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def load_bench():
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
