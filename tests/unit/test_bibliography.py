"""The bibliography stage: lint rules, formatter and bad input, on small inputs of their own
(tests/data/bibliography/; the real refs.bib: tests/article/test_article_refs.py)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from build.bibliography import (
    RULES,
    ArticleRules,
    command,
    expected_key_stem,
    format_bibliography,
    lint_bibliography,
    lint_file,
    load_article_rules,
    parse_bibliography,
)
from build.cli import main
from build.errors import BibliographyError, PipelineError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "bibliography"
TODAY = dt.date(2026, 1, 1)


def rules_of(text: str, path: str = "t.bib") -> set[str]:
    """Rule ids (warnings and errors) the linter reports for ``text``."""
    result = lint_bibliography(text, path, today=TODAY)
    return {p.rule for p in result.problems if p.severity != "info"}


# --- bad input: one file per error kind, exact path:line, no entry lost ----------------------


@pytest.mark.parametrize(
    ("name", "rule", "line", "words", "keys"),
    [
        (
            "unbalanced-brace.bib",
            "parse-error",
            3,  # the line of the unclosed brace (issue 15, item 14), not the entry's line 1
            "the { at column 11 is never closed: '@article{ambrosio2008' (line 1) could not be "
            "parsed",
            ["paul2018"],
        ),
        ("parentheses.bib", "paren-delimiters", 1, "@article( ... )", ["pape2005"]),
        (
            "duplicate-key.bib",
            "duplicate-key",
            8,
            "key 'garver2016' is used again here; it was first used at line 1",
            ["garver2016", "garver2016"],
        ),
        (
            "duplicate-field.bib",
            "duplicate-field",
            4,
            "entry 'hyer1996' has the field(s) title more than once",
            ["hyer1996"],
        ),
        (
            "undefined-macro.bib",
            "undefined-macro",
            6,
            "field 'journal' uses the macro 'eas', which no @string defines",
            ["aris2009"],
        ),
        (
            "latin1.bib",
            "encoding",
            11,
            "byte 0xe9 at offset 366 is not UTF-8",
            ["kavalski2010", "megoran2013"],
        ),
        (
            "missing-comma.bib",
            "missing-comma",
            4,
            "entry 'moreau1998': missing comma after field publisher (the field address on "
            "the next line was read as part of its value)",
            ["moreau1998"],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and v.endswith(".bib") else "",
)
def test_bad_input(name: str, rule: str, line: int, words: str, keys: list[str]) -> None:
    path = f"tests/data/bibliography/{name}"
    result = lint_bibliography((DATA / name).read_bytes(), path, today=TODAY)
    found = [p for p in result.problems if p.rule == rule]
    assert len(found) == 1, [str(p) for p in result.problems]
    assert str(found[0]).startswith(f"{path}:{line}: {RULES[rule][0]}[{rule}]: ")
    assert words in found[0].message
    assert found[0].hint
    assert sorted(e.key for e in result.entries) == keys


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            "year = 1998\n  pages = {1--9},\n",
            "t.bib:3: [missing-comma] entry 'x1998': missing comma after field year",
        ),
        (
            'year = "1998"\n  pages = {1--9}\n',
            "t.bib:3: [missing-comma] entry 'x1998': missing comma after field year",
        ),
        ("title = {A\n  b = c},\n  year = {1998},\n", ""),
        ("journal = ejs #\n  {Studies},\n  year = {1998},\n", ""),
    ],
    ids=["number", "quoted-last-field", "newline-inside-braces", "concatenation-over-lines"],
)
def test_missing_comma_only_between_fields(fields: str, expected: str) -> None:
    text = f"@string{{ejs = {{Europe}}}}\n@misc{{x1998,\n  {fields}}}\n"
    problems = [str(p.to_error()) for p in lint_bibliography(text, "t.bib", today=TODAY).problems]
    found = [p for p in problems if "[missing-comma]" in p]
    assert [p.split(" (the field")[0] for p in found] == ([expected] if expected else [])


@pytest.mark.parametrize(
    ("name", "location"),
    [
        ("unbalanced-brace.bib", "unbalanced-brace.bib:3: [parse-error]"),
        ("duplicate-key.bib", "duplicate-key.bib:8: [duplicate-key]"),
        ("undefined-macro.bib", "undefined-macro.bib:6: [undefined-macro]"),
        ("missing-comma.bib", "missing-comma.bib:4: [missing-comma]"),
        ("latin1.bib", "latin1.bib:11: [encoding]"),
    ],
)
def test_errors_stop_lint_and_format(name: str, location: str, tmp_path: Path) -> None:
    report = tmp_path / "lint.json"
    with pytest.raises(PipelineError) as raised:
        lint_file(str(DATA / name), str(report))
    assert location in str(raised.value)
    assert json.loads(report.read_text(encoding="utf-8"))["errors"] >= 1
    with pytest.raises(BibliographyError):
        format_bibliography((DATA / name).read_bytes(), name)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("", ""),
        ("\n\n", ""),
        ("@comment{This article cites nothing.}\n", "@comment{This article cites nothing.}\n"),
        ("% cites nothing\n", "@comment{% cites nothing}\n"),
    ],
    ids=["empty", "blank-lines", "comment", "percent-comment"],
)
def test_a_file_of_no_entry_is_an_empty_bibliography(
    text: str, canonical: str, tmp_path: Path
) -> None:
    """An article that cites nothing: no error and no entry; at most the file is not in the
    canonical layout. The build's CSL-JSON of such a file: tests/e2e/test_no_references.py."""
    bib, report = tmp_path / "refs.bib", tmp_path / "lint.json"
    bib.write_text(text, encoding="utf-8")
    result = lint_bibliography(text, "refs.bib", today=TODAY)
    assert result.entries == []
    assert [p.rule for p in result.problems] == ([] if canonical == text else ["not-canonical"])
    assert format_bibliography(text, "refs.bib") == canonical
    lint_file(str(bib), str(report), today=TODAY)
    assert json.loads(report.read_text(encoding="utf-8"))["errors"] == 0


# --- one rule at a time ----------------------------------------------------------------------

GOOD = """@article{pape2005,
  author = {Pape, R. A.},
  title = {Soft Balancing against the {United States}},
  journal = {International Security},
  volume = {30},
  number = {1},
  pages = {7--45},
  year = {2005},
  {extra}
}
"""


def entry(extra: str = "", **replace: str) -> str:
    """The good entry above with ``extra`` lines added and ``old=new`` text replaced."""
    text = GOOD.replace("  {extra}\n", f"  {extra}\n" if extra else "")
    if not extra:
        text = text.replace("year = {2005},\n}", "year = {2005}\n}")
    for old, new in replace.items():
        text = text.replace(old.replace("_", " "), new)
    return text


def test_good_entry_is_clean() -> None:
    assert rules_of(entry()) == set()


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        (entry("doi = {https://doi.org/10.1162/0162288054894607}"), "doi-as-url"),
        (entry("url = {https://doi.org/10.1162/0162288054894607}"), "doi-as-url"),
        (entry("url = {10.1162/0162288054894607}"), "doi-as-url"),
        (entry("doi = {10.1162/ 0162288054894607}"), "doi-syntax"),
        (
            entry(
                "doi = {10.1162/0162288054894607},\n  "
                "url = {https://muse.jhu.edu/doi/10.1162/0162288054894607}"
            ),
            "doi-url-duplicate",
        ),
        (entry("url = {www.jstor.org/stable/4137457}"), "url-syntax"),
        (
            entry("url = {https://carnegieendowment.org/2018/02/28/cooperation-and competition}"),
            "url-syntax",
        ),
        (entry("note = {Retrieved from http://www.jstor.org/stable/4137457}"), "retrieved-from"),
        (entry(**{"{7--45}": "{7-45}"}), "pages-range"),
        (entry(**{"{7--45}": "{7–45}"}), "pages-range"),
        (entry(**{"{7--45}": "{45--7}"}), "pages-range"),
        (entry(**{"{2005}": "{05}"}), "year-format"),
        (entry("month = {mars}"), "month-format"),
        (entry("month = {13}"), "month-format"),
        (
            entry(**{"Soft Balancing against the {United States}": "SOFT BALANCING AGAINST US"}),
            "title-capitals",
        ),
        (entry(**{"{2005}": "{2005}, date = {2005-13-01}"}), "year-format"),
        (entry(**{"year = {2005}": "date = {2031}", "pape2005": "pape2031"}), "year-future"),
        (entry(**{"pape2005": "pape2005x1"}), "key-scheme"),
        (entry(**{"pape2005": "Pape2005"}), "key-scheme"),
        (entry(**{"pape2005": "soft2005"}), "key-scheme"),
        (
            entry(**{"against the {United States}": "against the {US} and de Bruijn"}),
            "unprotected-capitals",
        ),
        (
            entry(**{"Pape, R. A.": "United Nations General Assembly", "pape2005": "united2005"}),
            "corporate-author",
        ),
        (entry(**{"Pape, R. A.": "P{\\'a}pe, R. A.", "pape2005": "pape2005"}), "latex-accent"),
        (
            entry(**{"{International Security}": "is"}).replace(
                "@article", '@string{is = "International Security"}\n\n@article'
            ),
            "macro-used",
        ),
        (entry(**{"@article": "@journalpaper"}), "unknown-type"),
        (entry(**{"  journal = {International Security},\n": ""}), "required-field"),
        (entry(**{"  year = {2005}\n": "  note = {undated}\n"}), "required-field"),
    ],
)
def test_rule(text: str, rule: str) -> None:
    found = rules_of(text)
    assert rule in found, (rule, found)


# --- the article's own rules (its manuscript/bibliography.yaml) ------------------------------

NOUNS = ArticleRules(proper_nouns=("Ghent", "Low Countries", "Low"))


def title_warnings(title: str, rules: ArticleRules | None = None) -> list[str]:
    """The words ``unprotected-capitals`` reports in ``title`` (messages' quoted word)."""
    text = entry(**{"Soft Balancing against the {United States}": title})
    result = lint_bibliography(text, "t.bib", today=TODAY, rules=rules or ArticleRules())
    return [p.message.split("'")[3] for p in result.problems if p.rule == "unprotected-capitals"]


@pytest.mark.parametrize(
    ("title", "words"),
    [
        ("Trade in Ghent", ["Ghent"]),
        ("Trade in {Ghent}", []),
        ("Trade in the Low Countries", ["Low Countries"]),  # the first listed name that fits
        ("Ghent-based trade", []),  # not inside a hyphenated word
        ("Ghent's guilds", ["Ghent"]),  # a possessive is the name
        ("The NATO of Ghent", ["Ghent"]),  # citeproc keeps acronyms: not flagged
    ],
)
def test_proper_nouns_of_the_article(title: str, words: list[str]) -> None:
    assert title_warnings(title, NOUNS) == words


def test_without_article_rules_only_the_general_ones() -> None:
    # the lexicon's rule (wordfreq): Bruijn is unknown, Trade common, EU an acronym citeproc keeps
    assert title_warnings("Trade in Bruijn and the EU") == ["Bruijn"]


def test_the_proper_noun_list_comes_from_the_file(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text(entry(**{"against the {United States}": "in Low Lands"}), encoding="utf-8")
    rules = tmp_path / "bibliography.yaml"
    report = tmp_path / "lint.json"
    argv = ["bibliography", "lint", str(bib), "--report", str(report)]
    assert main([*argv, "--proper-nouns", str(rules)]) == 0  # absent file: no list
    assert json.loads(report.read_text(encoding="utf-8"))["warnings"] == 0
    rules.write_text("proper-nouns:\n  - Low Lands\n", encoding="utf-8")
    assert main([*argv, "--proper-nouns", str(rules)]) == 1  # it changes what prints: an error
    data = json.loads(report.read_text(encoding="utf-8"))
    assert [(p["rule"], p["line"]) for p in data["problems"] if p["severity"] == "error"] == [
        ("unprotected-capitals", 3)
    ]
    assert main(argv) == 0  # no flag: no list
    assert json.loads(report.read_text(encoding="utf-8"))["warnings"] == 0


def test_corporate_words_of_the_article() -> None:
    text = entry(**{"Pape, R. A.": "Ghent Weekly", "pape2005": "ghent2005"})
    assert "corporate-author" not in rules_of(text)
    rules = ArticleRules(corporate_words=("Weekly",))
    result = lint_bibliography(text, "t.bib", today=TODAY, rules=rules)
    assert "corporate-author" in {p.rule for p in result.problems}


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("proper-nouns: Ghent\n", "r.yaml:1:15: proper-nouns: not a list"),
        ("proper-nouns:\n  - Ghent\n  - 1999\n", "r.yaml:3:5: proper-nouns[1]: 1999 is not"),
        ("proper-nouns: [Ghent]\nnouns: [x]\n", "r.yaml:2:8: unknown key 'nouns'"),
        ("- Ghent\n", "r.yaml:1:1: the bibliography rules are not a mapping"),
        ("proper-nouns: [Ghent\n", "r.yaml:1:15: malformed YAML: a '[' list is not closed"),
    ],
    ids=["not-a-list", "not-text", "unknown-key", "not-a-mapping", "syntax"],
)
def test_rules_file_errors_name_path_and_line(tmp_path: Path, text: str, first: str) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PipelineError) as caught:
        load_article_rules(path)
    assert str(caught.value).startswith(str(tmp_path / first))


def test_empty_or_missing_rules_file(tmp_path: Path) -> None:
    (tmp_path / "r.yaml").write_text("# nothing yet\n", encoding="utf-8")
    assert load_article_rules(tmp_path / "r.yaml") == ArticleRules()
    assert load_article_rules(tmp_path / "none.yaml") == ArticleRules()
    assert load_article_rules(None) == ArticleRules()


def test_same_work_and_key_case() -> None:
    second = entry(**{"pape2005": "pape2005a"})
    assert "same-work" in rules_of(entry() + "\n" + second)
    third = entry(**{"pape2005": "Pape2005"})
    assert "key-case-clash" in rules_of(entry() + "\n" + third)


@pytest.mark.parametrize(
    ("author", "key"),
    [("Lef{\\`e}vre, Anne", "lefevre2016"), ("Lef\\`evre, A.", "lefevre2016b")],
)
def test_key_scheme_decodes_latex_accents(author: str, key: str) -> None:
    text = f"@book{{{key},\n  author = {{{author}}},\n  title = {{Lire}},\n  year = {{2016}},\n}}\n"
    assert "key-scheme" not in rules_of(text)


def test_key_scheme_asks_for_a_transliterated_name() -> None:
    """A family name without Latin letters: the expected key is not the bare year; any ASCII
    word before the year passes (the transliteration is the author's choice)."""
    good = "@book{wang2015,\n  author = {王, 小明},\n  title = {Shu},\n  year = {2015},\n}\n"
    assert "key-scheme" not in rules_of(good)
    bad = "@book{2015,\n  author = {Иванов, Иван},\n  title = {Kniga},\n  year = {2015},\n}\n"
    result = lint_bibliography(bad, "t.bib", today=TODAY)
    (problem,) = [p for p in result.problems if p.rule == "key-scheme"]
    assert str(problem) == (
        "t.bib:1: warning[key-scheme]: key '2015' does not follow the key scheme (expected the "
        "first word of 'Иванов' transliterated to Latin letters, then '2015', plus an optional "
        "a/b)\n  hint: the key's word is lowercase ASCII (docs/conventions.md): transliterate "
        "the name (Pinyin for Chinese: 王 -> wang2015; a standard romanization for Russian: "
        "Иванов -> ivanov2015), as APA 7 (9.38, works in another language) also asks of names "
        "in the reference list; rename the key and its citations"
    )


def test_waiver_moves_problem_to_report() -> None:
    text = (
        "@comment{lint-allow: scond required-field the list gives no title}\n\n"
        "@misc{scond,\n  note = {SCO Charter}\n}\n"
    )
    result = lint_bibliography(text, "t.bib", today=TODAY)
    assert "required-field" not in {p.rule for p in result.problems}
    assert result.waived[0]["reason"] == "the list gives no title"


@pytest.mark.parametrize(
    ("fields", "stem"),
    [
        ("author = {Lansford, T.}, year = {2002}", "lansford2002"),
        ("author = {{United Nations General Assembly}}", "unitednd"),
        ("author = {van der Berg, J.}, year = {1999}", "vanderberg1999"),
        (
            "title = {Anti-Terror Body Launched at {SCO} Summit}, date = {2004-06-17}",
            "antiterror2004",
        ),
        ("title = {‘Progress’ in Arms Talks}, date = {1993-03-16}", "progress1993"),
        ("journal = {Renmin Ribao (English edition)}, date = {1997-04-25}", "renmin1997"),
        ("author = {Müller, K.}, year = {2001}", "muller2001"),
        ("author = {Lef{\\`e}vre, Anne}, year = {2016}", "lefevre2016"),
        ("author = {Lef\\`evre, A.}, year = {2016}", "lefevre2016"),
        ("author = {Mart{\\'\\i}n, J.}, year = {2001}", "martin2001"),
        ("author = {Strau{\\ss}, K.}, year = {2001}", "strauss2001"),
        ("author = {Ørsted, H. C.}, year = {1820}", "orsted1820"),
        ("author = {Łukasiewicz, J.}, year = {1951}", "lukasiewicz1951"),
        ("author = {de {\\'E}douard, X.}, year = {2015}", "deedouard2015"),
        ("title = {{\\'E}tudes lyonnaises}, year = {2001}", "etudes2001"),
        ("author = {王, 小明}, year = {2015}", "2015"),
        ("author = {Иванов, И. И.}", "nd"),
    ],
)
def test_key_stem(fields: str, stem: str) -> None:
    entries, _, _ = parse_bibliography(f"@misc{{x, {fields}}}\n", "t.bib")
    assert expected_key_stem(entries[0]) == stem


# --- formatter -------------------------------------------------------------------------------


def test_format_resolves_macros_and_ranges() -> None:
    assert format_bibliography((DATA / "macros.bib").read_bytes(), "macros.bib") == (
        "@article{aris2009,\n"
        "  author = {Aris, S.},\n"
        "  title = {The {Shanghai Cooperation Organisation}},\n"
        "  journal = {Europe-Asia Studies},\n"
        "  volume = {61},\n"
        "  number = {3},\n"
        "  pages = {457--482},\n"
        "  year = {2009},\n"
        "  month = {3},\n"
        "  note = {Cited as Aris 2001}\n"
        "}\n"
    )


def test_format_sorts_decodes_and_braces() -> None:
    text = (
        '@Article(zeta2001,\n  Year = 2001, Title = "M{\\"u}ller and {\\\'E}cole",\n'
        "  author = {Zeta,   A.}, journal={J}, pages = {1 -- 9})\n"
        "@book{alpha2000, publisher = {P}, title = {T}, author = {Alpha, B.}, year = {2000}}\n"
    )
    assert format_bibliography(text, "t.bib") == (
        "@book{alpha2000,\n  author = {Alpha, B.},\n  title = {T},\n  publisher = {P},\n"
        "  year = {2000}\n}\n\n"
        "@article{zeta2001,\n  author = {Zeta, A.},\n  title = {Müller and École},\n"
        "  journal = {J},\n  pages = {1--9},\n  year = {2001}\n}\n"
    )


@pytest.mark.parametrize("name", ["macros.bib", "parentheses.bib"])
def test_format_is_idempotent(name: str) -> None:
    once = format_bibliography((DATA / name).read_bytes(), name)
    assert format_bibliography(once, name) == once
    assert rules_of(once) - {"key-scheme"} == set()


# --- command line ----------------------------------------------------------------------------


def test_cli_format_write_is_atomic_and_check_fails_first(tmp_path: Path) -> None:
    bib = tmp_path / "refs.bib"
    shutil.copy(DATA / "parentheses.bib", bib)
    assert command("format", str(bib), check=True) == 1
    assert command("format", str(bib), write=True) == 0
    assert bib.read_text(encoding="utf-8").startswith("@article{pape2005,\n  author = {Pape")
    assert command("format", str(bib), check=True) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["refs.bib"]


def test_cli_error_exit(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bibliography", "lint", str(DATA / "duplicate-key.bib")]) == 1
    assert "duplicate-key.bib:8: [duplicate-key]" in capsys.readouterr().err


def test_a_month_pandoc_reads_and_a_title_with_an_acronym_are_fine() -> None:
    assert not {"month-format", "title-capitals"} & rules_of(entry("month = {3}"))
    assert "month-format" not in rules_of(entry("month = mar"))  # the macro: 3
    braced = entry(**{"Soft Balancing against the {United States}": "{NATO} and {UN} Budgets"})
    assert "title-capitals" not in rules_of(braced)
