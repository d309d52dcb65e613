"""End-to-end: the preflight report of every article in the session build, and a final build
(``--config final=true``) that fails on the findings (issue 17). Real values of the root
article: which findings, how many, and the editorial-log entry that queries each one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from projects import ROOT, copy_project, snakemake

pytestmark = pytest.mark.e2e

#: every finding of the root article -> the editorial-log entry that records it as a query
ROOT_FINDINGS = {
    ("placeholder-contact", "corresponding.author@example.org", "manuscript/metadata.yaml"): "Q001",
    ("uncited-reference", "jiaqing1998", "refs.bib"): "Q003",
    ("uncited-reference", "megoran2013", "refs.bib"): "Q003",
    ("uncited-reference", "ministry2002", "refs.bib"): "Q003",
    ("uncited-reference", "scalpino1986", "refs.bib"): "Q003",
    ("uncited-reference", "united2009", "refs.bib"): "Q003",
    (
        "citation-as-text",
        "<https://cis-legislation.com/document.fwx?rgn=3851>",
        "manuscript/02-shanghai-spirit.md",
    ): "C021",
    (
        "citation-as-text",
        "Xinhua News Agency, 27 April, 1997",
        "manuscript/03-shanghai-five.md",
    ): "C020",
    ("citation-as-text", "<http://ecrats.org/en/>", "manuscript/04-formation-of-sco.md"): "C022",
    ("incomplete-reference", "ratsnd", "refs.bib"): "Q004",
    ("incomplete-reference", "renmin1997", "refs.bib"): "R084",
    ("incomplete-reference", "scond", "refs.bib"): "Q004",
    ("incomplete-reference", "unitednd", "refs.bib"): "R083",
    ("empty-journal-field", "journal.name", "config/config.yaml"): "Q002",
    ("empty-journal-field", "journal.issn", "config/config.yaml"): "Q002",
    ("empty-journal-field", "journal.license", "config/config.yaml"): "Q002",
    ("empty-journal-field", "issue.volume", "config/issue.yaml"): "Q002",
    ("empty-journal-field", "issue.number", "config/issue.yaml"): "Q002",
    ("empty-journal-field", "issue.date", "config/issue.yaml"): "Q002",
    ("empty-journal-field", "doi", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "date", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "pages", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "received", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "accepted", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "author[0].orcid", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "author[1].orcid", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "affiliations[0].ror", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "affiliations[1].ror", "manuscript/metadata.yaml"): "Q002",
    ("empty-journal-field", "author[0].email", "manuscript/metadata.yaml"): "Q001",
    ("undecided-typo", "R071", "manuscript/editorial-log.yaml"): "R071",
    ("undecided-typo", "R072", "manuscript/editorial-log.yaml"): "R072",
    ("undecided-typo", "R073", "manuscript/editorial-log.yaml"): "R073",
    ("undecided-typo", "R085", "manuscript/editorial-log.yaml"): "R085",
    ("undecided-typo", "R086", "manuscript/editorial-log.yaml"): "R086",
    ("undecided-typo", "R087", "manuscript/editorial-log.yaml"): "R087",
}

ROOT_SUMMARY = (
    "preflight: the root article: 35 findings (0 waived): 1 placeholder-contact, "
    "5 uncited-reference, 3 citation-as-text, 4 incomplete-reference, 16 empty-journal-field, "
    "6 undecided-typo"
)


def report(output: Path) -> dict:
    return json.loads((output / "preflight" / "report.json").read_text(encoding="utf-8"))


def test_root_article_findings(project_build) -> None:
    data = report(project_build.output())
    found = [(f["rule"], f["subject"], f["path"]) for f in data["findings"]]
    assert sorted(found) == sorted(ROOT_FINDINGS)
    assert len(found) == 35
    text = (project_build.output() / "preflight" / "report.txt").read_text(encoding="utf-8")
    assert text.splitlines()[0] == ROOT_SUMMARY
    assert (
        "manuscript/metadata.yaml:18:181: [placeholder-contact] corresponding.author@example.org: "
        "'example.org' is a reserved domain (RFC 2606, RFC 6761): a placeholder, not a real contact"
    ) in text.splitlines()
    bib = (ROOT / "refs.bib").read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(bib, 1) if text.startswith("@misc{ratsnd,"))
    assert f"refs.bib:{line}: [incomplete-reference] ratsnd: no author and no source" in text


def test_each_root_finding_is_queried_in_the_editorial_log(project_build) -> None:
    """Nothing is left silent: each finding names, or is named by, a log entry that asks."""
    log = yaml.safe_load((ROOT / "manuscript/editorial-log.yaml").read_text(encoding="utf-8"))
    entries = {e["id"]: e for e in log}
    for (rule, subject, _), entry_id in ROOT_FINDINGS.items():
        entry = entries[entry_id]
        said = f"{entry['where']} {entry['source']} {entry['action']} {entry['reason']}"
        assert subject.strip("<>") in said or subject == entry_id or rule == "empty-journal-field"
        if rule == "undecided-typo":  # an open typo query: the text as written, no decision
            assert entry["typo"] and not entry.get("decision"), entry_id
        else:
            assert "query" in said.lower() or "ask the author" in said.lower(), entry_id


def test_test_article_findings(project_build) -> None:
    """The test article: its placeholder e-mail and the empty journal fields."""
    (slug,) = project_build.slugs
    data = report(project_build.output(slug))
    assert data["article"] == f"articles/{slug}"
    assert data["summary"] == {"placeholder-contact": 1, "empty-journal-field": 7}
    assert data["findings"][0]["path"] == f"articles/{slug}/manuscript/metadata.yaml"


def test_final_build_fails_on_findings(project_build, tmp_path: Path) -> None:
    """``--config final=true`` fails the root article's preflight. The copy has no Snakemake
    metadata, so the changed parameter alone would not rerun the job: it is forced (in a
    project that keeps .snakemake/, the new parameter reruns it)."""
    copy = copy_project(tmp_path / "project", test_articles=True, output_from=project_build.root)
    target = "output/preflight/report.txt"
    result = snakemake(copy, target, "--forcerun", "preflight_article", "--config", "final=true")
    assert result.returncode != 0
    assert "error: final build: 35 preflight findings not waived (the root article)" in (
        result.stdout + result.stderr
    )
    assert not (copy / "output" / "preflight" / "report.txt").exists()
