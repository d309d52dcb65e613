"""The bibliography cleaner and the lint rules of issue 15 on small inputs of their own: what
pandoc's citeproc (3.9, the project's APA CSL) prints from the build's cleaned copy, in the
reference list and in the text, and what the linter says about the source."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

import pypandoc
import pytest

from build.bibclean import bare_doi, clean_entry, corporate_evidence, format_bibliography
from build.bibliography import lint_bibliography, manuscript_evidence
from build.bibtex import ArticleRules, latex_to_unicode, parse_bibliography, repair_dotless
from build.bibtitles import bibliography_proper_nouns, braced_whole, proper_nouns
from build.cli import main
from build.errors import BibliographyError
from build.profile import resolve_csl

TODAY = dt.date(2026, 1, 1)


def printed(bib: str, markdown: str) -> str:
    """What pandoc --citeproc prints (plain text, no wrapping, the project's APA CSL) for
    ``markdown`` citing the entries of ``bib``."""
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "r.bib").write_text(bib, encoding="utf-8")
        (Path(folder) / "t.md").write_text(markdown, encoding="utf-8")
        args = ["--citeproc", "--csl", str(resolve_csl("apa")), "--bibliography", "r.bib"]
        result = subprocess.run(
            [pypandoc.get_pandoc_path(), *args, "-t", "plain", "--wrap=none", "t.md"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=True,
        )
    return result.stdout


def rules(text: str, **article) -> dict[str, str]:
    """rule id -> severity of the problems the linter reports for ``text``."""
    result = lint_bibliography(text, "t.bib", today=TODAY, rules=ArticleRules(**article))
    return {p.rule: p.severity for p in result.problems if p.severity != "info"}


# --- 9. name particles ------------------------------------------------------------------------

PARTICLES = [
    (
        "author = {van Berg, Anna and Cole, Bob}",
        "vanberg2014",
        "van Berg, A., & Cole, B. (2014). A study. Journal, 1, 1–2.",
        "(van Berg & Cole, 2014)",
        "Van Berg & Cole (2014)",
    ),
    (
        "author = {Anna van der Berg}",
        "vanderberg2014",
        "van der Berg, A. (2014). A study. Journal, 1, 1–2.",
        "(van der Berg, 2014)",
        "Van der Berg (2014)",
    ),
    (
        "author = {de Souza, Maria and von Goethe, Johann}",
        "desouza2014",
        "de Souza, M., & von Goethe, J. (2014). A study. Journal, 1, 1–2.",
        "(de Souza & von Goethe, 2014)",
        "De Souza & von Goethe (2014)",
    ),
]


def article(names: str, key: str, extra: str = "") -> str:
    return (
        f"@article{{{key},\n  {names},\n  title = {{A study}},\n  journal = {{Journal}},\n"
        f"  volume = {{1}},\n  pages = {{1--2}},\n  year = {{2014}}{extra}\n}}\n"
    )


@pytest.mark.parametrize(("names", "key", "reference", "paren", "narrative"), PARTICLES)
def test_particles_print_as_written(names, key, reference, paren, narrative) -> None:
    bib = article(names, key)
    # mid-sentence; "&" or "and" between the names is the citation filter's (issue 15, item 8)
    out = printed(format_bibliography(bib), f"As @{key} wrote.\n\n[@{key}]\n").splitlines()
    assert out[0].startswith(f"As {narrative[0].lower()}{narrative[1:].split(' (')[0][:6]}")
    assert out[0].endswith(" (2014) wrote.")
    assert out[2] == paren
    assert out[4] == reference
    assert "Berg, A. van" not in "\n".join(out) and "van van" not in "\n".join(out)
    assert rules(bib) == {"name-particle": "warning", "not-canonical": "warning"}


def test_particle_without_cleaning_prints_wrong() -> None:
    """The measured fault the cleaner mends: pandoc reads a particle as BibLaTeX's dropping one."""
    out = printed(
        article("author = {van Berg, Anna and Cole, Bob}", "vanberg2014"), "[@vanberg2014]\n"
    )
    assert out.splitlines()[0] == "(Berg & Cole, 2014)"
    assert "Berg, A. van, & Cole, B. (2014)." in out


def test_particle_option_is_added_once() -> None:
    fields = clean_entry({"author": "van Berg, Anna", "options": "maxnames=3"})
    assert fields["options"] == "maxnames=3,useprefix=true"
    assert clean_entry(fields) == fields
    assert "name-particle" not in rules(
        format_bibliography(article("author = {van Berg, A.}", "vanberg2014"))
    )


# --- 10. corporate authors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "evidence"),
    [
        ("European Research Agency", "clear"),
        ("Organisation for Economic Co-operation and Development", "clear"),
        ("Ministère de la Culture", "clear"),
        ("Bundesamt für Statistik", "clear"),
        ("Centre for Policy Studies", "clear"),  # a weak word with "for"
        ("World Bank", "unclear"),  # Bank is also a family name: the linter asks
        ("Bank, Mary", "unclear"),
        ("Gabriel José García Márquez", "unclear"),  # four words: asked, never braced
        ("Gabriel García Márquez", None),
        ("García Márquez, Gabriel", None),
        ("van der Berg, Lotte", None),  # particles are not words of an organisation
        ("de la Fuente Ruiz, Ana", None),
        ("Mary Bank", "unclear"),
        ("{World Bank}", None),
    ],
)
def test_corporate_evidence(name: str, evidence: str | None) -> None:
    assert corporate_evidence(name) == evidence


def test_corporate_author_is_braced_and_prints_whole() -> None:
    bib = article("author = {European Research Agency}", "european2014")
    assert "author = {{European Research Agency}}" in format_bibliography(bib)
    out = printed(format_bibliography(bib), "[@european2014]\n").splitlines()
    assert out[0] == "(European Research Agency, 2014)"
    assert out[2] == "European Research Agency. (2014). A study. Journal, 1, 1–2."
    assert rules(bib)["corporate-author"] == "warning"


def test_a_person_is_never_made_an_organisation() -> None:
    bib = article("author = {Gabriel García Márquez}", "marquez2014")
    assert "author = {Gabriel García Márquez}" in format_bibliography(bib)
    assert "corporate-author" not in rules(bib)
    asked = article("author = {World Bank}", "world2014")
    assert "author = {World Bank}" in format_bibliography(asked)
    assert rules(asked)["corporate-author-unclear"] == "error"
    assert "corporate-author" in rules(
        article("author = {Ghent Weekly}", "ghent2014"), corporate_words=("Weekly",)
    )


# --- 11. DOIs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "doi", "url"),
    [
        ({"doi": "https://doi.org/10.1234/abc"}, "10.1234/abc", None),
        ({"doi": "doi:10.1234/abc"}, "10.1234/abc", None),
        ({"doi": "DOI: 10.1234/abc"}, "10.1234/abc", None),
        ({"doi": "https://doi.org/https://doi.org/10.1234/abc"}, "10.1234/abc", None),
        ({"doi": "http://dx.doi.org/10.1234/abc"}, "10.1234/abc", None),
        ({"doi": "10.1234/abc", "url": "https://doi.org/10.1234/abc"}, "10.1234/abc", None),
        ({"url": "https://doi.org/10.1234/abc"}, "10.1234/abc", None),
        (
            {"doi": "10.1234/abc", "url": "https://example.org/paper"},
            "10.1234/abc",
            "https://example.org/paper",
        ),  # fmt: skip
    ],
)
def test_doi_is_written_bare(fields, doi, url) -> None:
    cleaned = clean_entry(fields)
    assert (cleaned.get("doi"), cleaned.get("url")) == (doi, url)


def test_doi_prints_once() -> None:
    bib = article(
        "author = {Doe, Jane}",
        "doe2014",
        ",\n  doi = {doi:10.1234/abc},\n  url = {https://doi.org/https://doi.org/10.1234/abc}",
    )
    out = printed(format_bibliography(bib), "[@doe2014]\n")
    assert (
        out.splitlines()[2]
        == "Doe, J. (2014). A study. Journal, 1, 1–2. https://doi.org/10.1234/abc"
    )
    assert "https://doi.org/https://doi.org/" not in out and "doi:" not in out
    assert rules(bib)["doi-as-url"] == "warning"
    assert bare_doi(" https://doi.org/doi:10.5/x ") == "10.5/x"


# --- 12. LaTeX accents -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        ("Mart{\\'\\i}n", "Martín"),
        ("Mart\\'{\\i}n", "Martín"),
        ("Mart{\\'i}n", "Martín"),
        ('M{\\"u}ller', "Müller"),
        ("Fran{\\c{c}}ois", "François"),
        ("Fran{\\c c}ois", "François"),
        ("{\\v{S}}koda", "Škoda"),
        ("Erd{\\H{o}}s", "Erdős"),
        ("{\\L}{\\'o}d{\\'z}", "Łódź"),
        ("Stra{\\ss}e", "Straße"),
        ('{\\AA}ngstr{\\"o}m', "Ångström"),
        ("Nu{\\~n}ez", "Nuñez"),
        ("{\\^\\j}", "ĵ"),
        ("{\\=a}{\\.z}{\\u{g}}{\\k{a}}{\\r{u}}{\\d{a}}{\\`e}{\\^o}{\\o}{\\ae}", "āżğąůạèôøæ"),
    ],
)
def test_accents_print_precomposed(latex: str, text: str) -> None:
    assert latex_to_unicode(latex) == text
    bib = article(f"author = {{{latex}, Ana}}", "x2014")
    cleaned = format_bibliography(bib)
    assert f"author = {{{text}, Ana}}" in cleaned and "\\" not in cleaned


def test_dotless_i_prints_as_i() -> None:
    bib = article("author = {Mart{\\'\\i}n, Jos{\\'e}}", "martin2014")
    assert printed(bib, "[@martin2014]\n").splitlines()[0] == "(Martı́n, 2014)"  # the fault
    out = printed(format_bibliography(bib), "[@martin2014]\n").splitlines()
    assert out[0] == "(Martín, 2014)"  # the cleaned copy: U+00ED
    assert out[2] == "Martín, J. (2014). A study. Journal, 1, 1–2."
    assert repair_dotless("Martı́n") == "Martín"  # for matching against an uncleaned copy


def test_a_latex_command_the_cleaner_cannot_decode_is_refused() -> None:
    found = rules(
        article("author = {Doe, Jane}", "doe2014").replace("A study", "A {\\t{oo}} study")
    )
    assert found["latex-command"] == "error"
    assert "latex-command" not in rules(
        article("author = {Doe, Jane}", "doe2014").replace("A study", "Trade \\& study")
    )


# --- 13. proper nouns in titles ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "langid", "words"),
    [
        ("The Theorem of de Bruijn Revisited", "", [("Bruijn", "unknown")]),
        # common words and acronyms are lowered or kept; a region's name is a place (CLDR)
        ("Russia and the SCO in Central Asia: A New Game", "", [("Central Asia", "place")]),
        ("Fishing by Lot in Riverine Ghana", "", [("Riverine", "unknown"), ("Ghana", "place")]),
        ("Water and Power in West Africa", "", [("Africa", "place")]),
        ("Sentence case about Shanghai and the world", "", [("Shanghai", "sentence-case")]),
        ("The New {Great Game} and the new great gamers", "", []),  # a very common word
        ("The Theorem of de Bruijn Revisited", "german", []),  # pandoc prints it as typed
        ("The Theorem of de Bruijn Revisited", "en-GB", [("Bruijn", "unknown")]),
        ("The iPhone and NATO-led Missions", "", []),
        ("Trade in the Low Countries", "", []),
    ],
)
def test_title_proper_nouns(title: str, langid: str, words: list) -> None:
    assert [(w.word, w.reason) for w in proper_nouns(title, langid, ArticleRules())] == words


def test_title_rules_and_what_prints() -> None:
    unknown = article("author = {Doe, Jane}", "doe2014").replace(
        "A study", "The Theorem of de Bruijn Revisited"
    )
    assert rules(unknown)["unprotected-capitals"] == "error"
    assert "unprotected-capitals" not in rules(unknown, common_words=("Bruijn",))
    sentence = article("author = {Doe, Jane}", "doe2014").replace(
        "A study", "Sentence case about Shanghai and the world"
    )
    assert rules(sentence)["sentence-case-capital"] == "warning"
    assert "Sentence case about Shanghai and the world. Journal" in printed(
        format_bibliography(sentence), "[@doe2014]\n"
    )
    listed = article("author = {Doe, Jane}", "doe2014").replace(
        "A study", "Trade in the Low Countries"
    )
    assert rules(listed, proper_nouns=("Low Countries",))["unprotected-capitals"] == "error"
    whole = article("author = {Doe, Jane}", "doe2014").replace("A study", "{The Whole Title}")
    assert braced_whole("{The Whole Title}") and not braced_whole("{The} Whole {Title}")
    assert rules(whole)["title-braced-whole"] == "error"


KNOWN_TITLES = [  # (key, langid, title): what the bibliography itself writes
    ("trade2001", "", "Trade with {China} and {Central Asia}"),
    ("hours2002", "", "How libraries open on Monday mornings"),  # sentence case
    ("fine2003", "", "Porcelain and fine china"),  # "china" in lower case: no evidence
    ("plate2004", "", "Plates from {China}"),
    ("acronym2005", "", "The {SCO} and {NATO}"),  # acronyms: kept by citeproc anyway
    ("handel2006", "german", "Handel mit {Russland}"),  # printed as typed: no evidence
    ("whole2007", "", "{The Whole Title}"),  # braced whole: no evidence
]


def test_the_bibliographys_own_proper_nouns() -> None:
    known = bibliography_proper_nouns(KNOWN_TITLES)
    assert dict(known.phrases) == {"Central Asia": ("trade2001",), "Monday": ("hours2002",)}
    without_china = bibliography_proper_nouns(t for t in KNOWN_TITLES if t[0] != "fine2003")
    assert without_china.phrases["China"] == ("trade2001", "plate2004")


@pytest.mark.parametrize(
    ("key", "title", "words"),
    [
        ("rail2010", "Railways of Central Asia Today", [("Central Asia", "trade2001")]),
        ("open2011", "Opening Hours from Monday to Friday", [("Monday", "hours2002")]),
        ("hours2002", "How libraries open on Monday mornings", []),  # no evidence for itself
        ("start2012", "Monday Markets", []),  # the first word keeps its capital
        ("braced2013", "Markets on {Monday}", []),
        ("lower2014", "A central asian loan", []),
    ],
)
def test_a_title_word_the_bibliography_writes_as_a_proper_noun(key, title, words) -> None:
    known = bibliography_proper_nouns(KNOWN_TITLES)
    found = proper_nouns(title, "", ArticleRules(), known, key)
    assert [(w.word, w.evidence) for w in found] == words
    assert all(w.reason == "bibliography" for w in found)


RAILWAYS = article("author = {Doe, Jane}", "doe2014").replace(
    "A study", "Trade with {China} and {Central Asia}"
) + article("author = {Roe, Rita}", "roe2015").replace(
    "A study", "Railways of China and Paris"
).replace("2014", "2015")


def manuscript(tmp_path: Path, text: str, lang: str = "en-US") -> Path:
    """A manuscript folder with ``metadata.yaml`` (``lang``) and one section file."""
    folder = tmp_path / "manuscript"
    folder.mkdir()
    (folder / "metadata.yaml").write_text(f"title: T\nlang: {lang}\n", encoding="utf-8")
    (folder / "01-intro.md").write_text(text, encoding="utf-8")
    return folder


def test_bibliography_evidence_in_the_linter_and_the_clean_copy() -> None:
    result = lint_bibliography(RAILWAYS, "t.bib", today=TODAY)
    (problem,) = [p for p in result.problems if p.rule == "proper-noun-evidence"]
    assert (problem.key, problem.line, problem.severity) == ("roe2015", 11, "warning")
    assert problem.message == (
        "entry 'roe2015' title has 'China' (written as a proper noun in entry 'doe2014') "
        "outside braces; APA sentence case would print it 'china'; the build's cleaned copy "
        "protects it"
    )
    # the cleaned copy braces it; "Paris", which nothing else writes as a proper noun and is
    # no country's name, is lowered (the article's text is the evidence: next test)
    assert "Roe, R. (2015). Railways of China and paris. Journal, 1, 1–2." in printed(
        format_bibliography(RAILWAYS), "[@roe2015]\n"
    )
    waived = lint_bibliography(
        RAILWAYS, "t.bib", today=TODAY, rules=ArticleRules(common_words=("China",))
    )
    assert "proper-noun-evidence" not in {p.rule for p in waived.problems}


@pytest.mark.parametrize(
    ("lang", "text", "india"),
    [
        ("en-US", "# Intro\n\nIn 2017 Paris and Lyon joined the group.\n", "Paris"),
        ("es", "# Intro\n\nLa cooperación entre China y Paris creció.\n", "Paris"),
        # German capitalises every noun: its capitals are no evidence
        ("de", "# Intro\n\nDer Handel zwischen China und Paris wächst.\n", "paris"),
        # a line start is a sentence start: no evidence
        ("en-US", "# Intro\n\nParis joined the group in 2017.\n", "paris"),
    ],
    ids=["english", "spanish", "german", "line-start"],
)
def test_the_articles_text_is_evidence(tmp_path: Path, lang: str, text: str, india: str) -> None:
    folder = manuscript(tmp_path, text, lang)
    known = manuscript_evidence(folder)
    result = lint_bibliography(RAILWAYS, "t.bib", today=TODAY, manuscript=known)
    found = [p.message for p in result.problems if p.rule == "proper-noun-evidence"]
    assert found[1:] == (
        [
            "entry 'roe2015' title has 'Paris' (written as a proper noun in mid-sentence at "
            f"{folder}/01-intro.md:3) outside braces; APA sentence case would print it "
            "'paris'; the build's cleaned copy protects it"
        ]
        if india == "Paris"
        else []
    )
    assert f"Roe, R. (2015). Railways of China and {india}. Journal, 1, 1–2." in printed(
        format_bibliography(RAILWAYS, manuscript=known), "[@roe2015]\n"
    )


def test_country_and_region_names_keep_their_capitals(tmp_path: Path) -> None:
    # CLDR's names (through Babel): "ghana" and "india" are common words to wordfreq, and
    # nothing else in these entries writes them as proper nouns
    bib = article("author = {Osei, Kofi}", "osei2019").replace(
        "A study", "Fishing by Lot in Riverine Ghana"
    ) + article("author = {Roe, Rita}", "roe2015").replace(
        "A study", "Railways of China and India"
    ).replace("2014", "2015")
    rules = ArticleRules(common_words=("Riverine",))
    out = printed(format_bibliography(bib, rules=rules), "[@osei2019; @roe2015]\n")
    assert "Osei, K. (2014). Fishing by lot in riverine Ghana. Journal, 1, 1–2." in out
    assert "Roe, R. (2015). Railways of China and India. Journal, 1, 1–2." in out
    result = lint_bibliography(bib, "articles/x/refs.bib", today=TODAY, rules=rules)
    found = [p for p in result.problems if p.rule == "proper-noun-evidence"]
    assert [(p.key, p.message.split(" outside")[0]) for p in found] == [
        ("osei2019", "entry 'osei2019' title has 'Ghana' (the name of a country or region (CLDR))"),
        ("roe2015", "entry 'roe2015' title has 'China' (the name of a country or region (CLDR))"),
        ("roe2015", "entry 'roe2015' title has 'India' (the name of a country or region (CLDR))"),
    ]
    assert found[0].hint.startswith(
        "fix the source: {Ghana} (article bibliography format --write --manuscript-dir "
        "articles/x/manuscript does)"
    )


def test_titles_in_other_languages_print_as_typed(tmp_path: Path) -> None:
    known = manuscript_evidence(manuscript(tmp_path, "Trade with India and Spain grew.\n"))
    spanish = article("author = {Roe, Rita}", "roe2015", ",\n  langid = {spanish}").replace(
        "A study", "Ferrocarriles de China e India"
    )
    german = article("author = {Doe, Jane}", "doe2014", ",\n  langid = {german}").replace(
        "A study", "Handel mit India und Spain"
    )
    both = spanish + "\n" + german
    result = lint_bibliography(both, "t.bib", today=TODAY, manuscript=known)
    assert "proper-noun-evidence" not in {p.rule for p in result.problems}
    out = printed(format_bibliography(both, manuscript=known), "[@roe2015; @doe2014]\n")
    assert "Roe, R. (2014). Ferrocarriles de China e India. Journal, 1, 1–2." in out
    assert "Doe, J. (2014). Handel mit India und Spain. Journal, 1, 1–2." in out


def test_sentence_case_is_judged_with_the_evidence_braced() -> None:
    # "China" and "India" braced, the title is in sentence case: "Kunming" is the author's
    known = bibliography_proper_nouns([("a2001", "", "{China} and {India}")])
    value = "Railways of China and India: building Kunming stations today"
    words = proper_nouns(value, "", ArticleRules(), known, "b2002")
    assert [(w.word, w.reason) for w in words] == [
        ("China", "bibliography"),
        ("India", "bibliography"),
        ("Kunming", "sentence-case"),
    ]


def test_the_command_line_reads_the_manuscript(tmp_path: Path, capsys) -> None:
    folder = manuscript(tmp_path, "# Intro\n\nIn 2017 Paris joined the group.\n")
    bib, clean = tmp_path / "refs.bib", tmp_path / "clean.bib"
    bib.write_text(format_bibliography(RAILWAYS), encoding="utf-8")
    lint = ["bibliography", "lint", str(bib), "--manuscript-dir", str(folder)]
    assert main([*lint, "--clean-bib", str(clean)]) == 0
    assert "title = {Railways of {China} and {Paris}}" in clean.read_text(encoding="utf-8")
    assert (
        f"{bib}:12: warning[proper-noun-evidence]: entry 'roe2015' title has 'Paris' (written "
        f"as a proper noun in mid-sentence at {folder}/01-intro.md:3)" in capsys.readouterr().err
    )
    fmt = ["bibliography", "format", str(bib), "--manuscript-dir", str(folder)]
    assert main([*fmt, "--check"]) == 1
    assert main([*fmt, "--write"]) == 0
    assert bib.read_text(encoding="utf-8") == clean.read_text(encoding="utf-8")
    assert main([*fmt, "--check"]) == 0  # idempotent
    assert main(lint) == 0
    assert "proper-noun-evidence" not in capsys.readouterr().err


def test_the_build_cleans_in_two_steps_lint_copy_then_the_texts_nouns(tmp_path: Path) -> None:
    # the lint's copy is made without the text; `bibliography clean` adds the text's nouns, and
    # uses the lint's copy as it is when they add nothing (rules/bibliography.smk)
    bib, lint_copy, clean = tmp_path / "refs.bib", tmp_path / "lint.bib", tmp_path / "clean.bib"
    bib.write_text(format_bibliography(RAILWAYS), encoding="utf-8")
    assert main(["bibliography", "lint", str(bib), "--clean-bib", str(lint_copy)]) == 0
    assert "title = {Railways of {China} and paris}" not in lint_copy.read_text(encoding="utf-8")
    assert "title = {Railways of {China} and Paris}" in lint_copy.read_text(encoding="utf-8")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    india = manuscript(tmp_path / "a", "# Intro\n\nIn 2017 Paris joined the group.\n")
    clean_command = ["bibliography", "clean", str(bib), "--output", str(clean)]
    assert (
        main([*clean_command, "--lint-copy", str(lint_copy), "--manuscript-dir", str(india)]) == 0
    )
    assert "title = {Railways of {China} and {Paris}}" in clean.read_text(encoding="utf-8")
    other = manuscript(tmp_path / "b", "# Intro\n\nThe group met in Tashkent.\n")
    assert (
        main([*clean_command, "--lint-copy", str(lint_copy), "--manuscript-dir", str(other)]) == 0
    )
    assert clean.read_bytes() == lint_copy.read_bytes()  # nothing to add: the lint's copy


def test_the_build_reads_the_texts_nouns_from_the_manuscript_stages_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # rules/bibliography.smk: `clean --sections-ast` (the safety check's parse, written by
    # `article manuscript --sections-ast`) gives the copy `--manuscript-dir` gives
    from build import safety
    from build.manuscript import sections_ast_json

    monkeypatch.chdir(tmp_path)
    bib, lint_copy = Path("refs.bib"), Path("lint.bib")
    bib.write_text(format_bibliography(RAILWAYS), encoding="utf-8")
    assert main(["bibliography", "lint", str(bib), "--clean-bib", str(lint_copy)]) == 0
    folder = manuscript(Path("."), "# Intro\n\nIn 2017 Paris joined the group.\n")
    section = folder / "01-intro.md"
    parsed = safety.guard_sources([section], None)
    ast_file = Path("sections.json")
    ast_file.write_text(sections_ast_json({"lang": "en-US"}, [section], parsed), "utf-8")
    clean_command = ["bibliography", "clean", str(bib), "--lint-copy", str(lint_copy)]
    assert main([*clean_command, "--output", "a.bib", "--sections-ast", str(ast_file)]) == 0
    assert main([*clean_command, "--output", "b.bib", "--manuscript-dir", str(folder)]) == 0
    assert "title = {Railways of {China} and {Paris}}" in Path("a.bib").read_text("utf-8")
    assert Path("a.bib").read_bytes() == Path("b.bib").read_bytes()
    # German: the text is no evidence (every noun is capitalised)
    ast_file.write_text(sections_ast_json({"lang": "de"}, [section], parsed), "utf-8")
    assert main([*clean_command, "--output", "c.bib", "--sections-ast", str(ast_file)]) == 0
    assert Path("c.bib").read_bytes() == lint_copy.read_bytes()


def test_a_sections_ast_that_is_not_the_manuscript_stages_is_refused(tmp_path: Path) -> None:
    from build.bibliography import sections_evidence

    broken = tmp_path / "sections.json"
    broken.write_text('{"sections": [{"path": "a.md"}]}', encoding="utf-8")
    with pytest.raises(BibliographyError) as caught:
        sections_evidence(broken)
    assert str(caught.value).startswith(f"{broken}: not the manuscript stage's parse")
    assert "article manuscript --sections-ast FILE" in str(caught.value)


# --- policy: warnings beside errors -----------------------------------------------------------


def test_console_shows_warnings_beside_errors(tmp_path: Path, capsys) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(
        article("author = {van Berg, Anna}", "vanberg2014")
        + "\n"
        + article("author = {World Bank}", "world2014"),
        encoding="utf-8",
    )
    assert main(["bibliography", "lint", str(bib)]) == 1
    err = capsys.readouterr().err
    assert f"{bib}:2: warning[name-particle]: entry 'vanberg2014' author 'van Berg, Anna'" in err
    assert (
        f"error: {bib}:11: [corporate-author-unclear] entry 'world2014' author 'World Bank'" in err
    )


def test_clean_copy_is_what_the_build_reads(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    source = article("author = {van Berg, Anna}", "vanberg2014", ",\n  doi = {doi:10.1234/abc}")
    bib.write_text(source, encoding="utf-8")
    clean = tmp_path / "clean.bib"
    assert main(["bibliography", "lint", str(bib), "--clean-bib", str(clean)]) == 0
    assert bib.read_text(encoding="utf-8") == source  # the source is never rewritten
    entries, _, _ = parse_bibliography(clean.read_text(encoding="utf-8"), str(clean))
    assert (entries[0].fields["doi"], entries[0].fields["options"]) == (
        "10.1234/abc",
        "useprefix=true",
    )


# --- 14. an unclosed brace is reported at its own line ----------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        (
            "@book{a2001,\n  author = {A, B.},\n  title = {One {Two},\n  year = {2001}\n}\n\n"
            "@book{b2002,\n  title = {T},\n  year = {2002}\n}\n",
            "t.bib:3: error[parse-error]: the { at column 11 is never closed: '@book{a2001' "
            "(line 1)",
        ),
        (
            "@book{b2002,\n  title = {T},\n  year = {2002}\n}\n\n@book{a2001,\n"
            "  note = {x},\n  title = {No closing brace\n",
            "t.bib:8: error[parse-error]: the { at column 11 is never closed: '@book{a2001' "
            "(line 6)",
        ),
    ],
    ids=["before-the-next-field", "at-the-end-of-the-file"],
)
def test_unclosed_brace_line(text: str, where: str) -> None:
    result = lint_bibliography(text, "t.bib", today=TODAY)
    assert [str(p).split(" could not")[0] for p in result.problems if p.rule == "parse-error"] == [
        where
    ]
