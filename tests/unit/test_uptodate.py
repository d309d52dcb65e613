"""The build shortcut (issue 10): fingerprint, stamp, plain arguments, with a fake Snakemake.

Every project here is a small folder under ``tmp_path``; the ``build`` package and
site-packages are stand-ins there too, so that edits elsewhere cannot change a fingerprint
between two calls of a test.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from build import cli, uptodate
from build.uptodate import (
    STAMP_PATH,
    STAMP_VERSION,
    UpToDateError,
    build_article,
    check_up_to_date,
    first_difference,
    input_fingerprint,
    non_plain_reason,
    output_digests,
    read_stamp,
)

SECTION = "manuscript/01-intro.md"
SOURCES = {
    "Snakefile": "rule all:\n",
    SECTION: "# Intro {#sec-intro}\n\nThe SCO was founded in 2001.\n",
    "refs.bib": "@misc{scond,\n  title = {Charter},\n}\n",
    "config/config.yaml": "cores: 2\n",
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    for relative, text in SOURCES.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """Stand-ins for the ``build`` package (outside the project) and site-packages."""
    package = tmp_path / "package"
    package.mkdir()
    (package / "render.py").write_text("VERSION = 1\n", encoding="utf-8")
    site = tmp_path / "site-packages"
    (site / "pypandoc" / "files").mkdir(parents=True)
    (site / "pypandoc" / "files" / "pandoc").write_bytes(b"\x7fELF pandoc 3.9")
    return {"package_dir": package, "site_packages": site}


def fingerprint(root: Path, places: dict[str, Path], args=("--cores", "2"), env=None) -> dict:
    return input_fingerprint(root, list(args), env or {}, **places)


def fake_snakemake(tmp_path: Path, exit_code: int = 0, edit: str | None = None) -> list[str]:
    """A stand-in for ``snakemake``: logs its arguments to ``tmp_path/calls.txt``, writes
    output/article.html from the section file and a log, optionally appends ``edit`` to the
    section file (a source changed while it ran), and exits with ``exit_code``."""
    script = tmp_path / "fake_snakemake.py"
    script.write_text(
        f"""import json, sys
from pathlib import Path
with open({str(tmp_path / "calls.txt")!r}, "a", encoding="utf-8") as calls:
    calls.write(json.dumps(sys.argv[1:]) + "\\n")
section = Path({SECTION!r})
Path("output/logs").mkdir(parents=True, exist_ok=True)
Path("output/logs/render.log").write_text("log\\n", encoding="utf-8")
Path("output/article.html").write_text("<p>" + section.read_text() + "</p>", encoding="utf-8")
if {edit!r} is not None:
    section.write_text(section.read_text() + {edit!r}, encoding="utf-8")
sys.exit({exit_code})
""",
        encoding="utf-8",
    )
    return [sys.executable, str(script)]


def calls(tmp_path: Path) -> list[list[str]]:
    path = tmp_path / "calls.txt"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def build(root: Path, places: dict, command: list[str], args=("--cores", "2"), env=None):
    """Run build_article; returns (exit code, the messages on stderr)."""
    stderr = io.StringIO()
    code = build_article(
        root,
        list(args),
        environ=env or {},
        snakemake_command=command,
        stderr=stderr,
        **places,
    )
    return code, stderr.getvalue()


# --------------------------------------------------------------------------- fingerprint


def test_touch_without_a_content_change_keeps_the_fingerprint(project, places):
    before = fingerprint(project, places)
    section = project / SECTION
    stat = section.stat()
    os.utime(section, ns=(stat.st_atime_ns + 10**10, stat.st_mtime_ns + 10**10))
    assert section.stat().st_mtime_ns != stat.st_mtime_ns
    assert fingerprint(project, places) == before
    assert first_difference(before, fingerprint(project, places)) is None


def test_a_one_character_change_is_named_by_its_file(project, places):
    before = fingerprint(project, places)
    section = project / SECTION
    section.write_text(section.read_text(encoding="utf-8").replace("2001", "2002"), "utf-8")
    after = fingerprint(project, places)
    assert after["files"][SECTION] != before["files"][SECTION]
    assert first_difference(before, after) == f"{SECTION} changed"


def test_a_new_file_changes_the_fingerprint(project, places):
    before = fingerprint(project, places)
    (project / "manuscript" / "02-new.md").write_text("# New\n", encoding="utf-8")
    assert first_difference(before, fingerprint(project, places)) == "manuscript/02-new.md is new"


def test_a_deleted_file_changes_the_fingerprint(project, places):
    before = fingerprint(project, places)
    (project / "refs.bib").unlink()
    assert first_difference(before, fingerprint(project, places)) == "refs.bib was deleted"


def test_other_snakemake_arguments_change_the_fingerprint(project, places):
    before = fingerprint(project, places, ("--cores", "2"))
    after = fingerprint(project, places, ("--cores", "1"))
    assert before["files"] == after["files"]
    assert first_difference(before, after) == (
        "the Snakemake arguments changed ('--cores 2' -> '--cores 1')"
    )


def test_generated_and_cache_folders_and_pyc_files_do_not_count(project, places):
    before = fingerprint(project, places)
    for relative in (
        "output/article.html",
        ".snakemake/metadata/x",
        ".git/index",
        "figures/__pycache__/timeline.cpython-311.pyc",
        "sub/node_modules/a.js",
        "src/build/stray.pyc",
        ".pytest_cache/v/x",
    ):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text("generated\n", encoding="utf-8")
    assert fingerprint(project, places)["files"] == before["files"]
    (project / "figures" / "timeline.py").write_text("print(1)\n", encoding="utf-8")
    assert "figures/timeline.py" in fingerprint(project, places)["files"]


def test_a_symlinked_folder_is_read_and_a_link_loop_ends(project, places, tmp_path):
    elsewhere = tmp_path / "data"
    elsewhere.mkdir()
    (elsewhere / "summits.yaml").write_text("- 2001\n", encoding="utf-8")
    (project / "manuscript" / "data").symlink_to(elsewhere)
    (elsewhere / "loop").symlink_to(project)
    files = fingerprint(project, places)["files"]
    assert "manuscript/data/summits.yaml" in files
    assert not any(path.startswith("manuscript/data/loop/") for path in files)


def test_the_package_outside_the_project_counts(project, places):
    before = fingerprint(project, places)
    (places["package_dir"] / "render.py").write_text("VERSION = 2\n", encoding="utf-8")
    assert first_difference(before, fingerprint(project, places)) == (
        f"{places['package_dir']}/render.py changed"
    )


def test_the_package_inside_the_project_is_hashed_once(project, places):
    inside = {**places, "package_dir": project / "src" / "build"}
    (project / "src" / "build").mkdir(parents=True)
    (project / "src" / "build" / "render.py").write_text("VERSION = 1\n", encoding="utf-8")
    result = fingerprint(project, inside)
    assert result["package"] is None
    assert "src/build/render.py" in result["files"]


@pytest.mark.parametrize(
    ("env_before", "env_after", "difference"),
    [
        ({}, {"SOURCE_DATE_EPOCH": "1700000000"}, "environment variable SOURCE_DATE_EPOCH changed"),
        (
            {"ARTICLE_COMMIT": "a"},
            {"ARTICLE_COMMIT": "b"},
            "environment variable ARTICLE_COMMIT changed",
        ),
        ({"HOME": "/a", "TERM": "xterm"}, {"HOME": "/b"}, None),
    ],
    ids=["source-date-epoch", "article-prefix", "unrelated-variables"],
)
def test_only_variables_that_reach_the_outputs_count(
    project, places, env_before, env_after, difference
):
    before = fingerprint(project, places, env=env_before)
    after = fingerprint(project, places, env=env_after)
    assert first_difference(before, after) == difference


def test_installing_a_package_changes_the_fingerprint(project, places):
    before = fingerprint(project, places)
    site = places["site_packages"]
    (site / "newpkg-1.0.dist-info").mkdir()
    os.utime(site, ns=(0, site.stat().st_mtime_ns + 10**9))  # coarse clocks: make it visible
    assert first_difference(before, fingerprint(project, places)) == (
        "the installed Python packages changed"
    )


def git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
    }
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env=env)


def test_a_new_commit_and_a_staged_change_count(project, places):
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "first")
    clean = fingerprint(project, places)
    assert clean["git"]["dirty"] is False and len(clean["git"]["commit"]) == 40
    git(project, "commit", "-q", "--allow-empty", "-m", "second")
    committed = fingerprint(project, places)
    assert committed["files"] == clean["files"]
    assert first_difference(clean, committed) == "the git commit or work tree state changed"
    # staged, then the file put back: same content, but the build would stamp "-dirty"
    section = project / SECTION
    text = section.read_text(encoding="utf-8")
    section.write_text(text + "More.\n", encoding="utf-8")
    git(project, "add", SECTION)
    section.write_text(text, encoding="utf-8")
    staged = fingerprint(project, places)
    assert staged["files"] == committed["files"]
    assert staged["git"] == {"commit": committed["git"]["commit"], "dirty": True}


def test_the_fingerprint_survives_a_json_round_trip(project, places):
    (project / "manuscript" / "broken").symlink_to(project / "nowhere")
    value = fingerprint(project, places)
    assert value["files"]["manuscript/broken"].startswith("unreadable")
    assert json.loads(json.dumps(value)) == value


# --------------------------------------------------------------------------- plain arguments


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--cores", "2"],
        ["--cores=2"],
        ["-c", "2"],
        ["-c2"],
        ["-c=all"],
        ["-j", "4"],
        ["--jobs", "unlimited"],
        ["-q"],
        ["--cores", "2", "-q"],
        ["--quiet", "rules", "progress", "--cores", "1"],
        ["--quiet=all", "-c1"],
    ],
    ids=" ".join,
)
def test_plain_builds(args):
    assert non_plain_reason(args, {}) is None


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--forceall"], "'--forceall'"),
        (["-n", "--cores", "2"], "'-n'"),
        (["--cores", "2", "output/article.html"], "'output/article.html'"),
        (["--cores", "2", "all"], "'all'"),
        (["--config", "diff_from=HEAD"], "'--config'"),
        (["--cores"], "'--cores' without a count"),
        (["--cores", "--forceall"], "'--cores' without a count"),
        (["-q", "rules", "diff"], "'diff'"),
        (["--cores", "2", "--directory", "x"], "'--directory'"),
        (["--quiet=everything"], "'--quiet=everything'"),
        (["-qc2"], "'-qc2'"),
        (["--cor", "2"], "'--cor'"),
    ],
    ids=lambda value: value if isinstance(value, str) else " ".join(value),
)
def test_other_arguments_are_not_plain(args, named):
    reason = non_plain_reason(args, {})
    assert reason is not None and named in reason


def test_a_snakemake_profile_is_never_plain():
    assert non_plain_reason(["--cores", "2"], {"SNAKEMAKE_PROFILE": "slurm"}) == (
        "a Snakemake profile is set ($SNAKEMAKE_PROFILE)"
    )


@pytest.mark.parametrize(
    ("argv", "passed"),
    [
        (["build", "--cores", "2"], ["--cores", "2"]),
        (["build", "--", "--forceall"], ["--forceall"]),
        (["build"], []),
        (["build", "-c2", "-q", "rules", "all.pdf"], ["-c2", "-q", "rules", "all.pdf"]),
        (["build", "--cores", "2", "--help"], ["--cores", "2", "--help"]),
    ],
    ids=["cores", "double-dash", "none", "mixed", "help-for-snakemake"],
)
def test_the_command_line_hands_every_argument_to_snakemake(monkeypatch, argv, passed):
    seen: list[dict] = []
    monkeypatch.setattr(uptodate, "command", lambda **options: seen.append(options) or 7)
    assert cli.main(argv) == 7
    assert seen == [{"snakemake_args": passed}]


def test_build_help_alone_is_this_commands_help(capsys):
    with pytest.raises(SystemExit) as stop:
        cli.main(["build", "--help"])
    assert stop.value.code == 0
    assert "usage: article build" in capsys.readouterr().out


# --------------------------------------------------------------------------- the build


def test_a_second_build_is_up_to_date_without_running_snakemake(project, places, tmp_path):
    command = fake_snakemake(tmp_path)
    code, message = build(project, places, command)
    assert code == 0
    assert message == (
        "article build: no build by `article build` recorded yet -> running snakemake --cores 2\n"
    )
    stamp = read_stamp(project / STAMP_PATH)
    assert stamp is not None and stamp["version"] == STAMP_VERSION
    assert sorted(stamp["outputs"]) == ["output/article.html"]  # not logs/, not the stamp
    code, message = build(project, places, command)
    assert code == 0
    assert message.startswith("article build: up to date (no source changed since the last")
    assert message.endswith("UTC; `snakemake --cores 2` checks in full)\n")
    assert calls(tmp_path) == [["--cores", "2"]]


def test_a_source_change_runs_snakemake_and_names_the_file(project, places, tmp_path):
    command = fake_snakemake(tmp_path)
    build(project, places, command)
    section = project / SECTION
    section.write_text(section.read_text(encoding="utf-8") + "A new sentence.\n", "utf-8")
    code, message = build(project, places, command)
    assert code == 0
    assert message == f"article build: {SECTION} changed -> running snakemake --cores 2\n"
    assert "A new sentence." in (project / "output" / "article.html").read_text("utf-8")
    assert len(calls(tmp_path)) == 2
    assert check_up_to_date(project, ["--cores", "2"], {}, **places).up_to_date


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda html: html.unlink(), "output/article.html is missing"),
        (lambda html: html.write_text("<p>edited</p>"), "output/article.html changed since"),
    ],
    ids=["deleted", "edited"],
)
def test_a_deleted_or_edited_output_is_not_up_to_date(project, places, tmp_path, damage, reason):
    command = fake_snakemake(tmp_path)
    build(project, places, command)
    damage(project / "output" / "article.html")
    verdict = check_up_to_date(project, ["--cores", "2"], {}, **places)
    assert not verdict.up_to_date and verdict.reason.startswith(reason)
    code, message = build(project, places, command)
    assert code == 0 and message.startswith(f"article build: {reason}")
    assert len(calls(tmp_path)) == 2


def test_a_log_change_alone_is_still_up_to_date(project, places, tmp_path):
    build(project, places, fake_snakemake(tmp_path))
    (project / "output" / "logs" / "render.log").write_text("another run\n", encoding="utf-8")
    assert check_up_to_date(project, ["--cores", "2"], {}, **places).up_to_date


@pytest.mark.parametrize(
    "args", [["--cores", "2", "--forceall"], ["-n"], ["output/article.html"]], ids=" ".join
)
def test_a_build_that_is_not_plain_always_runs_and_leaves_no_stamp(project, places, tmp_path, args):
    command = fake_snakemake(tmp_path)
    build(project, places, command)
    assert (project / STAMP_PATH).exists()
    for _ in range(2):
        code, message = build(project, places, command, args)
        assert code == 0 and "is not a plain build -> running snakemake" in message
        assert not (project / STAMP_PATH).exists()
    assert calls(tmp_path) == [["--cores", "2"], args, args]


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        json.dumps({"version": STAMP_VERSION - 1, "inputs": {}, "outputs": {}}),
        json.dumps({"version": STAMP_VERSION, "inputs": {}}),
        json.dumps([1, 2]),
    ],
    ids=["not-json", "old-version", "no-outputs", "not-an-object"],
)
def test_a_corrupt_or_old_stamp_is_not_up_to_date(project, places, tmp_path, text):
    command = fake_snakemake(tmp_path)
    build(project, places, command)
    (project / STAMP_PATH).write_text(text, encoding="utf-8")
    assert read_stamp(project / STAMP_PATH) is None
    verdict = check_up_to_date(project, ["--cores", "2"], {}, **places)
    assert not verdict.up_to_date
    assert verdict.reason == f"{STAMP_PATH} is unreadable or of an older format"
    code, _ = build(project, places, command)
    assert code == 0 and len(calls(tmp_path)) == 2
    assert read_stamp(project / STAMP_PATH) is not None


def test_a_failed_build_passes_its_code_and_removes_the_stamp(project, places, tmp_path):
    build(project, places, fake_snakemake(tmp_path))
    assert (project / STAMP_PATH).exists()
    section = project / SECTION
    section.write_text(section.read_text(encoding="utf-8") + "Broken [@nokey].\n", "utf-8")
    code, _ = build(project, places, fake_snakemake(tmp_path, exit_code=3))
    assert code == 3
    assert not (project / STAMP_PATH).exists()
    code, message = build(project, places, fake_snakemake(tmp_path, exit_code=3))
    assert code == 3 and "no build by `article build` recorded yet" in message


def test_a_source_edited_while_snakemake_runs_leaves_no_stamp(project, places, tmp_path):
    code, message = build(project, places, fake_snakemake(tmp_path, edit="Typed meanwhile.\n"))
    assert code == 0
    assert f"article build: {SECTION} changed while Snakemake ran; no stamp written" in message
    assert not (project / STAMP_PATH).exists()


def test_a_missing_snakemake_is_a_clear_error(project, places, tmp_path):
    with pytest.raises(UpToDateError) as error:
        build(project, places, [str(tmp_path / "no-snakemake")])
    assert str(error.value).startswith(f"{tmp_path / 'no-snakemake'}: cannot run snakemake")


def test_output_digests_leave_out_logs_and_the_stamp(project, tmp_path):
    for relative in ("output/article.pdf", "output/logs/a.log", STAMP_PATH, "output/diff/d.html"):
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_text(relative, encoding="utf-8")
    assert sorted(output_digests(project)) == ["output/article.pdf", "output/diff/d.html"]
    assert output_digests(tmp_path / "empty") == {}
