"""Benchmark of the edit loop of ``article preview`` (issue 19). A script, not a test.

Usage (from the repository root)::

    .venv/bin/python bench/preview.py [--repeat N] [--output bench/preview-results.json]

In a temporary copy of the project (as bench/run.py makes it), one preview process is started
on a free port and left to finish its first page and PDF; then, ``--repeat`` times:

* ``save -> page``: one sentence of one section file is changed (content, not only its time
  stamp); the wall seconds from just before the write until the served page (``/``) holds the
  new sentence (polled every 20 ms);
* ``save -> PDF``: from the same write until ``/status`` says the PDF of that build is written;
* ``bare pandoc -> HTML``: the floor's pandoc to a standalone HTML page of the same article
  (``bench/floor.py``: citeproc, the profile's CSL), run once, directly;
* ``bare WeasyPrint``: the ``weasyprint`` command (its import included, as the floor runs it) on
  the print HTML the preview wrote for that build, PDF/UA-1.

Ratios are medians over the repetitions; targets of issue 19: page <= 2 x bare pandoc, PDF
<= 1.1 x bare WeasyPrint. Writes every sample to ``--output`` and prints the table.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import floor as floor_def
from run import BIN, ROOT, copy_project, environment

TARGET_PAGE_VS_PANDOC = 2.0
TARGET_PDF_VS_WEASYPRINT = 1.1
SECTION = "manuscript/07-conclusion.md"
POLL_S = 0.02
WAIT_S = 120.0


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


def _until(check, what: str) -> float:
    """perf_counter() at the first true ``check()``, polled every POLL_S until WAIT_S."""
    deadline = time.perf_counter() + WAIT_S
    while time.perf_counter() < deadline:
        if check():
            return time.perf_counter()
        time.sleep(POLL_S)
    raise TimeoutError(f"no {what} within {WAIT_S} s")


def _timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=True, capture_output=True, env=environment(cwd))
    return time.perf_counter() - start


def measure(project: Path, repeat: int) -> dict[str, list[float]]:
    """The samples of every measurement (see the module docstring), in seconds."""
    env = environment(project)
    floor_def.prepare(
        project, lambda c: subprocess.run(c, cwd=project, env=env, check=True, capture_output=True)
    )
    log = (project / "preview.log").open("w+", encoding="utf-8")
    process = subprocess.Popen(
        [str(BIN / "article"), "preview", "--port", "0"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=log,
    )
    samples: dict[str, list[float]] = {
        "save -> page": [],
        "save -> PDF": [],
        "bare pandoc -> HTML": [],
        "bare WeasyPrint": [],
    }
    try:
        found: list[str] = []

        def url() -> bool:
            found[:] = re.findall(r"serving (http://[\d.]+:\d+/)", Path(log.name).read_text())
            return bool(found)

        _until(url, "URL")
        base = found[0]

        def status() -> dict:
            return json.loads(_get(base + "status"))

        _until(lambda: status()["pdf_generation"] == 1, "first PDF")
        section = project / SECTION
        original = section.read_text(encoding="utf-8")
        html_part = floor_def.tool_commands(project)[floor_def.TOOL_PARTS[0]]
        print_html = project / "output/preview/render/article.print.html"
        for index in range(repeat):
            sentence = f"The preview benchmark changed this sentence, time {index}."
            generation = status()["generation"] + 1
            start = time.perf_counter()
            section.write_text(original + "\n" + sentence + "\n", encoding="utf-8")
            page = _until(lambda s=sentence: s in _get(base), "new page")
            pdf = _until(lambda g=generation: status()["pdf_generation"] >= g, "new PDF")
            samples["save -> page"].append(page - start)
            samples["save -> PDF"].append(pdf - start)
            samples["bare pandoc -> HTML"].append(_timed(html_part, project))
            weasyprint = [str(BIN / "weasyprint"), "--pdf-variant=pdf/ua-1", "--base-url=."]
            samples["bare WeasyPrint"].append(
                _timed([*weasyprint, str(print_html), "floor/bare.pdf"], project)
            )
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
        log.close()
    # the preview's own account of each build: its stages' seconds
    samples["preview log"] = [  # type: ignore[list-item]
        line
        for line in Path(log.name).read_text().splitlines()
        if "ready in" in line or "PDF done" in line
    ]
    return samples


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--output", default=str(ROOT / "bench" / "preview-results.json"))
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-preview-") as folder:
        project = copy_project(ROOT, Path(folder) / "project")
        samples = measure(project, args.repeat)
    stages = samples.pop("preview log")
    median = {name: statistics.median(values) for name, values in samples.items()}
    page_ratio = median["save -> page"] / median["bare pandoc -> HTML"]
    pdf_ratio = median["save -> PDF"] / median["bare WeasyPrint"]
    verdicts = {
        f"save -> page <= {TARGET_PAGE_VS_PANDOC} x bare pandoc": [
            round(page_ratio, 2), page_ratio <= TARGET_PAGE_VS_PANDOC],
        f"save -> PDF <= {TARGET_PDF_VS_WEASYPRINT} x bare WeasyPrint": [
            round(pdf_ratio, 2), pdf_ratio <= TARGET_PDF_VS_WEASYPRINT],
    }  # fmt: skip
    report = {"samples_s": samples, "median_s": median, "targets": verdicts, "log": stages}
    Path(args.output).write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print("| measurement | median s | samples s |\n| --- | ---: | --- |")
    for name, values in samples.items():
        print(f"| {name} | {median[name]:.2f} | {' / '.join(f'{v:.2f}' for v in values)} |")
    for name, (ratio, holds) in verdicts.items():
        print(f"{name}: {ratio} x -> {'holds' if holds else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
