"""Unit tests of build.preflight: each rule on small inputs of its own, waivers, final builds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pypandoc
import pytest

from build import preflight
from build.alttext import find_alt_text_problems
from build.errors import ErrorList, PipelineError
from build.preflight import (
    Finding,
    PreflightError,
    apply_waivers,
    find_citations_as_text,
    find_empty_journal_fields,
    find_incomplete_references,
    find_placeholder_contacts,
    find_uncited_references,
    find_undecided_typos,
    read_waivers,
    reserved_domain,
)
from build.yamlfile import parse_yaml


def lines(findings: list[Finding]) -> list[str]:
    return [str(f) for f in findings]


# --- placeholder contacts (RFC 2606, RFC 6761)


@pytest.mark.parametrize(
    ("host", "reserved"),
    [
        ("example.org", True),
        ("EXAMPLE.NET", True),
        ("mail.example.com", True),
        ("example.org.", True),
        ("uni.test", True),
        ("nowhere.invalid", True),
        ("localhost", True),
        ("db.localhost", True),
        ("zeitschrift.example", True),
        ("examples.org", False),
        ("example.co.uk", False),
        ("uni-heidelberg.de", False),
        ("test.de", False),
    ],
)
def test_reserved_domain(host: str, reserved: bool) -> None:
    assert reserved_domain(host) is reserved


def test_placeholder_contacts_lines_and_columns() -> None:
    text = (
        "title: Über die Karte\n"
        "note: Kontakt anna.schmidt@example.com, sonst anna@uni-heidelberg.de.\n"
        "Siehe <https://www.uni.test/seite> und https://www.uni-heidelberg.de/x.\n"
    )
    assert lines(find_placeholder_contacts(text, "articles/karte/manuscript/metadata.yaml")) == [
        "articles/karte/manuscript/metadata.yaml:2:15: [placeholder-contact] "
        "anna.schmidt@example.com: 'example.com' is a reserved domain (RFC 2606, RFC 6761): "
        "a placeholder, not a real contact\n"
        "  hint: put the real address from the author (or remove it), or record a query in the "
        "editorial log",
        "articles/karte/manuscript/metadata.yaml:3:8: [placeholder-contact] "
        "https://www.uni.test/seite: 'www.uni.test' is a reserved domain (RFC 2606, RFC 6761): "
        "a placeholder, not a real contact\n"
        "  hint: put the real address from the author (or remove it), or record a query in the "
        "editorial log",
    ]


def test_no_placeholder_in_real_addresses() -> None:
    assert find_placeholder_contacts("kofi.mensah@ug.edu.gh https://doi.org/10.1/x\n", "a") == []


# --- images without alt text (from pandoc's AST)

SECTION = (
    "# Einleitung {#sec-einleitung}\n"
    "\n"
    "![](images/karte.png)\n"
    "\n"
    '![Die Karte](images/plan.png){alt="Ein Plan der Stadt"}\n'
    "\n"
    "Text <img src=\"images/roh.png\"> und <img src='images/gut.png' alt='Bild'>.\n"
)


def pandoc_ast(markdown: str) -> dict:
    done = subprocess.run(
        [pypandoc.get_pandoc_path(), "--from", "markdown", "--to", "json"],
        input=markdown,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_missing_alt_text() -> None:
    ast = pandoc_ast(SECTION)
    found = find_alt_text_problems(ast, {"articles/karte/manuscript/01-einleitung.md": SECTION})
    hint = (
        "  hint: give it a text alternative that says what the image shows: "
        '![caption](src){alt="..."} (a generated figure: its script\'s alt text)'
    )
    assert lines(found) == [
        "articles/karte/manuscript/01-einleitung.md:3: [missing-alt-text] images/karte.png: "
        "image without alt text\n" + hint,
        "articles/karte/manuscript/01-einleitung.md:7: [missing-alt-text] "
        '<img src="images/roh.png">: raw HTML image without alt text\n' + hint,
        # no lang: every language's generic words count ("Bild" is German for "image")
        "articles/karte/manuscript/01-einleitung.md:7: [non-descriptive-alt-text] "
        "<img src='images/gut.png' alt='Bild'>: alt text 'Bild' is a generic word, not a "
        "description of the image\n" + DESCRIBE_HINT,
    ]


DESCRIBE_HINT = (
    "  hint: say what the image shows, not its kind, file name or caption (the caption prints "
    'beside it): ![caption](src){alt="..."} (a generated figure: its script\'s alt text)'
)

#: a French article's section: alt texts that describe nothing, and two that do
SECTION_FR = (
    "---\nlang: fr-FR\n---\n"
    "# Fleuves {#sec-fleuves}\n"
    "\n"
    "![Les fleuves du Ghana](images/fleuves.png)\n"
    "\n"
    '![La Volta en crue](images/volta.png){alt="volta-1.JPG"}\n'
    "\n"
    "Voir ![image](images/logo.png) et ![L’image 2](images/b.png) et ![chart](images/c.png).\n"
    "\n"
    '<img src="images/d.png" alt="Photo 3"> <img data-alt="x" alt="Un barrage sur la Volta"'
    " src=images/e.png>\n"
    "\n"
    '![Les pluies](images/pluies.png){alt="Barres : la pluie double de mai à juin"}\n'
)


def test_alt_text_that_describes_nothing() -> None:
    """The caption repeated, a file name, generic words of the article's language (French:
    "chart" is no French word, so it passes), in raw HTML too; each at its line."""
    path = "articles/fleuves/manuscript/01-fleuves.md"
    found = find_alt_text_problems(pandoc_ast(SECTION_FR), {path: SECTION_FR})
    assert [(f.rule, f.line, f.subject, f.message) for f in found] == [
        (
            "non-descriptive-alt-text",
            6,
            "images/fleuves.png",
            "alt text 'Les fleuves du Ghana' repeats the figure's caption: it does not describe "
            "the image",
        ),
        (
            "non-descriptive-alt-text",
            8,
            "images/volta.png",
            "alt text 'volta-1.JPG' is a file name, not a description of the image",
        ),
        (
            "non-descriptive-alt-text",
            10,
            "images/logo.png",
            "alt text 'image' is a generic word, not a description of the image",
        ),
        (
            "non-descriptive-alt-text",
            10,
            "images/b.png",
            "alt text 'L’image 2' is a generic word, not a description of the image",
        ),
        (
            "non-descriptive-alt-text",
            12,
            '<img src="images/d.png" alt="Photo 3">',
            "alt text 'Photo 3' is a generic word, not a description of the image",
        ),
    ]
    assert str(found[0]).splitlines()[1] == DESCRIBE_HINT
    assert find_alt_text_problems(pandoc_ast(SECTION_FR), {}, lang="en")[2].path == (
        "article"
    )  # no source holds it: the article, line 0


def test_image_found_by_its_path_inside_the_article() -> None:
    """The parse may name an image from the repository root; the section names it from the
    article's folder."""
    ast = pandoc_ast("![](articles/karte/images/karte.png)\n")
    found = find_alt_text_problems(ast, {"s.md": "x\n![](images/karte.png)\n"})
    assert [(f.path, f.line, f.subject) for f in found] == [
        ("s.md", 2, "articles/karte/images/karte.png")
    ]


# --- uncited references, citations left as text, incomplete references

BUNDLE = {
    "source": "articles/karte/refs.bib",
    "lines": {"okafor2019": 1, "lindqvist2020": 7, "weber1921": 14, "amt": 20, "blatt": 24},
    "items": [
        {"id": "okafor2019", "title": "Rivers", "author": [{"family": "Okafor"}], "URL": "u"},
        {"id": "lindqvist2020", "title": "Fjords", "author": [{"family": "Lindqvist"}]},
        {"id": "weber1921", "title": "Wirtschaft und Gesellschaft", "publisher": "Mohr"},
        {"id": "amt", "title": "Satzung des Amtes"},
        {"id": "blatt", "author": [{"literal": "Tageblatt"}], "container-title": "Tageblatt"},
    ],
}


def cite(key: str) -> dict:
    citation = {"citationId": key, "citationPrefix": [], "citationSuffix": []}
    citation |= {"citationMode": {"t": "NormalCitation"}, "citationNoteNum": 1}
    return {"t": "Cite", "c": [[citation | {"citationHash": 0}], []]}


def test_uncited_references() -> None:
    ast = {
        "meta": {"nocite": {"t": "MetaInlines", "c": [cite("lindqvist2020")]}},
        "blocks": [{"t": "Para", "c": [cite("okafor2019")]}, {"t": "Plain", "c": [cite("amt")]}],
    }
    found = find_uncited_references(ast, BUNDLE, "articles/karte/refs.bib")
    hint = (
        "  hint: cite it where the text draws on it, or remove the entry if the author agrees "
        "(record the decision in the editorial log)"
    )
    nocite = "no citation of the text names this entry (it prints in the reference list only "
    nocite += "through nocite)"
    message = "no citation of the text names this entry (it does not print: the reference list "
    message += "holds the cited works only)"
    assert lines(found) == [
        f"articles/karte/refs.bib:7: [uncited-reference] lindqvist2020: {nocite}\n{hint}",
        f"articles/karte/refs.bib:14: [uncited-reference] weber1921: {message}\n{hint}",
        f"articles/karte/refs.bib:24: [uncited-reference] blatt: {message}\n{hint}",
    ]


def test_citations_as_text() -> None:
    report = {
        "citations": [
            {
                "source": "m/01-a.md",
                "line": 3,
                "column": 9,
                "text": "@okafor2019",
                "status": "exact",
            },
            {
                "source": "m/02-b.md",
                "line": 5,
                "column": 12,
                "text": "Amtsblatt, 3. Mai 1921",
                "status": "unresolved",
                "keep_as_text": True,
                "correction_line": 4,
            },
        ]
    }
    assert lines(find_citations_as_text(report)) == [
        "m/02-b.md:5:12: [citation-as-text] Amtsblatt, 3. Mai 1921: a citation without a "
        "bibliography entry (kept as text by the citation corrections, line 4)\n"
        "  hint: add the work to refs.bib from the author's answer and cite it, or record a query "
        "in the editorial log; never invent the reference"
    ]


def test_incomplete_references() -> None:
    hint = (
        "  hint: complete the entry from the article's own evidence (the submission), or record "
        "a query for the author in the editorial log; never invent it"
    )
    assert lines(find_incomplete_references(BUNDLE, "refs.bib")) == [
        "refs.bib:20: [incomplete-reference] amt: no author and no source (container, "
        "publisher, URL, DOI, event): the reference does not identify the work\n" + hint,
        "refs.bib:24: [incomplete-reference] blatt: no title: the reference does not identify "
        "the work\n" + hint,
    ]


# --- empty journal fields, undecided typos


def test_empty_journal_fields() -> None:
    profile = parse_yaml("journal:\n  name: Zeitschrift für Karten\n  issn: null\n", "c.yaml")
    metadata = parse_yaml("title: Karten\ndoi: ''\ndate: 2024-05-01\n", "m.yaml")
    found = find_empty_journal_fields(profile, None, metadata, "config/issue.yaml")
    assert [f.where + " " + f.subject + ": " + f.message for f in found] == [
        "c.yaml:3 journal.issn: is empty",
        "c.yaml journal.license: is not given",
        "config/issue.yaml issue.volume: is not given (the file does not exist)",
        "config/issue.yaml issue.number: is not given (the file does not exist)",
        "config/issue.yaml issue.date: is not given (the file does not exist)",
        "m.yaml:2 doi: is empty",
        # the article's own front matter (build.frontmatter.missing_front_matter)
        "m.yaml pages: is not given",
        "m.yaml received: is not given",
        "m.yaml accepted: is not given",
        "m.yaml corresponding: is not given",
    ]
    assert found[0].hint == (
        "fill it in when the journal assigns it; the outputs print nothing for it until then"
    )
    assert found[2].hint == (
        "create config/issue.yaml when the journal assigns the issue (its volume, number and "
        "date: the example in docs/conventions.md, 'The issue file and the table of contents'; "
        "the schema config/issue.schema.yaml)"
    )


def test_issue_file_fields() -> None:
    profile = parse_yaml("journal: {name: J, issn: 1234-5678, license: CC BY 4.0}\n", "c.yaml")
    issue = parse_yaml("volume: 3\nnumber: 2\ndate: null\narticles: [.]\n", "i.yaml")
    metadata = parse_yaml(
        "doi: 10.1/x\ndate: 2024\narticle-number: e12\nreceived: 2023-01-02\n"
        "accepted: 2023-05-06\nauthor:\n  - name: Aiyana Whitehorse\n"
        "    orcid: 0000-0002-1825-0097\n    corresponding: true\n    email: aw@uni.edu\n"
        "  - name: Bo Lindqvist\naffiliations:\n  - name: Uni\n",
        "m.yaml",
    )
    found = find_empty_journal_fields(profile, issue, metadata, "i.yaml")
    assert lines(found) == [
        "i.yaml:3: [empty-journal-field] issue.date: is empty\n"
        "  hint: fill it in when the journal assigns it; the outputs print nothing for it "
        "until then",
        "m.yaml:11: [empty-journal-field] author[1].orcid: is not given\n"
        "  hint: add orcid: NNNN-NNNN-NNNN-NNNN to the author; the outputs print nothing for it "
        "until then",
        "m.yaml:13: [empty-journal-field] affiliations[0].ror: is not given\n"
        "  hint: add ror: (the ROR id, e.g. 05dxps055); the outputs print nothing for it until "
        "then",
    ]


LOG = """\
- id: R001
  kind: doubt
  where: refs.bib:okafor2019
  typo: "Rivres"
- id: R002
  kind: doubt
  where: refs.bib:lindqvist2020
  typo: "Fjrods"
  decision: "The author confirmed 'Fjords' (e-mail of 2024-05-02); corrected."
- id: T001
  kind: join-paragraph
  where: manuscript/01-a.md:3
"""


def test_undecided_typos() -> None:
    found = find_undecided_typos(parse_yaml(LOG, "manuscript/editorial-log.yaml"))
    assert lines(found) == [
        "manuscript/editorial-log.yaml:1: [undecided-typo] R001: possible typo 'Rivres' in "
        "refs.bib:okafor2019, not decided\n"
        "  hint: ask the author; record the answer as decision: in the entry (and correct the "
        "source if it is a typo)"
    ]


# --- waivers

WAIVERS = """\
# decided by the production editor
- rule: empty-journal-field
  subject: doi
  reason: The journal registers DOIs after publication (editor, 2024-05-03).
- rule: uncited-reference
  subject: nobody2000
  reason: An entry that no longer exists.
"""


def test_waivers_move_findings_and_report_unused() -> None:
    waivers = read_waivers(WAIVERS, "articles/karte/manuscript/preflight-waivers.yaml")
    doi = Finding("empty-journal-field", "doi", "is not given", "h", "m.yaml")
    issn = Finding("empty-journal-field", "journal.issn", "is empty", "h", "c.yaml", 3)
    result = apply_waivers([doi, issn], waivers, "articles/karte")
    assert result.findings == [issn]
    assert [(f.subject, w.line) for f, w in result.waived] == [("doi", 2)]
    assert result.text().splitlines() == [
        "preflight: articles/karte: 1 findings (1 waived): 1 empty-journal-field",
        "c.yaml:3: [empty-journal-field] journal.issn: is empty",
        "  hint: h",
        "waived: m.yaml: [empty-journal-field] doi: The journal registers DOIs after "
        "publication (editor, 2024-05-03).",
        "articles/karte/manuscript/preflight-waivers.yaml:5: note: waiver [uncited-reference] "
        "nobody2000 matches no finding",
    ]


def test_invalid_waivers_name_their_lines() -> None:
    text = (
        "- rule: empty-journal-field\n"
        "  subject: doi\n"
        "- rule: typo-of-mine\n"
        "  subject: x\n"
        "  reason: because it is so\n"
    )
    with pytest.raises(ErrorList) as caught:
        read_waivers(text, "w.yaml")
    messages = [str(e).splitlines()[0] for e in caught.value.errors]
    assert messages == [
        "w.yaml:1:3: 0: 'reason' is a required property",
        "w.yaml:3:9: 1.rule: 'typo-of-mine' is not one of ['placeholder-contact', "
        "'missing-alt-text', 'non-descriptive-alt-text', 'uncited-reference', 'citation-as-text', "
        "'incomplete-reference', 'empty-journal-field', 'undecided-typo']",
    ]


def test_malformed_waivers_yaml() -> None:
    with pytest.raises(PreflightError) as caught:
        read_waivers("- rule: [empty-journal-field\n", "w.yaml")
    assert str(caught.value).startswith("w.yaml:1:9: malformed YAML:")


# --- the command: reports, final builds


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A small article of its own (the root layout) with the outputs of its earlier stages."""
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "config").mkdir()
    (tmp_path / "output/render").mkdir(parents=True)
    (tmp_path / "output/bibliography").mkdir()
    (tmp_path / "manuscript/metadata.yaml").write_text(
        "title: Flüsse\nauthor:\n  - name: Kofi Mensah\n    email: kofi@uni.example\n"
        "    orcid: 0000-0002-1825-0097\n    corresponding: true\n"
        "doi: 10.5555/fluesse\ndate: 2024-06-01\npages: 1-9\nreceived: 2024-01-02\n"
        "accepted: 2024-04-05\n",
        encoding="utf-8",
    )
    section = "# Flüsse {#sec-a}\n\nRivers [@okafor2019].\n"
    (tmp_path / "manuscript/01-fluesse.md").write_text(section, encoding="utf-8")
    (tmp_path / "refs.bib").write_text("@book{okafor2019,\n  title = {Rivers}\n}\n")
    (tmp_path / "config/config.yaml").write_text(
        "journal:\n  name: Wasser\n  issn: 1234-5678\n  license: CC BY 4.0\n"
    )
    (tmp_path / "config/issue.yaml").write_text("volume: 1\nnumber: 1\ndate: 2024-06-01\n")
    (tmp_path / "output/render/article.json").write_text(json.dumps(pandoc_ast(section)))
    bundle = {"lines": {"okafor2019": 1}, "items": [{"id": "okafor2019", "title": "Rivers"}]}
    (tmp_path / "output/bibliography/refs.json").write_text(json.dumps(bundle))
    (tmp_path / "output/citations.json").write_text(json.dumps({"citations": []}))
    monkeypatch.chdir(tmp_path)
    return tmp_path


FOUND = [
    "preflight: the root article: 2 findings (0 waived): 1 placeholder-contact, "
    "1 incomplete-reference",
    "manuscript/metadata.yaml:4:12: [placeholder-contact] kofi@uni.example: 'uni.example' is "
    "a reserved domain (RFC 2606, RFC 6761): a placeholder, not a real contact",
    "  hint: put the real address from the author (or remove it), or record a query in the "
    "editorial log",
    "refs.bib:1: [incomplete-reference] okafor2019: no author and no source (container, "
    "publisher, URL, DOI, event): the reference does not identify the work",
    "  hint: complete the entry from the article's own evidence (the submission), or record a "
    "query for the author in the editorial log; never invent it",
]


def test_command_writes_the_report(project: Path, capsys: pytest.CaptureFixture) -> None:
    code = preflight.command(".", report="out/report.txt", json_report="out/report.json")
    assert code == 0
    assert capsys.readouterr().out.splitlines() == FOUND
    assert (project / "out/report.txt").read_text().splitlines() == FOUND
    data = json.loads((project / "out/report.json").read_text())
    assert data["summary"] == {"placeholder-contact": 1, "incomplete-reference": 1}
    assert [(f["rule"], f["path"], f["line"]) for f in data["findings"]] == [
        ("placeholder-contact", "manuscript/metadata.yaml", 4),
        ("incomplete-reference", "refs.bib", 1),
    ]


def test_final_build_fails_on_findings_not_waived(project: Path) -> None:
    with pytest.raises(ErrorList) as caught:
        preflight.command(".", report="out/report.txt", final=True)
    assert [str(e).splitlines()[0] for e in caught.value.errors] == [
        "final build: 2 preflight findings not waived (the root article)",
        "manuscript/metadata.yaml:4:12: [placeholder-contact] kofi@uni.example: 'uni.example' "
        "is a reserved domain (RFC 2606, RFC 6761): a placeholder, not a real contact",
        "refs.bib:1: [incomplete-reference] okafor2019: no author and no source (container, "
        "publisher, URL, DOI, event): the reference does not identify the work",
    ]
    assert caught.value.errors[0].hint == (
        "fix each one, or waive it with a reason in manuscript/preflight-waivers.yaml (the "
        "format: docs/conventions.md, 'preflight-waivers.yaml'; the whole report: article "
        "preflight, or this job's log)"
    )
    assert not (project / "out/report.txt").exists()


def test_final_build_passes_once_every_finding_is_waived(project: Path) -> None:
    (project / "manuscript/preflight-waivers.yaml").write_text(
        "- rule: placeholder-contact\n  subject: kofi@uni.example\n"
        "  reason: The author asked for no address in print (editor, 2024-06-02).\n"
        "- rule: incomplete-reference\n  subject: okafor2019\n"
        "  reason: The book has no publisher; Okafor printed it privately (author).\n",
        encoding="utf-8",
    )
    assert preflight.command(".", report="out/report.txt", final=True) == 0
    assert (project / "out/report.txt").read_text().splitlines()[0] == (
        "preflight: the root article: 0 findings (2 waived)"
    )


def test_missing_stage_output_is_a_clear_error(project: Path) -> None:
    (project / "output/citations.json").unlink()
    with pytest.raises(PipelineError) as caught:
        preflight.command(".")
    assert str(caught.value) == (
        "output/citations.json: not found: an earlier stage's output\n"
        "  hint: build the article first (snakemake --cores 2), then run article preflight"
    )


# --- the journal's waivers (config/preflight-waivers.yaml): journal and issue fields, once

JOURNAL_WAIVERS = """\
- rule: empty-journal-field
  subject: journal.issn
  reason: The journal's ISSN is applied for; the first issue prints none (managing editor).
- rule: empty-journal-field
  subject: issue.number
  reason: Volume 1 has one issue and no number (managing editor, 2024-05-20).
"""


def add_article(project: Path, slug: str) -> None:
    """A second article ``articles/<slug>`` of the project, the same as the root article,
    with the outputs of its earlier stages."""
    folder, out = project / "articles" / slug, project / "output" / "articles" / slug
    for name in ("manuscript/metadata.yaml", "manuscript/01-fluesse.md", "refs.bib"):
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text((project / name).read_text(encoding="utf-8"), "utf-8")
    for name in ("render/article.json", "bibliography/refs.json", "citations.json"):
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text((project / "output" / name).read_text(encoding="utf-8"), "utf-8")


def test_journal_waivers_cover_every_article_of_the_issue(project: Path, capsys) -> None:
    """An empty ISSN and issue number are waived once, in config/: the final build of each
    article passes once its own findings are waived in its own folder."""
    (project / "config/config.yaml").write_text(
        "journal:\n  name: Wasser\n  issn: ''\n  license: CC BY 4.0\n"
    )
    (project / "config/issue.yaml").write_text("volume: 1\ndate: 2024-06-01\n")
    (project / "config/preflight-waivers.yaml").write_text(JOURNAL_WAIVERS, encoding="utf-8")
    own = (
        "- rule: placeholder-contact\n  subject: kofi@uni.example\n"
        "  reason: The author asked for no address in print (editor, 2024-06-02).\n"
        "- rule: incomplete-reference\n  subject: okafor2019\n"
        "  reason: The book has no publisher; Okafor printed it privately (author).\n"
    )
    add_article(project, "zwei")
    for folder in (project, project / "articles/zwei"):
        (folder / "manuscript/preflight-waivers.yaml").write_text(own, encoding="utf-8")
    for article, label in ((".", "the root article"), ("articles/zwei", "articles/zwei")):
        assert preflight.command(article, json_report=f"out/{label}.json", final=True) == 0
        printed = capsys.readouterr().out.splitlines()
        assert printed[0] == f"preflight: {label}: 0 findings (4 waived)"
        assert printed[3:] == [
            "waived: config/config.yaml:3: [empty-journal-field] journal.issn: The journal's "
            "ISSN is applied for; the first issue prints none (managing editor).",
            "waived: config/issue.yaml: [empty-journal-field] issue.number: Volume 1 has one "
            "issue and no number (managing editor, 2024-05-20).",
        ]
        waived = json.loads((project / f"out/{label}.json").read_text())["waived"]
        assert [(w["subject"], w["waiver_path"], w["waiver_line"]) for w in waived[2:]] == [
            ("journal.issn", "config/preflight-waivers.yaml", 1),
            ("issue.number", "config/preflight-waivers.yaml", 4),
        ]


def test_without_journal_waivers_the_final_build_names_both_files(project: Path) -> None:
    (project / "config/issue.yaml").write_text("volume: 1\ndate: 2024-06-01\n")
    with pytest.raises(ErrorList) as caught:
        preflight.command(".", final=True)
    assert [str(e).splitlines()[0] for e in caught.value.errors][-1] == (
        "config/issue.yaml: [empty-journal-field] issue.number: is not given"
    )
    assert caught.value.errors[0].hint == (
        "fix each one, or waive it with a reason in manuscript/preflight-waivers.yaml (a "
        "journal or issue field: in config/preflight-waivers.yaml) (the format: "
        "docs/conventions.md, 'preflight-waivers.yaml'; the whole report: article preflight, "
        "or this job's log)"
    )


def test_an_articles_own_waiver_wins_and_unused_journal_waivers_are_noted() -> None:
    journal = read_waivers(JOURNAL_WAIVERS, "config/preflight-waivers.yaml", journal=True)
    own = read_waivers(
        "- rule: empty-journal-field\n  subject: journal.issn\n"
        "  reason: This article appears before the ISSN was assigned (editor).\n",
        "articles/karte/manuscript/preflight-waivers.yaml",
    )
    issn = Finding("empty-journal-field", "journal.issn", "is empty", "h", "config/config.yaml", 3)
    result = apply_waivers([issn], own, "articles/karte", journal)
    assert [(f.subject, w.path) for f, w in result.waived] == [
        ("journal.issn", "articles/karte/manuscript/preflight-waivers.yaml")
    ]
    assert result.text().splitlines()[-1] == (
        "config/preflight-waivers.yaml:4: note: waiver [empty-journal-field] issue.number "
        "matches no finding"
    )


def test_journal_waivers_refuse_an_articles_own_findings() -> None:
    text = (
        "- rule: empty-journal-field\n"
        "  subject: doi\n"
        "  reason: The journal registers DOIs after publication.\n"
        "- rule: placeholder-contact\n"
        "  subject: journal.email\n"
        "  reason: The journal's address is not known yet.\n"
    )
    with pytest.raises(ErrorList) as caught:
        read_waivers(text, "config/preflight-waivers.yaml", journal=True)
    assert [str(e).splitlines()[0] for e in caught.value.errors] == [
        "config/preflight-waivers.yaml:2:12: 0.subject: 'doi' does not match "
        "'^(journal|issue)\\\\.[a-z_-]+$'",
        "config/preflight-waivers.yaml:4:9: 1.rule: 'empty-journal-field' was expected",
    ]
    assert read_waivers(text, "manuscript/preflight-waivers.yaml")[0].subject == "doi"
