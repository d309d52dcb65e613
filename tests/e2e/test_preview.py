"""End-to-end: ``article preview`` on a copy of the real article (issue 19).

One preview process, started on a free port (``--port 0``, the URL read from its first lines):
its page is the workflow's ``output/article.html`` plus the preview bar; a sentence added to a
section file appears in the served page; a section whose heading is removed shows its error
(``path:line:col`` and hint) above the last good page; restoring it clears the error; SIGINT
stops it and leaves no process of its process group. Every wait is bounded; nothing asserts a
duration.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from projects import VENV_BIN, copy_project

pytestmark = pytest.mark.e2e

SENTENCE = "The live preview test added this sentence to the article."
SECTION = "manuscript/07-conclusion.md"
WAIT_S = 60.0


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def page_if(url: str, wanted: Callable[[str], bool]) -> str | None:
    """The page at ``url`` when ``wanted(page)``, else None."""
    page = get(url)
    return page if wanted(page) else None


def wait_for(what: str, check: Callable[[], object], process: subprocess.Popen) -> object:
    """``check()``'s first true value, polled until WAIT_S; fails when the preview exits."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the preview exited ({process.returncode})"
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"no {what} within {WAIT_S} s")


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_preview_reloads_shows_errors_and_stops_cleanly(tmp_path: Path, project_build) -> None:
    copy = copy_project(tmp_path / "project")
    log = (tmp_path / "preview.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [str(VENV_BIN / "article"), "preview", "--port", "0"],
        cwd=copy,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: what is left of it can be found
    )
    try:

        def url() -> str | None:
            found = re.search(r"serving (http://127\.0\.0\.1:\d+/)", Path(log.name).read_text())
            return found.group(1) if found else None

        base = wait_for("URL", url, process)
        page = get(base)
        assert page == get(base + "article.html")
        built = (copy / "output/preview/article.html").read_text(encoding="utf-8")
        expected = (project_build.output() / "article.html").read_text(encoding="utf-8")
        assert built == expected  # the workflow's page, byte for byte
        assert 'id="article-preview"' in page and "EventSource" in page
        assert "EventSource" not in built  # the reload script is only in what is served
        assert (
            page.replace(page[page.index('<div id="article-preview"') :], "")
            == built[: built.rindex("</body>")]
        )

        section = copy / SECTION
        original = section.read_text(encoding="utf-8")
        section.write_text(original + "\n" + SENTENCE + "\n", encoding="utf-8")
        wait_for("new sentence", lambda: SENTENCE in get(base), process)

        lines = original.splitlines(keepends=True)
        section.write_text("".join(lines[1:]), encoding="utf-8")  # no heading
        broken = wait_for(
            "error", lambda: page_if(base, lambda p: "article-preview-error" in p), process
        )
        first = next(n for n, line in enumerate(lines[1:], start=1) if line.strip())
        assert (
            f"{SECTION}:{first}:1: a section file must start with a level-1 heading with an id\n"
            "  hint: start the file with &#x27;# Heading text {#sec-slug}&#x27;"
        ) in broken
        assert SENTENCE in broken  # the last good page stays visible
        assert f"; first error:\n{SECTION}:{first}:1: a section file" in Path(log.name).read_text()

        section.write_text(original, encoding="utf-8")
        fixed = wait_for(
            "fixed page", lambda: page_if(base, lambda p: "article-preview-error" not in p), process
        )
        assert SENTENCE not in fixed
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        deadline = time.monotonic() + 10
        while group_alive(process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        left = group_alive(process.pid)
        if left:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
    assert code == 0
    assert not left, "a process of the preview was left running"
    assert Path(log.name).read_text().rstrip().endswith("preview: stopped")
