"""Several articles in one workflow (issue 14): the second, small test article
(tests/data/articles/test-short-article: no figures, tables or data, other citation forms)
builds beside the real one, the issue's table of contents links both, one article builds alone,
its errors name its own files, and a commit of one article changes no byte of another's."""

from __future__ import annotations

import html
import re
import subprocess
import zipfile
from pathlib import Path

import pytest

from projects import copy_project, run, snakemake

pytestmark = pytest.mark.e2e

SLUG = "test-short-article"

#: the in-text citations of the test article as they print, in reading order (APA 7 via
#: pandoc's citeproc; checked by hand in HTML, EPUB and PDF when the article was written;
#: issue 15 added a remark, a back-reference and a narrative two-author citation; a no-break
#: space U+00A0 ties a locator label to its number: nobreak.lua)
CITATIONS = [
    "(Haddad et al., 2019; Okafor & Lindqvist, 2018)",
    "(Okafor & Lindqvist, 2018)",
    "Haddad et al. (2019)",
    "(Fictional Library Council, 2021)",
    "(Brandt, 2015, p.\u00a023)",
    "Brandt (2015)",
    "(Brandt, 2015, 2nd ed.)",  # issue 15: a remark stays a remark (not "p. 2nd ed")
    "(2015, p.\u00a044)",  # issue 15: an author-suppressed back-reference
    "(Brandt, 2015, p.\u00a041)",
    "Núñez (2017)",
    "Okafor and Lindqvist (2018)",  # issue 15: "and" in narrative citations (APA 7 8.17)
    "(Núñez, 2017; Okafor & Lindqvist, 2018)",
    "(Haddad et al., 2019, p.\u00a07)",
    "Müller (2020, p.\u00a0105)",
    "(Müller, 2020, pp.\u00a0110–112)",
    "(see Fictional Library Council, 2021, p.\u00a04)",
    "(Brandt, 2015; Haddad et al., 2019; Müller, 2020)",
]

#: two of its reference-list entries as they print (plain text)
REFERENCES = [
    "Müller, J. (2020). Overdue notices and reader trust. In H. Tanaka & R. Ferreira (Eds.), "
    "The invented handbook of circulation desks (pp. 101–120). Sample House.",
    "Haddad, N., Petrov, I., & Silva, A. (2019). Renewal requests as a signal of reader "
    "demand. Imaginary Review of Circulation, 4(1), 1–19.",
]


def citation_texts(markup: str) -> list[str]:
    """The text of every ``<span class="citation">`` of an HTML or XHTML document, nested
    spans (``span.nobreak`` of a page range) included."""
    from html.parser import HTMLParser

    class Citations(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.found: list[str] = []
            self.depth = 0  # span depth inside the current citation (0: outside)

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "span" and self.depth:
                self.depth += 1
            elif tag == "span" and "citation" in (dict(attrs).get("class") or "").split():
                self.depth = 1
                self.found.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag == "span" and self.depth:
                self.depth -= 1

        def handle_data(self, data: str) -> None:
            if self.depth:
                self.found[-1] += data

    parser = Citations()
    parser.feed(markup)
    return parser.found


def plain(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_the_second_article_prints_its_citations_in_html_epub_and_pdf(project_build) -> None:
    out = project_build.output(SLUG)
    page = (out / "article.html").read_text(encoding="utf-8")
    assert citation_texts(page) == CITATIONS
    with zipfile.ZipFile(out / "article.epub") as epub:
        chapters = sorted(n for n in epub.namelist() if re.search(r"ch\d+\.xhtml$", n))
        printed = [c for n in chapters for c in citation_texts(epub.read(n).decode("utf-8"))]
    assert printed == CITATIONS
    pdf = subprocess.run(
        ["pdftotext", str(out / "article.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    text = plain(pdf.replace("\u00ad", "").replace("-\n", ""))
    for citation in CITATIONS:  # the PDF's text: the no-break space as a space
        assert plain(citation) in text, citation
    for entry in REFERENCES:
        assert plain(entry) in text, entry


def test_each_article_has_its_own_outputs_report_and_manifest(project_build) -> None:
    import json

    for out in (project_build.output(), project_build.output(SLUG)):
        for name in ("article.pdf", "article.html", "article.epub", "citations.json"):
            assert (out / name).is_file(), out / name
    manifest = json.loads((project_build.output(SLUG) / "manifest.json").read_text())
    inputs = set(manifest["inputs"])
    assert f"articles/{SLUG}/refs.bib" in inputs
    assert not any(p.startswith(("manuscript/", "figures/")) or p == "refs.bib" for p in inputs)
    outputs = set(manifest["outputs"])
    assert f"output/articles/{SLUG}/article.pdf" in outputs
    assert not any(p.startswith("output/generated/") for p in outputs)
    root = json.loads((project_build.output() / "manifest.json").read_text())
    assert not any(p.startswith("articles/") for p in root["inputs"])
    report = json.loads((project_build.output(SLUG) / "citations.json").read_text())
    assert report["summary"]["failing"] == 0


def test_the_issue_index_links_every_article_and_its_formats(project_build) -> None:
    index = project_build.root / "output" / "issue" / "index.html"
    page = index.read_text(encoding="utf-8")
    links = re.findall(r'href="([^"#]+)"', page)
    targets = {(index.parent / link).resolve() for link in links if not link.startswith("http")}
    for out in (project_build.output(), project_build.output(SLUG)):
        for name in ("article.html", "article.pdf", "article.epub"):
            assert (out / name).resolve() in targets, name
    assert all(target.is_file() for target in targets)
    titles = re.findall(r'<h3 class="toc-title"[^>]*><a [^>]*>(.*?)</a>', page, re.S)
    assert [plain(html.unescape(t)) for t in titles] == [
        "Sino-Russia Strategic Partnership: The Case Study of Shanghai Cooperation "
        "Organization (SCO)",
        "A Short Test Article on Library Lending Practices",
    ]


def test_one_article_builds_alone_and_its_errors_name_its_own_file(tmp_path: Path) -> None:
    copy = copy_project(tmp_path / "project", test_articles=True)
    section = copy / "articles" / SLUG / "manuscript" / "01-introduction.md"
    result = snakemake(copy, f"output/articles/{SLUG}/article.pdf")
    assert result.returncode == 0, result.stderr[-3000:]
    assert (copy / "output" / "articles" / SLUG / "article.pdf").is_file()
    assert not (copy / "output" / "article.pdf").exists()  # the root article was not built
    assert not (copy / "output" / "generated").exists()
    lines = section.read_text(encoding="utf-8").splitlines()
    lines.append("A key no entry has [@nosuch1999].")
    section.write_text("\n".join(lines) + "\n", encoding="utf-8")
    failed = snakemake(copy, f"output/articles/{SLUG}/article.pdf")
    assert failed.returncode != 0
    where = f"articles/{SLUG}/manuscript/01-introduction.md:{len(lines)}:20:"
    message = (
        f"error: {where} citation '[@nosuch1999]': no entry of articles/{SLUG}/refs.bib has "
        "this key"
    )
    assert message in failed.stderr, failed.stderr[-3000:]
    closing = failed.stderr.strip().splitlines()[-8:]
    assert f"full log: output/articles/{SLUG}/logs/normalize_citations.log" in closing


def git(repo: Path, *args: str, epoch_s: int = 1_700_000_000) -> str:
    """Run git in ``repo`` with a fixed identity and commit date."""
    date = f"@{epoch_s} +0000"
    env = {
        "GIT_AUTHOR_NAME": "T",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "T",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    done = run(["git", *args], cwd=repo, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def outputs(folder: Path, leave_out: tuple[str, ...] = ()) -> dict[str, bytes]:
    """Every output file's bytes under ``folder`` but its logs (they hold timings) and the
    folders ``leave_out``."""
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and "logs" not in relative.parts and relative.parts[0] not in leave_out:
            found[relative.as_posix()] = path.read_bytes()
    return found


def test_a_commit_of_one_article_changes_no_byte_of_another(tmp_path: Path) -> None:
    import json

    repo = copy_project(tmp_path / "project", test_articles=True)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "two articles")
    first = snakemake(repo)
    assert first.returncode == 0, first.stderr[-3000:]
    others = ("articles", "issue")  # under output/: the other articles and the issue's index
    root_before = outputs(repo / "output", others)
    other_before = outputs(repo / "output" / "articles" / SLUG)
    section = repo / "articles" / SLUG / "manuscript" / "03-reminders.md"
    section.write_text(
        section.read_text(encoding="utf-8") + "\nA sentence added in a later revision.\n",
        encoding="utf-8",
    )
    git(repo, "commit", "-q", "-a", "-m", "edit the second article", epoch_s=1_800_000_000)
    second = snakemake(repo)
    assert second.returncode == 0, second.stderr[-3000:]
    assert outputs(repo / "output", others) == root_before  # the root article: not one byte
    other_after = outputs(repo / "output" / "articles" / SLUG)
    changed = {k for k in other_after if other_after[k] != other_before.get(k)}
    assert {"article.pdf", "article.html", "article.epub", "manifest.json"} <= changed
    assert b"A sentence added in a later revision." in other_after["article.html"]
    manifest = json.loads(other_after["manifest.json"])
    head = git(repo, "rev-parse", "HEAD")
    assert (manifest["commit"], manifest["source_date_epoch"]) == (head, 1_800_000_000)
    root_manifest = json.loads(root_before["manifest.json"])
    assert root_manifest["source_date_epoch"] == 1_700_000_000
    assert root_manifest["commit"] == git(repo, "rev-parse", "HEAD~1")


def test_a_failed_build_leaves_no_final_output_of_the_failed_article(
    tmp_path: Path, project_build
) -> None:
    copy = copy_project(tmp_path / "project", test_articles=True, output_from=project_build.root)
    section = copy / "articles" / SLUG / "manuscript" / "02-loan-periods.md"
    good = section.read_text(encoding="utf-8")
    section.write_text(good + "\nA key no entry has [@nosuch1999].\n", encoding="utf-8")
    failed = snakemake(copy)
    assert failed.returncode != 0
    out = copy / "output" / "articles" / SLUG
    finals = ("article.pdf", "article.html", "article.epub", "manifest.json")
    assert [name for name in finals if (out / name).exists()] == []
    removed = " ".join(
        sorted([f"output/articles/{SLUG}/{name}" for name in finals] + ["output/issue/index.html"])
    )
    closing = failed.stderr.strip().splitlines()[-8:]
    assert f"removed, as a failed build leaves no output: {removed}" in closing, closing
    root = copy / "output"
    assert all((root / name).is_file() for name in finals)  # the root article is as it was
    section.write_text(good, encoding="utf-8")
    again = snakemake(copy)
    assert again.returncode == 0, again.stderr[-3000:]
    assert all((out / name).is_file() for name in finals)
