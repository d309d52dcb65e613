"""Copies of the project and builds of them, shared by the tests (fixtures in tests/conftest.py).

Terms: the *project* is the repository root; a *copy* is a folder holding the sources a build
reads (``BUILD_SOURCES``), without ``output/`` or ``.snakemake/``, not a git checkout (so its
build date is the profile's ``source_date_epoch_s``); an *article* is the root article (slug
``None``: ``manuscript/``, ``refs.bib``, built to ``output/``) or a further article
``articles/<slug>/`` (built to ``output/articles/<slug>/``); the *test articles* are the folders
``tests/data/articles/<slug>/``, which the session build copies to ``articles/<slug>/``.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
SNAKEMAKE = VENV_BIN / "snakemake"
TEST_ARTICLES = ROOT / "tests" / "data" / "articles"
#: what a build reads, relative to the project root; those that do not exist are left out
BUILD_SOURCES = (
    "Snakefile", "refs.bib", "rules", "config", "profiles", "manuscript", "figures", "articles",
)  # fmt: skip


def article_slugs(articles: Path) -> list[str]:
    """The slugs under ``articles`` (a project's ``articles/`` or ``TEST_ARTICLES``): every
    folder holding ``manuscript/metadata.yaml``, in name order; ``[]`` when it does not exist."""
    if not articles.is_dir():
        return []
    return sorted(
        p.name for p in articles.iterdir() if (p / "manuscript" / "metadata.yaml").is_file()
    )


def article_output(root: Path, slug: str | None = None) -> Path:
    """The output folder of one article of the project at ``root``: ``root/output`` for the root
    article (``slug`` None), ``root/output/articles/<slug>`` for a further article."""
    return root / "output" if slug is None else root / "output" / "articles" / slug


def article_folder(root: Path, slug: str | None = None) -> Path:
    """The source folder of one article of the project at ``root`` (the one holding its
    ``manuscript/`` and ``refs.bib``): ``root`` itself, or ``root/articles/<slug>``."""
    return root if slug is None else root / "articles" / slug


#: every article a session build holds, known when tests are collected: None (the root
#: article), then the project's own articles/<slug>/ and the test articles
ARTICLES: list[str | None] = [
    None,
    *sorted(set(article_slugs(ROOT / "articles")) | set(article_slugs(TEST_ARTICLES))),
]


def copy_project(
    target: Path, *, test_articles: bool = False, output_from: Path | None = None
) -> Path:
    """Copy the project's ``BUILD_SOURCES`` to ``target`` (created; it may exist, empty).

    Args:
        target: the copy's folder.
        test_articles: also copy each ``tests/data/articles/<slug>/`` to ``articles/<slug>/``.
        output_from: a built project whose ``output/`` is copied too, times kept, so that
            Snakemake finds it up to date (no ``.snakemake/``: without its metadata only the
            files' times decide) and a test reruns only what it changes or forces.

    Returns:
        ``target``.

    Raises:
        FileExistsError: a test article's slug is also a folder of the project's ``articles/``.
    """
    target.mkdir(parents=True, exist_ok=True)
    for name in BUILD_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, symlinks=True)
        elif source.is_file():
            shutil.copy2(source, target / name)
    if test_articles:
        for slug in article_slugs(TEST_ARTICLES):
            shutil.copytree(TEST_ARTICLES / slug, target / "articles" / slug)
    if output_from is not None:
        shutil.copytree(output_from / "output", target / "output", symlinks=True)
    return target


def run(
    args: list, cwd: Path = ROOT, timeout_s: float = 600, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run a command (arguments made strings), capturing its text output; never raises on a
    non-zero exit. ``env`` is added to this process's environment."""
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        env={**os.environ, **(env or {})},
    )


def snakemake(
    root: Path,
    *args: str | Path,
    cores: int = 2,
    env: dict[str, str] | None = None,
    timeout_s: float = 600,
) -> subprocess.CompletedProcess:
    """``snakemake --cores N --directory root --snakefile root/Snakefile ARGS`` run in ``root``."""
    command = [SNAKEMAKE, "--cores", cores, "--directory", root, "--snakefile", root / "Snakefile"]
    return run([*command, *args], cwd=root, timeout_s=timeout_s, env=env)


@dataclass(frozen=True)
class Build:
    """A built copy of the project: its folder and the seconds ``snakemake --cores 2`` took."""

    root: Path
    seconds: float

    def output(self, slug: str | None = None) -> Path:
        """The output folder of the root article (``slug`` None) or of ``articles/<slug>/``."""
        return article_output(self.root, slug)

    def sources(self, slug: str | None = None) -> Path:
        """The source folder of the root article (``slug`` None) or of ``articles/<slug>/``."""
        return article_folder(self.root, slug)

    @property
    def slugs(self) -> list[str]:
        """The further articles built (``articles/<slug>/`` of the copy), in name order."""
        return article_slugs(self.root / "articles")


def shared_folder(tmp_path_factory) -> Path:
    """A folder that all pytest-xdist workers of this session share (the session's own base
    folder without xdist); ``tmp_path_factory`` is pytest's fixture of that name."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def once_per_session(shared: Path, name: str, make: Callable[[Path], dict]) -> dict:
    """``make(folder)``'s JSON-able result, computed once per test session even when
    pytest-xdist runs several workers: the first to come computes it in ``shared/name/`` under
    a lock and records it (or its error) in ``result.json``; the others read that record.

    Raises:
        RuntimeError: ``make`` failed, here or in another worker (its message is kept).
    """
    folder = shared / name
    folder.mkdir(parents=True, exist_ok=True)
    record = folder / "result.json"
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not record.exists():
            try:
                result = {"value": make(folder / "work")}
            except BaseException as error:  # pytest's failures derive from BaseException
                result = {"error": f"{type(error).__name__}: {error}"}
                record.write_text(json.dumps(result), encoding="utf-8")
                raise
            record.write_text(json.dumps(result), encoding="utf-8")
    result = json.loads(record.read_text(encoding="utf-8"))
    if "error" in result:
        raise RuntimeError(f"{name} failed: {result['error']}")
    return result["value"]


@contextlib.contextmanager
def serving(handler: type) -> Iterator[str]:
    """An HTTP server on 127.0.0.1 (a free port) answering with ``handler`` (an
    ``http.server.BaseHTTPRequestHandler`` class) in a thread; yields its URL, then stops it."""
    import http.server
    import threading

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
