"""Bad and hostile input through ``snakemake`` (issue 9), each on a temporary copy.

* clear errors: the stage's own ``path:line`` message and hint reach the user, and the last
  lines of a failed run name the first real error and the log holding the rest;
* nothing lost: a full build writes nothing to the sources; a PDF step killed midway leaves no
  PDF, and the rebuild is complete; a second run started in the same checkout stops clearly;
* nothing fetched: hostile resources stop the build before pandoc runs; a local HTTP server
  receives no request; active HTML and metadata markup never reach the outputs;
* size: longer and stranger inputs finish (or fail clearly) within bounded time and memory.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SNAKEMAKE = VENV_BIN / "snakemake"
ARTICLE = [sys.executable, "-m", "build.cli"]
SOURCES = ("manuscript", "refs.bib", "figures", "config")


def copy_project(target: Path) -> Path:
    """A copy of the project's sources (no output/, no .snakemake/)."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "refs.bib"):
        shutil.copy2(ROOT / name, target / name)
    for name in ("rules", "config", "manuscript", "figures"):
        shutil.copytree(ROOT / name, target / name)
    return target


def snakemake(
    copy: Path, *args: str, env: dict[str, str] | None = None, timeout_s: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SNAKEMAKE), "--cores", "1", "--directory", str(copy), *args],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, **(env or {})},
    )


def tail(text: str, lines: int = 10) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def sections(copy: Path) -> list[Path]:
    return sorted((copy / "manuscript").glob("[0-9][0-9]-*.md"))


def append_section(copy: Path, text: str) -> Path:
    """Add manuscript/NN-hostile.md after the last section; returns its path."""
    number = len(sections(copy)) + 1
    path = copy / "manuscript" / f"{number:02d}-hostile.md"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(n for n, ln in enumerate(path.read_text().splitlines(), 1) if needle in ln)


def snapshot(copy: Path) -> dict[str, str]:
    """sha256 of every file under the source trees (and refs.bib)."""
    found = {}
    for name in SOURCES:
        root = copy / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            found[str(path.relative_to(copy))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info)[1])


# --------------------------------------------------------------------------- clear errors


def _edit(relative: str, old: str, new: str, count: int = 1) -> Callable[[Path], str]:
    def mutate(copy: Path) -> str:
        path = copy / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return f"{re.escape(relative)}:{line_of(path, new.splitlines()[0] or new)}:\\d+"

    return mutate


def _bibtex_error(copy: Path) -> str:
    bib = copy / "refs.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@article{broken2001,\n  title = {No closing brace\n", "utf-8")
    return rf"refs\.bib:{text.count(chr(10)) + 2}"


def _citation_error(copy: Path) -> str:
    path = append_section(
        copy, "# Hostile {#sec-hostile}\n\nA claim with a citation of nothing (Nobody, 1999).\n"
    )
    return rf"manuscript/{path.name}:3:\d+"


def _figure_raises(copy: Path) -> str:
    script = copy / "figures" / "fig-bodies.py"
    lines = script.read_text(encoding="utf-8").splitlines()
    at = lines.index('if __name__ == "__main__":')
    lines.insert(at, 'raise RuntimeError("figure script failed on purpose")')
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return rf"figures/fig-bodies\.py:{at + 1}: RuntimeError: figure script failed on purpose"


CLEAR_ERRORS = {
    # name: (mutate -> location regex, words of the message, job failure: the log named)
    "bibtex-error": (_bibtex_error, r"", "output/logs/lint_bibliography.log"),
    "citation-error": (_citation_error, r"Nobody", "output/logs/normalize_citations.log"),
    "metadata-malformed-yaml": (
        _edit("manuscript/metadata.yaml", "lang: en-US", "lang: en-US: broken"),
        r"YAML",
        "output/logs/parse_article.log",
    ),
    "data-violates-schema": (
        _edit("manuscript/data/summits.yaml", "1996-04-26", "1996-04-99"),
        r"",
        "output/logs/",
    ),
    "figure-script-raises": (_figure_raises, r"", "output/logs/draw_figure/fig-bodies.log"),
    "unknown-csl-style": (
        _edit("config/config.yaml", "csl_style: apa", "csl_style: no-such-style"),
        r"no-such-style",
        None,
    ),
    "profile-wrong-type": (
        _edit("config/config.yaml", "size_pt: 10.5", 'size_pt: "10.5pt"'),
        r"size_pt",
        None,
    ),
    "profile-malformed-yaml": (
        _edit("config/config.yaml", "  size: A4", "  size: [A4"),
        r"YAML",
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(CLEAR_ERRORS))
def test_snakemake_shows_the_stage_message_and_the_log(name: str, tmp_path: Path) -> None:
    mutate, words, log = CLEAR_ERRORS[name]
    copy = copy_project(tmp_path / "project")
    where = mutate(copy)
    result = snakemake(copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    # the stage's own message: path:line (and column) then the hint on the next line
    message = re.search(rf"^(error: )?{where}[^\n]*{words}[^\n]*\n\s+hint: \S", output, re.M | re.S)
    assert message, output[-4000:]
    end = tail(output, 12)
    assert re.search(where, end), end
    if log:  # a job failed: its first real error and its log close the run
        assert "first error:" in end and f"full log: {log}" in end, end
    assert not (copy / "output" / "article.pdf").exists()
