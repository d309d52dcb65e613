"""Every warning a build can print, at its exact ``path:line:col`` (issue 16, honest messages).

The warnings (grep of the stages' ``print(..., file=sys.stderr)``):

* build.safety (``article safety``, run by the manuscript check): active content removed from
  raw HTML and from pandoc elements, markup and HTML in metadata fields;
* build.bibliography (``article bibliography lint``): rules of severity warning, and errors
  printed as warnings with ``--errors-as-warnings`` (``snakemake --config lint=warn``);
* build.locate.pandoc_warnings: pandoc's warnings of the parse, at the section file's line
  (pandoc names the assembled ``cite/article.md``);
* ``article linebreaks --check`` and ``article citations --check``: what is not canonical;
* build.pdf / build.fonts with ``glyphs="warn"``: tested with a PDF in tests/unit/test_render.py
  (test_glyphs_warn_keeps_the_pdf_and_prints_each_problem_at_its_line).

Each case writes a small input of its own, runs the stage as the workflow does and compares
the printed lines that carry a place with the expected ones, in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from build import cli, render

PLACED = re.compile(r"^(warning(?: \([^)]*\))?: )?[^\s:][^:\n]*:\d+(:\d+)?: ")

BIB = """@book{brandt2015,
  author = {Brandt, Ola},
  title = {Lending rules},
  year = {2015},
  publisher = {Sample Press},
  doi = {https://doi.org/10.1234/abc},
}

@article{okafor2018,
  author = {Okafor, Ada},
  title = {Late returns},
  journal = {Journal of Samples},
  year = {2018},
  pages = {1-x},
}
"""

SECTION = """# Handlers {#sec-handlers}

See <a href="rules.html">the rules</a> and <a title="on the left">a title</a>.
Then <a href="javascript:alert(1)">a bad link</a> here.
A word `onclick` in code, then <b onclick="k()" onmouseover="m()">bold</b>.
A [span]{onclick="s()"} and [a link](javascript:alert(2)).

<script>alert(3)</script>

<iframe srcdoc="<p>x</p>"></iframe>
<a rel="attachment" href="rules.html">attached</a>
"""

CITING = "# A {#sec-a}\n\nAs Brandt (2015) counts.\nOkafor (2018) agrees.\n"

METADATA = """title: "A <script>x</script> title"
lang: en
author:
  - name: "Ann <b>Lee</b>"
abstract: "Some <i onclick=\\"q()\\">text</i>."
"""


def write(tmp_path: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")


def run_cli(*words: str) -> Callable[[Path], None]:
    return lambda tmp_path: cli.main(list(words))


def parse(tmp_path: Path) -> None:
    """The render stage's parse of an assembled Markdown (as the citation stage writes it)."""
    sections = [Path("manuscript/01-a.md"), Path("manuscript/02-b.md")]
    assembled = "\n\n".join(p.read_text(encoding="utf-8").rstrip("\n") for p in sections)
    Path("article.md").write_text(assembled + "\n", encoding="utf-8")
    render.parse_article("article.md", "manuscript/metadata.yaml", "refs.bib", render.Profile(),
                         sections)  # fmt: skip


CASES = {
    "safety-raw-html-and-metadata": (
        {"manuscript/01-a.md": SECTION, "manuscript/metadata.yaml": METADATA, "rules.html": ""},
        run_cli("safety", "manuscript/01-a.md", "--metadata", "manuscript/metadata.yaml"),
        [
            "warning: manuscript/01-a.md:4:9: active content removed from the outputs: "
            "javascript: URL in href= on <a>",
            "warning: manuscript/01-a.md:5:35: active content removed from the outputs: "
            "event-handler attribute onclick= on <b>",
            "warning: manuscript/01-a.md:5:49: active content removed from the outputs: "
            "event-handler attribute onmouseover= on <b>",
            "warning: manuscript/01-a.md:6:10: active content removed from the outputs: "
            "attribute onclick=",
            "warning: manuscript/01-a.md:6:38: active content removed from the outputs: "
            "javascript: link",
            "warning: manuscript/01-a.md:8:1: active content removed from the outputs: "
            "<script> element",
            "warning: manuscript/01-a.md:10:1: active content removed from the outputs: "
            "<iframe> element",
            "warning: manuscript/01-a.md:10:9: active content removed from the outputs: "
            "srcdoc= on <iframe>",
            "warning: manuscript/01-a.md:11:4: active content removed from the outputs: "
            'rel="attachment" on <a>',
            "warning: manuscript/metadata.yaml:1:11: markup in metadata field 'title' is shown "
            "as text: <script> element",
            "warning: manuscript/metadata.yaml:4:16: HTML in metadata field 'author' is shown "
            "as text",
            "warning: manuscript/metadata.yaml:5:20: markup in metadata field 'abstract' is "
            "shown as text: event-handler attribute onclick= on <i>",
        ],
    ),
    "bibliography-lint": (
        {"refs.bib": BIB},
        run_cli("bibliography", "lint", "refs.bib"),
        [
            "refs.bib:4: warning[not-canonical]: the file is not in canonical format (first "
            "difference at this line)",
            "refs.bib:6: warning[doi-as-url]: entry 'brandt2015' gives its DOI with a prefix "
            "(https://doi.org/10.1234/abc); pandoc would print "
            "https://doi.org/https://doi.org/10.1234/abc; the build's cleaned copy writes the "
            "bare DOI",
            "refs.bib:14: warning[pages-range]: entry 'okafor2018' has pages '1-x', not a page "
            "or first--last",
        ],
    ),
    "bibliography-lint-errors-as-warnings": (
        {"refs.bib": BIB + "\n@book{brandt2015,\n  title = {Again},\n  year = {2016},\n}\n"},
        run_cli("bibliography", "lint", "refs.bib", "--errors-as-warnings"),
        [
            "warning (an error of today's rules): refs.bib:17: [duplicate-key] key "
            "'brandt2015' is used again here; it was first used at line 1",
            "refs.bib:6: warning[doi-as-url]: entry 'brandt2015' gives its DOI with a prefix "
            "(https://doi.org/10.1234/abc); pandoc would print "
            "https://doi.org/https://doi.org/10.1234/abc; the build's cleaned copy writes the "
            "bare DOI",
            "refs.bib:14: warning[pages-range]: entry 'okafor2018' has pages '1-x', not a page "
            "or first--last",
            "refs.bib:17: warning[key-scheme]: key 'brandt2015' does not follow the key scheme "
            "(expected 'again2016' plus an optional a/b)",
        ],
    ),
    "pandoc-parse-at-the-section-line": (
        {
            "manuscript/01-a.md": "# A {#sec-a}\n\nText[^1].\n\n[^1]: One.\n",
            "manuscript/02-b.md": "# B {#sec-b}\n\nMore[^2].\n\n[^2]: Two.\n[^2]: Three.\n",
            "manuscript/metadata.yaml": "title: T\nlang: en\nauthor:\n  - name: A B\n",
            "refs.bib": "",
        },
        parse,
        ["warning: manuscript/02-b.md:6:1: pandoc: Duplicate note reference '2'"],
    ),
    "linebreaks-check": (
        {"manuscript/01-a.md": "# A {#sec-a}\n\nOne sentence. A second one.\nA third.\n"},
        run_cli("linebreaks", "--check", "manuscript/01-a.md"),
        ["manuscript/01-a.md:3: not one sentence per line"],
    ),
    "citations-check": (
        {"manuscript/01-a.md": CITING, "refs.bib": BIB},
        run_cli("citations", "--check", "manuscript/01-a.md", "--bib", "refs.bib"),
        [
            "manuscript/01-a.md:3:4: not canonical: 'Brandt (2015)' -> '@brandt2015'",
            "manuscript/01-a.md:4:1: not canonical: 'Okafor (2018)' -> '@okafor2018'",
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_warning_names_its_place(name, tmp_path, monkeypatch, capsys):
    files, run, expected = CASES[name]
    monkeypatch.chdir(tmp_path)
    write(tmp_path, files)
    run(tmp_path)
    captured = capsys.readouterr()
    printed = (captured.out + captured.err).splitlines()
    assert [line for line in printed if PLACED.match(line)] == expected
