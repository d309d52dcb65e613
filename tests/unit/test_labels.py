"""Labels in the article's language (build.labels, lexicon/labels.yaml) and the verso running
head's family names (build.names), on small articles of their own (French, German)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from build import labels, pdf, render
from build.frontmatter import author_surnames
from build.names import family_name

ROOT = Path(__file__).resolve().parents[2]
BIB = ROOT / "tests" / "data" / "render" / "refs.bib"

LABEL_CASES = [
    ("fr-FR", "reference-section-title", "Références"),
    ("fr-FR", "abstract-title", "Résumé"),
    ("fr-FR", "keywords-title", "Mots-clés"),
    ("fr-FR", "colon", "\u00a0:"),
    ("fr-CA", "toc-title", "Table des matières"),  # no fr-CA entry: French
    ("de", "reference-section-title", "Literatur"),
    ("de-DE", "corresponding-title", "Korrespondenz"),
    ("de-AT", "et-al", "u.\u00a0a."),
    ("en-US", "license-title", "License"),
    ("en-GB", "license-title", "Licence"),  # the regional variant
    ("en-GB", "abstract-title", "Abstract"),  # ...and English for the rest
    ("pt-PT", "accepted-title", "Aceite"),
    ("pt-BR", "accepted-title", "Aceito"),
    ("pt-BR", "abstract-title", "Resumo"),
    ("nl", "et-al", "e.a."),
    ("sv-SE", "reference-section-title", "References"),  # not listed: English, no error
    (None, "backlink-title", "Back to the first citation"),
    ("", "keywords-title", "Keywords"),
]


@pytest.mark.parametrize(("lang", "key", "text"), LABEL_CASES, ids=lambda v: str(v))
def test_labels_follow_the_language_then_its_regional_variant(lang, key, text):
    assert labels.labels_for(lang)[key] == text


def test_every_language_has_every_label_of_english():
    table = labels._table()
    for tag in ("fr", "de", "es", "it", "pt", "nl"):
        assert set(table[tag]) == set(table["en"]), tag
        assert len(table[tag]["months"]) == 12, tag


def test_the_article_s_own_label_is_not_passed_to_pandoc():
    options = labels.label_options("fr-FR", {"reference-section-title": "Sources", "lang": "fr"})
    assert "reference-section-title=Références" not in options
    assert not any(o.startswith("reference-section-title=") for o in options)
    assert options[options.index("abstract-title=Résumé") - 1] == "--metadata"
    assert not any(o.startswith(("months=", "et-al=", "date-format=")) for o in options)


@pytest.mark.parametrize(
    ("lang", "word"),
    [("fr-FR", "et"), ("de", "und"), ("EN-gb", "and"), ("xx", "and"), (None, "and")],
)
def test_the_and_word_is_the_csl_term_of_the_language(lang, word):
    assert labels.and_word(lang) == word


# ------------------------------------------------------------------ running head


@pytest.mark.parametrize(
    ("author", "family"),
    [
        ({"name": "Anaïs Du Bois"}, "Du Bois"),
        ({"name": "Jan van der Berg"}, "van der Berg"),
        ({"name": "Juan de la Cruz"}, "de la Cruz"),
        ({"name": "José Ortega y Gasset"}, "Ortega y Gasset"),
        ({"name": "François Lemaître"}, "Lemaître"),
        ({"name": "De Vries"}, "Vries"),  # the first word is a given name, never a particle
        ({"name": "Marie de Vries", "family": "Vries-Smit"}, "Vries-Smit"),
        ({"name": "Jan van Berg", "surname": "van Berg"}, "van Berg"),
        ("Plato", "Plato"),
        ({"name": ""}, ""),
    ],
)
def test_family_names_keep_their_particles(author, family):
    assert family_name(author) == family


@pytest.mark.parametrize(
    ("lang", "authors", "head"),
    [
        ("fr-FR", ["Anaïs Du Bois", "François Lemaître"], "Du Bois et Lemaître"),
        ("fr-FR", ["Anaïs Du Bois", "François Lemaître", "Élodie Vidal"], "Du Bois et al."),
        ("en-US", ["Anaïs Du Bois", "François Lemaître"], "Du Bois and Lemaître"),
        ("en-US", ["Jan van der Berg", "Ann Lee", "Bo Kim"], "van der Berg et al."),
        ("de", ["Jan van der Berg", "Ann Lee"], "van der Berg und Lee"),
        ("de", ["Jan van der Berg", "Ann Lee", "Bo Kim"], "van der Berg u.\u00a0a."),
        (None, ["Anaïs Du Bois", "François Lemaître"], "Du Bois and Lemaître"),
    ],
)
def test_the_verso_running_head_in_the_article_s_language(lang, authors, head):
    metadata = {"title": "T", "author": [{"name": name} for name in authors]}
    if lang:
        metadata["lang"] = lang
    assert author_surnames(metadata) == head
    assert render.running_heads(metadata, render.Profile())[1] == head


# ------------------------------------------------------------------ through pandoc

FRENCH = """\
title: Un petit article
lang: fr-FR
author:
  - name: Anaïs Du Bois
    corresponding: true
    email: anais@example.org
    orcid: 0000-0002-1825-0097
    affiliation: [1]
  - name: François Lemaître
affiliations:
  - id: 1
    name: Université d'essai
    ror: 05dxps055
abstract: Un résumé.
keywords: [lecture, Lyon]
received: 2025-03-12
accepted: 2025-09-01
license: CC BY 4.0
"""

GERMAN = """\
title: Ein kleiner Artikel
lang: de-DE
author:
  - name: Jan van der Berg
abstract: Eine Zusammenfassung.
keywords: [Lesen]
received: 2025-03-12
"""


def _outputs(tmp_path: Path, metadata: str, epub: bool = True) -> dict[str, str]:
    """The screen HTML, the print HTML and (``epub``) the EPUB's chapters of a small
    article."""
    meta = tmp_path / "metadata.yaml"
    meta.write_text(metadata, encoding="utf-8")
    markdown = tmp_path / "a.md"
    markdown.write_text(
        "# Un\n\nVoir @mackinder2004 et @tbl-x.\n\n| a |\n|---|\n| 1 |\n\n"
        "Table: Une table {#tbl-x}\n",
        encoding="utf-8",
    )
    ast = render.parse_article(markdown, meta, BIB, render.Profile())
    render.write_html(ast, tmp_path / "a.html", render.Profile())
    outputs = {
        "html": (tmp_path / "a.html").read_text(encoding="utf-8"),
        "print": pdf.print_html(ast, ["print.css"], render.Profile()),
    }
    if epub:
        render.write_epub(ast, tmp_path / "a.epub", render.Profile())
        with zipfile.ZipFile(tmp_path / "a.epub") as book:
            outputs["epub"] = "".join(
                book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("EPUB/text/")
            )
    return outputs


def _text(markup: str) -> str:
    """Text of the markup, spaces collapsed (no-break spaces kept)."""
    return re.sub(r"[ \t\n]+", " ", re.sub(r"<[^>]+>", " ", markup)).strip()


def _headings(markup: str) -> list[str]:
    """The text of each h1/h2 of the markup."""
    return [_text(h) for h in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", markup, re.S)]


def test_a_french_article_prints_french_labels(tmp_path):
    outputs = _outputs(tmp_path, FRENCH)
    for name, markup in outputs.items():
        text = _text(markup)
        assert "Mots-clés\u00a0: lecture, Lyon" in text, name
        assert "Résumé" in text, name
        assert "Références" in _headings(markup), name
        assert "Reçu le 12 mars 2025 · Accepté le 1 septembre 2025" in text, name
        assert "Licence\u00a0: CC BY 4.0" in text, name
        assert "Auteur correspondant\u00a0: Anaïs Du Bois" in text, name
        assert 'aria-label="Note sur les auteurs"' in markup, name
        for english in ("Keywords", "Abstract", "References", "Received", "License", "Table 1"):
            assert english not in text, (name, english)
        assert "Identifiants ORCID\u00a0: Anaïs Du Bois https://orcid.org/" in text, name
        assert 'aria-label="Identifiant ORCID\u00a0: Anaïs Du Bois"' in markup, name
        assert 'aria-label="Identifiant ROR\u00a0: Université d’essai"' in markup, name
        assert re.search(r"Tableau\s1 Une table", text), name  # the caption (crossref.lua)
        assert re.search(r"et Tableau\s1\b", text), name  # the cross-reference, a link
    for name in ("html", "epub"):
        assert 'aria-label="Retour à la première citation"' in outputs[name], name
    assert ">Table des matières</h2>" in outputs["html"]


def test_a_german_article_prints_german_labels(tmp_path):
    outputs = _outputs(tmp_path, GERMAN, epub=False)
    text = _text(outputs["html"])
    assert "Schlüsselwörter: Lesen" in text
    assert re.search(r"Tabelle\s1 Une table", text)
    assert "Eingereicht 12. März 2025" in text
    assert ">Literatur</h" in outputs["html"]
    assert ">Inhaltsverzeichnis</h2>" in outputs["html"]
    assert 'aria-label="Zurück zur ersten Zitierstelle"' in outputs["html"]


def test_the_article_s_metadata_overrides_a_label(tmp_path):
    own = FRENCH + "reference-section-title: Sources citées\nkeywords-title: Mots clefs\n"
    outputs = _outputs(tmp_path, own, epub=False)
    for name, markup in outputs.items():
        assert "Sources citées" in _headings(markup), name
        assert "Références" not in markup, name
        assert "Mots clefs\u00a0: lecture" in _text(markup), name
        assert "Résumé" in _text(markup), name  # the other labels stay French
