"""Bad and hostile input through ``snakemake`` (issue 9), each on a temporary copy.

* clear errors: the stage's own ``path:line`` message and hint reach the user, and the last
  lines of a failed run name the first real error and the log holding the rest;
* nothing lost: a full build writes nothing to the sources; a PDF step killed midway leaves no
  PDF, and the rebuild is complete; a second run started in the same checkout stops clearly;
* nothing fetched: hostile resources stop the build before pandoc runs; a local HTTP server
  receives no request; active HTML and metadata markup never reach the outputs;
* size: longer and stranger inputs finish (or fail clearly) under a hang guard, in bounded
  memory (how the time grows with the length: bench/run.py, not a timed test).
"""

from __future__ import annotations

import hashlib
import http.server
import json
import re
import resource
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from projects import SNAKEMAKE, copy_project
from projects import snakemake as run_snakemake

pytestmark = pytest.mark.e2e

ARTICLE = [sys.executable, "-m", "build.cli"]
SOURCES = ("manuscript", "refs.bib", "figures", "config")


def snakemake(
    copy: Path,
    *args: str,
    cores: int = 1,
    env: dict[str, str] | None = None,
    timeout_s: float = 300,
) -> subprocess.CompletedProcess:
    """Snakemake in the copy, one core unless told (projects.snakemake)."""
    return run_snakemake(copy, *args, cores=cores, env=env, timeout_s=timeout_s)


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


def _edit(relative: str, old: str, new: str, offset: int = 0) -> Callable[[Path], str]:
    """Replace ``old`` by ``new`` in a file of the copy; the error is expected on the line of
    ``new`` plus ``offset`` (a YAML parser notices an open bracket on the next line)."""

    def mutate(copy: Path) -> str:
        path = copy / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return f"{re.escape(relative)}:{line_of(path, new) + offset}:\\d+"

    return mutate


def _bibtex_error(copy: Path) -> str:
    bib = copy / "refs.bib"
    text = bib.read_text(encoding="utf-8")
    bib.write_text(text + "\n@article{broken2001,\n  title = {No closing brace\n", "utf-8")
    return rf"refs\.bib:{text.count(chr(10)) + 3}"  # the title's brace (issue 15, item 14)


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
        "output/logs/",
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
        _edit("config/config.yaml", "  size: A4", "  size: [A4"),  # at the open bracket
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
    after = output[message.end() :]
    assert not re.search(r'^\s*(Traceback|File ")', after, re.M), after[-4000:]  # no Python frames
    end = tail(output, 12)
    assert re.search(where, end), end
    if log:  # a job failed: its first real error and its log close the run
        assert "first error:" in end and f"full log: {log}" in end, end
    assert not (copy / "output" / "article.pdf").exists()


# --------------------------------------------------------------------------- nothing lost

HOSTILE_TITLE = "Sino-Russia <script>alert(1)</script> Partnership"
HOSTILE_AUTHOR = "Jamshed <script>alert(2)</script> Khan"
RAW_HTML = """# Hostile {#sec-hostile}

<script>alert(3)</script>

Text with <span onclick="alert(4)">a handler</span> and [a link](javascript:alert(5)).

<iframe srcdoc="<p>x</p>"></iframe> <object>fallback</object> <embed type="x">

<a rel="attachment" href="refs.bib">attached</a> <link rel="attachment" href="refs.bib">
"""


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A full build of a copy with script in the title and an author name and active raw HTML
    in a section; a second snakemake is started in the same copy while the first holds the
    lock. Returns both results, the copy and the source hashes before and after."""
    copy = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    metadata = copy / "manuscript" / "metadata.yaml"
    text = metadata.read_text(encoding="utf-8")
    text = re.sub(r"^title: .*$", f'title: "{HOSTILE_TITLE}"', text, count=1, flags=re.M)
    text = text.replace("- name: Jamshed Khan", f'- name: "{HOSTILE_AUTHOR}"')
    metadata.write_text(text, encoding="utf-8")
    section = append_section(copy, RAW_HTML)
    before = snapshot(copy)
    first = subprocess.Popen(
        [str(SNAKEMAKE), "--cores", "2", "--directory", str(copy)],
        cwd=copy,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    locks = copy / ".snakemake" / "locks"
    deadline = time.monotonic() + 60
    while not (locks.is_dir() and any(locks.iterdir())) and time.monotonic() < deadline:
        time.sleep(0.05)
    second = snakemake(copy, timeout_s=60)
    output, _ = first.communicate(timeout=600)
    return {
        "copy": copy,
        "section": section,
        "first": (first.returncode, output),
        "second": second,
        "before": before,
        "after": snapshot(copy),
    }


def test_a_full_build_writes_nothing_to_the_sources(hostile_build: dict) -> None:
    assert hostile_build["first"][0] == 0, hostile_build["first"][1][-3000:]
    assert hostile_build["after"] == hostile_build["before"]


def test_a_second_run_in_the_same_checkout_stops_clearly(hostile_build: dict) -> None:
    second = hostile_build["second"]
    assert second.returncode != 0
    # Snakemake stops the second run either at its directory lock or, when the first run's
    # jobs have already started, at their incomplete outputs; it builds nothing either way.
    stopped = second.stdout + second.stderr
    assert re.search(r"Directory cannot be locked|Incomplete files", stopped), stopped
    code, output = hostile_build["first"]
    assert code == 0, output[-3000:]
    copy = hostile_build["copy"]
    assert pdf_pages(copy / "output" / "article.pdf") > 1
    with zipfile.ZipFile(copy / "output" / "article.epub") as epub:
        assert epub.testzip() is None


def _outputs(copy: Path) -> dict[str, str]:
    texts = {"html": (copy / "output" / "article.html").read_text(encoding="utf-8")}
    with zipfile.ZipFile(copy / "output" / "article.epub") as epub:
        for name in epub.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                texts[f"epub:{name}"] = epub.read(name).decode("utf-8")
    texts["print"] = (copy / "output" / "render" / "article.print.html").read_text("utf-8")
    return texts


def test_metadata_markup_is_text_in_html_and_epub_head_and_body(hostile_build: dict) -> None:
    texts = _outputs(hostile_build["copy"])
    html = texts["html"]
    escaped = "Sino-Russia &lt;script&gt;alert(1)&lt;/script&gt; Partnership"
    head, body = html.split("</head>", 1)
    assert f"<title>{escaped}</title>" in head
    assert escaped in body
    assert "Jamshed &lt;script&gt;alert(2)&lt;/script&gt; Khan" in body
    opf = next(v for k, v in texts.items() if k.endswith(".opf"))
    assert escaped in opf and "Jamshed &lt;script&gt;alert(2)&lt;/script&gt; Khan" in opf
    assert any(escaped in v for k, v in texts.items() if k.endswith("title_page.xhtml"))


@pytest.mark.parametrize(
    "pattern",
    [r"<script", r"<iframe", r"<object", r"<embed", r"\son\w+\s*=", r"javascript:",
     r"srcdoc", r'rel="attachment"', r"<link[^>]+attachment"],
)  # fmt: skip
def test_active_content_never_reaches_the_outputs(hostile_build: dict, pattern: str) -> None:
    # the HTML head's one JSON-LD element (issue 17) is the pipeline's own: its text is JSON
    # with <, > and & escaped, so nothing of the sources can end it or start an element
    outputs = dict(_outputs(hostile_build["copy"]))
    scripts = re.findall(r'<script type="application/ld\+json">([^<]*)</script>', outputs["html"])
    assert len(scripts) == 1 and json.loads(scripts[0])["@type"] == "ScholarlyArticle"
    outputs["html"] = (
        outputs["html"]
        .replace(scripts[0], "")
        .replace('<script type="application/ld+json"></script>', "")
    )
    found = {k: m.group(0) for k, v in outputs.items()
             if (m := re.search(pattern, v, re.I))}  # fmt: skip
    assert found == {}
    assert "fallback" in _outputs(hostile_build["copy"])["html"]  # the text stays


def test_active_content_is_reported_at_its_line(hostile_build: dict) -> None:
    log = (hostile_build["copy"] / "output" / "logs" / "check_manuscript.log").read_text()
    name = hostile_build["section"].name
    for needle in ("<script>", "onclick", "javascript:", "srcdoc", "<embed", "attachment"):
        line = line_of(hostile_build["section"], needle)
        assert re.search(rf"warning: manuscript/{name}:{line}:\d+: active content", log), needle
    assert re.search(r"warning: manuscript/metadata\.yaml:\d+:\d+: markup in metadata", log)


CRASH_PDF = """
import os
if os.environ.get("HOSTILE_CRASH_PDF"):
    from weasyprint.document import Document

    def write_pdf(self, target=None, *args, **kwargs):
        with open(target, "wb") as handle:  # half a PDF, then the process dies
            handle.write(b"%PDF-1.7\\n% partial\\n" * 1000)
            handle.flush()
        os._exit(9)

    Document.write_pdf = write_pdf
"""


def test_a_pdf_step_killed_midway_leaves_no_pdf_and_the_rebuild_is_complete(
    tmp_path: Path, project_build
) -> None:
    """On a copy with the session build's outputs: the PDF step is forced to run again and
    killed midway."""
    copy = copy_project(tmp_path / "project", output_from=project_build.root)
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(CRASH_PDF, encoding="utf-8")
    env = {"HOSTILE_CRASH_PDF": "1", "PYTHONPATH": str(hook)}
    assert (copy / "output" / "article.pdf").exists()
    crashed = snakemake(copy, "--forcerun", "render_pdf", cores=2, env=env)
    assert crashed.returncode != 0
    pdf = copy / "output" / "article.pdf"
    assert not pdf.exists()
    assert "render_pdf" in tail(crashed.stdout + crashed.stderr, 12)
    assert list(pdf.parent.glob(".article.pdf.*.tmp"))  # the killed process left its file
    rebuilt = snakemake(copy)  # the input is fixed: no crash hook
    assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
    assert list(pdf.parent.glob(".article.pdf.*.tmp")) == []  # the render rule removed it
    pages = pdf_pages(pdf)
    fresh = snakemake(copy, "--forcerun", "render_pdf")
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert pdf_pages(pdf) == pages >= 10


# --------------------------------------------------------------------------- nothing fetched


@pytest.fixture()
def server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 (ephemeral port) that records every request; /redirect
    answers 302 to /target. Yields (base URL, requests)."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            requests.append(self.path)
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", "/target.png")
            else:
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_hostile_resources_stop_the_build_and_nothing_is_requested(
    tmp_path: Path, server: tuple[str, list[str]]
) -> None:
    host, requests = server
    copy = copy_project(tmp_path / "project")
    (copy / "manuscript" / "outside.png").symlink_to("/etc/hostname")
    cases = {
        "http": f"http://{host}/a.png",
        "https": f"https://{host}/b.png",
        "ftp": f"ftp://{host}/c.png",
        "redirect": f"http://{host}/redirect",
        "file-url": "file:///etc/hostname",
        "dotdot": "../../etc/hostname",
        "absolute": "/etc/hostname",
        "symlink": "manuscript/outside.png",
    }
    lines = ["# Hostile {#sec-hostile}", ""]
    lines += [f"Image {name}: ![{name}]({url})" for name, url in cases.items()]
    where = {url: n for n, url in enumerate(cases.values(), 3)}
    lines += ["", f'<img src="http://{host}/raw.png" alt="raw">', ""]
    lines += [f'<link rel="stylesheet" href="http://{host}/style.css">', ""]
    # CSS in raw HTML: parentheses and "@" there are not citations, so the citation stage
    # lets them through and the safety check names them
    lines += [f'Text <span style="background:url(http://{host}/bg.png)">shaded</span>.', ""]
    lines += ["<style>", f"@import url(http://{host}/import.css);", "</style>", ""]
    section = append_section(copy, "\n".join(lines) + "\n")
    metadata = copy / "manuscript" / "metadata.yaml"
    metadata.write_text(metadata.read_text() + f"css: http://{host}/meta.css\n", encoding="utf-8")
    result = snakemake(copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    raw = [f"http://{host}/{name}" for name in ("raw.png", "style.css", "bg.png", "import.css")]
    for url in [*cases.values(), *raw]:
        line = where.get(url) or line_of(section, url)
        located = rf"manuscript/{section.name}:{line}:\d+: refused resource '{re.escape(url)}'"
        assert re.search(located, output), (url, output[-4000:])
    assert re.search(r"manuscript/metadata\.yaml:\d+:\d+: metadata key 'css'", output)
    assert "full log: output/logs/check_manuscript.log" in tail(output, 12)
    assert requests == []
    assert not (copy / "output" / "article.html").exists()
    assert "hostname" not in output.replace("etc/hostname", "")  # no content was read


# --------------------------------------------------------------------------- size


def article(*args: str, cwd: Path, timeout_s: float = 120) -> subprocess.CompletedProcess:
    """Run `article ...` in ``cwd``, bounded in time (TimeoutExpired fails the test)."""
    return subprocess.run(
        [*ARTICLE, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout_s
    )


def peak_memory_mb() -> float:
    """Peak resident memory of the largest child process waited for so far (MB)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def _sized_copy(tmp_path: Path, times: int) -> tuple[Path, list[Path]]:
    """A copy whose manuscript has every section ``times`` times (generated placeholders and
    cross-references dropped, heading ids made unique); returns the copy and its sections."""
    copy = copy_project(tmp_path / f"x{times}")
    originals = sections(copy)
    texts = [p.read_text(encoding="utf-8") for p in originals]
    for path in originals:
        path.unlink()
    written = []
    for copy_number in range(times):
        for index, text in enumerate(texts):
            text = re.sub(r"^::: \{#(tbl|fig)-[^}]*\}\n:::\n", "", text, flags=re.M)
            text = re.sub(r"@(tbl|fig|sec)-[a-z0-9-]+", "the table", text)
            text = text.replace("{#sec-", f"{{#sec-r{copy_number}-")
            number = copy_number * len(texts) + index + 1
            path = copy / "manuscript" / f"{number:02d}-part.md" if number < 100 else None
            path = path or copy / "manuscript" / f"{number}-part.md"
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return copy, written


def _stages(copy: Path, files: list[Path]) -> None:
    """Run the stages whose cost grows with the text: safety check, citations, parse (pandoc +
    citeproc) and HTML."""
    names = [str(p.relative_to(copy)) for p in files]
    steps = [
        ["safety", *names, "--metadata", "manuscript/metadata.yaml"],
        ["citations", "--output", "output/cite/article.md", "--report", "output/c.json", *names],
        ["render", "--to", "json", "--markdown", "output/cite/article.md", "--metadata",
         "manuscript/metadata.yaml", "--bibliography", "refs.bib", "--output", "output/a.json"],
        ["render", "--to", "html", "--ast", "output/a.json", "--output", "output/a.html"],
    ]  # fmt: skip
    for step in steps:
        result = article(*step, cwd=copy, timeout_s=600)  # hang guard
        assert result.returncode == 0, (step[0], result.stderr[-2000:])


def test_an_article_ten_times_longer_builds_every_section_in_bounded_memory(
    tmp_path: Path,
) -> None:
    # how the time grows with the length is measured by bench/run.py (its "scaling" row: the
    # article 16 times as long), not here: speed goals live in the benchmarks
    copy, files = _sized_copy(tmp_path, 10)
    _stages(copy, files)
    html = (copy / "output" / "a.html").read_text(encoding="utf-8")
    assert html.count('class="level2"') >= 10 * 7 - 1  # every section rendered
    assert peak_memory_mb() < 2048


def _bounded(result: subprocess.CompletedProcess, where: str) -> None:
    """Completed, or failed with a located message (not a traceback)."""
    if result.returncode != 0:
        output = result.stdout + result.stderr
        assert re.search(rf"{re.escape(where)}(:\d+)*: ", output), output[-2000:]
        assert "Traceback" not in output


def test_a_5_mb_single_line_completes_or_fails_clearly(tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "project")
    prose = "The organization met again and agreed on closer cooperation in the region. " * 34_000
    line = prose + "As argued (Mackinder, 2004). " + prose
    path = append_section(copy, "# Long line {#sec-long}\n\n" + line.strip() + "\n")
    assert path.stat().st_size > 5_000_000
    name = str(path.relative_to(copy))
    for step in (
        ["safety", name],
        ["linebreaks", "--check", name],
        ["citations", "--output", "output/cite.md", name],
    ):
        _bounded(article(*step, cwd=copy, timeout_s=600), name)  # hang guard
    assert peak_memory_mb() < 2048


def _big_bib(copy: Path) -> Path:
    """``big.bib`` in the copy: 10,000 one-author articles, all of 2000."""
    entries = [
        f"@article{{author{n}2000,\n  author = {{Author{n}, Ann}},\n  title = {{Title {n}}},\n"
        f"  journal = {{Journal}},\n  year = {{2000}},\n  volume = {{1}},\n"
        f"  pages = {{1--{n % 90 + 2}}},\n}}\n"
        for n in range(10_000)
    ]
    bib = copy / "big.bib"
    bib.write_text("\n".join(entries), encoding="utf-8")
    return bib


def test_a_10000_entry_bibliography_is_linted_in_bounded_time(tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "project")
    _big_bib(copy)
    result = article("bibliography", "lint", "big.bib", cwd=copy, timeout_s=600)  # hang guard
    _bounded(result, "big.bib")
    assert "big.bib: 10000 entries" in result.stdout
    assert peak_memory_mb() < 2048


def test_citations_against_a_10000_entry_bibliography_in_bounded_time(tmp_path: Path) -> None:
    copy = tmp_path / "project"
    copy.mkdir()
    _big_bib(copy)
    text = (
        "# Big {#sec-big}\n\nAs argued (Author17, 2000, p. 2) and by Author42 (2000), "
        "see also [@author99992000, p. 3] (Author9999, 2000; Author5, 2000).\n"
    )
    (copy / "big.md").write_text(text, encoding="utf-8")
    result = article(
        "citations",
        "--bib",
        "big.bib",
        "--corrections",
        "none.yaml",
        "--output",
        "out.md",
        "big.md",
        cwd=copy,
        timeout_s=600,
    )  # fmt: skip  (a guard against a hang, not a speed goal: bench/ measures speed)
    assert result.returncode == 0, result.stderr[-2000:]
    # citeproc renders only the entries the text may cite, not the 10,000
    from build.citations import load_bibliography

    bibliography = load_bibliography(copy / "big.bib")
    bibliography.prepare([text])
    assert sorted(bibliography.batch) == [
        "author172000", "author422000", "author52000", "author99992000"
    ]  # fmt: skip
    assert (copy / "out.md").read_text(encoding="utf-8") == (
        "# Big {#sec-big}\n\nAs argued [@author172000, p. 2] and by @author422000, "
        "see also [@author99992000, p. 3] [@author99992000; @author52000].\n"
    )
    assert "5 citations of 4 works, 5 exact" in result.stderr, result.stderr
    assert peak_memory_mb() < 2048


def test_a_section_with_2000_footnotes_completes(tmp_path: Path) -> None:
    copy, _ = _sized_copy(tmp_path, 1)
    paragraphs = [
        f"Sentence number {n} has a note.[^n{n}]\n\n[^n{n}]: Note {n} says a little more.\n"
        for n in range(2000)
    ]
    path = append_section(copy, "# Notes {#sec-notes}\n\n" + "\n".join(paragraphs))
    _stages(copy, [*sections(copy)])  # each stage has a hang guard (article's timeout)
    ast = (copy / "output" / "a.json").read_text(encoding="utf-8")
    assert len(re.findall(r'"t":\s*"Note"', ast)) >= 2000
    html = (copy / "output" / "a.html").read_text(encoding="utf-8")
    assert "Note\u00a01999 says a little more." in html  # label and number tied (nobreak.lua)
    assert path.exists()
