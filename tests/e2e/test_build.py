"""End-to-end: every article through ``snakemake`` (issue 2's checks).

The read-only checks read the session build (``project_build``: one copy of the project with
the test articles, built once); those parametrized by ``article`` run on every article it
holds (``root``: the real article). Bad-input checks each run on a copy of their own
(``snakemake --directory``), never touching the real sources. Everything is skipped, with the
reason, while manuscript/ or refs.bib does not exist yet.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from outputs import bib_keys, epub_text, headings, html_text, normalize, pdf_pages, section_files

from projects import ARTICLES, copy_project, run, snakemake

pytestmark = pytest.mark.e2e

each_article = pytest.mark.parametrize(
    "article", ARTICLES, ids=[slug or "root" for slug in ARTICLES]
)


# --------------------------------------------------------------------------- outputs


@each_article
def test_outputs_exist(project_build, article):
    for name in ("article.html", "article.epub", "article.pdf"):
        assert (project_build.output(article) / name).stat().st_size > 0, name
    print(f"build time: {project_build.seconds:.1f} s")


def test_a_second_run_has_nothing_to_do(project_build):
    result = snakemake(project_build.root, "--dry-run")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


@each_article
def test_pdf_has_every_heading_and_the_references(project_build, article):
    text = " ".join(pdf_pages(project_build.output(article) / "article.pdf"))
    expected = headings(project_build.sources(article))
    assert expected, "no `# ` heading found in manuscript/NN-*.md"
    missing = [h for h in expected + ["References"] if normalize(h) not in text]
    assert missing == []


@each_article
def test_no_unresolved_citation_in_any_output(project_build, article):
    output = project_build.output(article)
    texts = {
        "html": html_text((output / "article.html").read_text(encoding="utf-8")),
        "epub": epub_text(output / "article.epub"),
        "pdf": " ".join(pdf_pages(output / "article.pdf")),
    }
    keys = bib_keys(project_build.sources(article))
    raw = re.compile(r"(?<![\w.])@(" + "|".join(map(re.escape, keys)) + r")\b")
    problems = []
    for name, text in texts.items():
        if "???" in text:
            problems.append(f"{name}: ???")
        problems += [f"{name}: raw @{m}" for m in raw.findall(text)]
        problems += [f"{name}: {m}" for m in re.findall(r"\[-?@\w+", text)]
    assert problems == []


@each_article
def test_every_bib_entry_is_rendered_once(project_build, article):
    html = (project_build.output(article) / "article.html").read_text(encoding="utf-8")
    rendered = re.findall(r'<div id="ref-([^"]+)" class="csl-entry"', html)
    keys = bib_keys(project_build.sources(article))
    assert len(rendered) == len(keys)
    assert sorted(rendered) == sorted(keys)


@each_article
def test_pandoc_reads_the_cleaned_copy(project_build, article):
    """The render stage's bibliography is the linter's cleaned copy (issue 15); for a refs.bib
    that is already clean, it is the source byte for byte (unchanged printed references)."""
    clean = project_build.output(article) / "bibliography" / "refs.bib"
    source = project_build.sources(article) / "refs.bib"
    assert clean.read_bytes() == source.read_bytes()


@each_article
def test_citations_link_to_their_references(project_build, article):
    html = (project_build.output(article) / "article.html").read_text(encoding="utf-8")
    targets = set(re.findall(r'<a href="#(ref-[^"]+)" role="doc-biblioref"', html))
    ids = set(re.findall(r'<div id="(ref-[^"]+)" class="csl-entry"', html))
    assert targets and targets <= ids


# --------------------------------------------------------------------------- validators


@each_article
def test_epubcheck_reports_no_error(verdicts, article):
    verdict = verdicts.epubcheck(article)
    assert verdict["returncode"] == 0, verdict["report"]
    assert (verdict["fatals"], verdict["errors"]) == (0, 0), verdict["report"]


@each_article
def test_nu_html_checker_reports_no_error(verdicts, article):
    assert verdicts.nu_errors(article) == []


@each_article
def test_pdf_embeds_every_font(project_build, article):
    lines = run(["pdffonts", project_build.output(article) / "article.pdf"]).stdout.splitlines()
    assert lines[2:], "no font in the PDF"
    # columns: name type encoding emb sub uni object ID; `type` may hold spaces
    not_embedded = [ln for ln in lines[2:] if ln.split()[-5] != "yes"]
    assert not_embedded == []


def test_pdf_is_tagged_with_title_and_language(project_build):
    info = run(["pdfinfo", project_build.output() / "article.pdf"]).stdout
    assert re.search(r"Tagged:\s+yes", info)
    assert "Sino-Russia Strategic Partnership" in info
    assert "Jamshed Khan, Razia Sultana" in info


@each_article
def test_every_footnote_is_on_the_page_of_its_call(project_build, article):
    """Calls and notes from the print HTML (span.footnote, data-note="N"): the word before
    the call followed by N, and the note's start "N. text", must be on the same PDF page."""
    output = project_build.output(article)
    markup = (output / "render" / "article.print.html").read_text(encoding="utf-8")
    notes = list(
        re.finditer(r'<span class="footnote" data-note="(\d+)">(.*?)</span>', markup, re.S)
    )
    if not notes:
        pytest.skip("the article has no footnotes")
    pages = pdf_pages(output / "article.pdf")
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


def test_running_head_is_not_on_the_first_page(project_build):
    pages = pdf_pages(project_build.output() / "article.pdf")
    assert len(pages) >= 2
    head = "SHANGHAI COOPERATION ORGANIZATION (SCO)"
    assert head not in pages[0]  # the title has the words in mixed case
    assert any(p.lstrip().startswith(head) for p in pages[1:])
    assert any(p.lstrip().startswith("Khan and Sultana") for p in pages[1:])


# --------------------------------------------------------------------------- bad input


@pytest.fixture()
def project_copy(tmp_path) -> Path:
    """A copy of the project's sources of this test's own (not output/, not the environment)."""
    return copy_project(tmp_path / "project")


def test_a_citation_of_an_unknown_key_fails_naming_file_and_line(project_copy):
    section = section_files(project_copy)[0]
    lines = section.read_text(encoding="utf-8").splitlines()
    lines.append("")
    lines.append("This sentence cites a key that refs.bib lacks [@nosuchkey1999, p. 5].")
    section.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = snakemake(project_copy)
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
    result = snakemake(project_copy)
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
    result = snakemake(project_copy)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert re.search(
        rf"config/config\.yaml:{number}:\d+: page\.margin_mm\.top: '20mm' is not of type 'number'",
        output,
    ), output[-3000:]
    assert "hint: write a plain number of millimetres" in output


def test_a_prose_edit_reruns_neither_the_lint_nor_the_figure_and_table_scripts(
    project_build, tmp_path
):
    """One sentence added: the cleaned copy (it reads the text's proper nouns) and the stages
    after it rerun; the lint and the scripts that read its CSL-JSON do not (issue 15's
    manuscript evidence has a rule of its own: rules/bibliography.smk)."""
    copy = copy_project(tmp_path / "project", output_from=project_build.root)
    section = section_files(copy)[-1]
    section.write_text(
        section.read_text(encoding="utf-8").rstrip("\n") + "\nOne sentence more.\n",
        encoding="utf-8",
    )
    result = snakemake(copy, "--dry-run", "output/article.html")
    assert result.returncode == 0, result.stderr[-2000:]
    stats = result.stdout.split("Job stats:")[1].split("\ntotal")[0]  # its table of jobs
    jobs = set(re.findall(r"^(\w+) +\d+$", stats, re.M))
    assert {"clean_bibliography", "normalize_citations", "parse_article", "render_html"} <= jobs
    assert jobs & {"lint_bibliography", "make_table", "draw_figure"} == set()
