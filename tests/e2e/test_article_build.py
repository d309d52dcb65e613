"""End-to-end: ``article build`` on a copy of the real article (issue 10, the build shortcut).

The copy starts with the session build's output/ (so Snakemake finds it up to date). The first
call runs Snakemake and writes the stamp; the second says "up to date" without
running Snakemake (no output rewritten, no Snakemake log); after a one-sentence edit of a section
file the third runs Snakemake again and the HTML has the new sentence.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from projects import VENV_BIN, copy_project

pytestmark = pytest.mark.e2e

ARTICLE = VENV_BIN / "article"
STAMP = "output/.build-stamp.json"
SENTENCE = "The build shortcut test added this sentence to the article."


def article_build(copy: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ARTICLE), "build", "--cores", "2"],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=600,
    )


def output_mtimes(copy: Path) -> dict[str, int]:
    return {
        p.relative_to(copy).as_posix(): p.stat().st_mtime_ns
        for p in (copy / "output").rglob("*")
        if p.is_file() and "logs" not in p.relative_to(copy / "output").parts[:1]
    }


def add_sentence(section: Path) -> None:
    """Add SENTENCE as a new line after the first prose line (same paragraph)."""
    lines = section.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(
        i
        for i, line in enumerate(lines)
        if line.strip() and not line.startswith(("#", ":::", "|", "!", "[^", " ", "<"))
    )
    lines.insert(index + 1, SENTENCE + "\n")
    section.write_text("".join(lines), encoding="utf-8")


def test_article_build_skips_snakemake_until_a_source_changes(
    tmp_path: Path, project_build
) -> None:
    copy = copy_project(tmp_path / "project", output_from=project_build.root)

    first = article_build(copy)
    assert first.returncode == 0, first.stderr[-3000:]
    assert first.stderr.startswith(
        "article build: no build by `article build` recorded yet -> running snakemake --cores 2\n"
    )
    stamp = json.loads((copy / STAMP).read_text(encoding="utf-8"))
    assert {"output/article.html", "output/article.pdf", "output/article.epub"} <= set(
        stamp["outputs"]
    )
    mtimes = output_mtimes(copy)
    snakemake_logs = sorted((copy / ".snakemake" / "log").iterdir())

    second = article_build(copy)
    assert second.returncode == 0
    assert re.fullmatch(
        r"article build: up to date \(no source changed since the last build at "
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC; `snakemake --cores 2` checks in full\)\n",
        second.stderr,
    ), second.stderr
    assert second.stdout == ""
    assert output_mtimes(copy) == mtimes
    assert sorted((copy / ".snakemake" / "log").iterdir()) == snakemake_logs

    section = sorted((copy / "manuscript").glob("[0-9][0-9]-*.md"))[0]
    add_sentence(section)
    third = article_build(copy)
    assert third.returncode == 0, third.stderr[-3000:]
    assert third.stderr.startswith(
        f"article build: manuscript/{section.name} changed -> running snakemake --cores 2\n"
    )
    html = re.sub(r"\s+", " ", (copy / "output" / "article.html").read_text(encoding="utf-8"))
    assert SENTENCE in html
    assert "up to date" in article_build(copy).stderr
