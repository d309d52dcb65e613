"""build.joblog: one way for every job to keep its log and report its first error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from build import joblog
from build.errors import PipelineError


def test_first_error_of_a_log() -> None:
    log = "info\nerror: a.md:3:4: bad thing\n  hint: fix it\nmore\n"
    assert joblog.first_error(log) == ["error: a.md:3:4: bad thing", "  hint: fix it"]
    traceback = (
        "Traceback (most recent call last):\n"
        '  File "/x/site-packages/y.py", line 9, in f\n'
        '  File "figures/fig-a.py", line 12, in <module>\n'
        "RuntimeError: boom\n"
    )
    assert joblog.first_error(traceback)[0] == "figures/fig-a.py:12: RuntimeError: boom"
    uncaught = "Traceback...\nbuild.errors.DataError: d.yaml:5:2: bad date\n  hint: h\n"
    assert joblog.first_error(uncaught) == ["d.yaml:5:2: bad date", "  hint: h"]


def run_cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "build.cli", *args], cwd=cwd, capture_output=True, text=True
    )


def test_a_failing_stage_keeps_its_output_in_the_log_and_reports_message_and_hint(
    tmp_path: Path,
) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "metadata.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    (tmp_path / "m" / "01-a.md").write_text("# A {#sec-a}\n\nText.\n", encoding="utf-8")
    done = run_cli(
        ["--log", "logs/x.log", "manuscript", "--check", "--manuscript-dir", "m"], tmp_path
    )
    assert done.returncode == 1
    assert done.stderr == ""  # one problem: the workflow's onerror prints the note, once
    note = (tmp_path / "logs" / "x.log.error").read_text(encoding="utf-8")
    lines = note.splitlines()
    assert lines[0] == "build failed; first error:"
    assert lines[1].startswith("error: m/metadata.yaml:1:")
    assert lines[2].startswith("  hint: ")
    assert lines[-1] == "full log: logs/x.log"
    assert done.stdout == ""
    log = (tmp_path / "logs" / "x.log").read_text(encoding="utf-8")
    assert log.startswith("error: m/metadata.yaml:1:")


def test_several_problems_are_all_shown_then_the_note_names_the_first(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "metadata.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    done = run_cli(["--log", "x.log", "manuscript", "--check", "--manuscript-dir", "m"], tmp_path)
    assert done.returncode == 1
    shown = done.stderr.splitlines()  # every problem, where the job ran
    assert shown[2] == "m: no section files (NN-slug.md) found" and len(shown) == 4
    note = (tmp_path / "x.log.error").read_text(encoding="utf-8").splitlines()
    assert note[0] == "build failed; first error:" and note[1] == shown[0]
    assert note[-1] == "full log: x.log" and len(note) == 4


def test_a_script_traceback_is_reported_at_the_scripts_line(tmp_path: Path) -> None:
    script = tmp_path / "fig-a.py"
    script.write_text("# data:\nimport sys\n\nraise RuntimeError('font missing')\n", "utf-8")
    done = run_cli(["--log", "a.log", "script", "fig-a.py", "--svg", "x.svg"], tmp_path)
    assert done.returncode == 1
    note = (tmp_path / "a.log.error").read_text(encoding="utf-8").splitlines()
    assert note[1] == "fig-a.py:4: RuntimeError: font missing"
    assert "Traceback" in (tmp_path / "a.log").read_text(encoding="utf-8")


def test_a_script_gets_its_arguments_and_exit_code(tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text("VALUE = 'from the folder'\n", "utf-8")
    script = tmp_path / "tbl-a.py"
    script.write_text(
        "import sys\nimport helper\nprint(sys.argv[1:], helper.VALUE)\nsys.exit(3)\n", "utf-8"
    )
    done = run_cli(["--log", "a.log", "script", "tbl-a.py", "--markdown", "o.md"], tmp_path)
    assert done.returncode == 3
    assert (tmp_path / "a.log").read_text() == "['--markdown', 'o.md'] from the folder\n"


def test_success_removes_a_stale_note_and_prints_nothing(tmp_path: Path) -> None:
    log = tmp_path / "ok.log"
    Path(f"{log}.error").write_text("old failure\n", encoding="utf-8")
    assert joblog.run_logged(str(log), lambda: print("fine") or 0) == 0
    assert log.read_text() == "fine\n" and not Path(f"{log}.error").exists()


def test_a_successful_jobs_warnings_reach_the_terminal(tmp_path: Path, capfd) -> None:
    """Not only the log: each warning line (without its hint) and where the hints are."""
    log = tmp_path / "job.log"
    lines = [
        "warning: manuscript/02-a.md:4:7: active content removed from the outputs: <script>",
        "  hint: raw HTML may not run code",
        "refs.bib:12: warning[title-case]: title in title case",
        "  hint: write it in sentence case",
        "[WARNING] Duplicate note reference '1'",
        "weasyprint: Ignored `foo: bar` at 3:1, unknown property.",
        "provenance: warning: fonts-linuxlibertine is None, pinned 5.3.0-6: ...",
        "render: output/article.pdf: 14 pages",
        "refs.bib: 64 entries, 0 errors, 1 warnings, 20 notes, 2 waived",
    ]
    capfd.readouterr()
    assert joblog.run_logged(str(log), lambda: print("\n".join(lines)) or 0) == 0
    assert capfd.readouterr().err.splitlines() == [
        lines[0],
        lines[2],
        lines[4],
        lines[5],
        lines[6],
        f"  (5 warnings; their hints: {log})",
    ]
    assert joblog.run_logged(str(log), lambda: print(lines[-1]) or 0) == 0
    assert capfd.readouterr().err == ""
    assert joblog.run_logged(str(log), lambda: print(lines[0]) or 0) == 0
    assert capfd.readouterr().err.splitlines()[-1] == f"  (1 warning; their hints: {log})"


def test_failure_notes_since_the_run_started_oldest_first(tmp_path: Path) -> None:
    old = tmp_path / "a" / "old.log.error"
    old.parent.mkdir()
    old.write_text("old\n")
    os.utime(old, (100, 100))
    first = tmp_path / "a" / "b" / "x.log.error"
    first.parent.mkdir()
    first.write_text("first\n")
    os.utime(first, (1000, 1000))
    second = tmp_path / "y.log.error"
    second.write_text("second\n")
    assert joblog.failure_notes([tmp_path, tmp_path / "missing"], 500) == ["first", "second"]
    assert joblog.failure_notes([tmp_path], time.time() + 60) == []


def test_exit_on_error_prints_the_message_without_traceback(capsys) -> None:
    def fail() -> None:
        raise PipelineError("bad folder", "articles/X", hint="rename it")

    with pytest.raises(SystemExit) as stop:
        joblog.exit_on_error(fail)
    assert stop.value.code == 1
    assert capsys.readouterr().err == "error: articles/X: bad folder\n  hint: rename it\n"
    assert joblog.exit_on_error(lambda a: a * 2, 21) == 42


def test_a_failed_article_loses_its_final_outputs_a_shared_failure_all() -> None:
    outdirs = ["output", "output/articles/b", "output/articles/c"]
    shared, index = "output/logs/issue", "output/issue/index.html"
    one = joblog.stale_outputs(
        ["output/articles/b/logs/parse_article.log.error"], outdirs, shared, index
    )
    assert one == sorted([f"output/articles/b/{n}" for n in joblog.FINAL_OUTPUTS] + [index])
    root = joblog.stale_outputs(["output/logs/draw_figure/fig-a.log.error"], outdirs, shared, index)
    assert root == sorted([f"output/{n}" for n in joblog.FINAL_OUTPUTS] + [index])
    every = joblog.stale_outputs(
        ["output/logs/issue/check_profile.log.error"], outdirs, shared, index
    )
    assert len(every) == 3 * len(joblog.FINAL_OUTPUTS) + 1 and index in every
    assert joblog.stale_outputs([], outdirs, shared, index) == []


def test_two_jobs_failing_on_one_bad_file_say_it_once(tmp_path: Path, capsys) -> None:
    logs = tmp_path / "output" / "logs" / "issue"
    logs.mkdir(parents=True)
    error = "error: config/issue.yaml:3:7: volume: 'x' is not an integer"
    for name in ("check_profile", "write_issue_index"):
        note = joblog.failure_note([error], f"output/logs/issue/{name}.log")
        (logs / f"{name}.log.error").write_text(note + "\n", encoding="utf-8")
    joblog.close_failed_run(str(tmp_path / "output"), 0, [], "output/logs/issue", "x.html")
    assert capsys.readouterr().err.count(error) == 1
