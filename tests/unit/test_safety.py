"""Unit tests of build.safety and styles/filters/sanitize.lua (issue 9), plus the atomic
``--write`` commands of the other stages when the write fails midway."""

from __future__ import annotations

import http.server
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from build import bibliography, citations, linebreaks, pdf, render, safety
from build.cli import main
from build.errors import ManuscriptError
from projects import serving

ROOT = Path(__file__).resolve().parents[2]
SANITIZE = ROOT / "src" / "build" / "styles" / "filters" / "sanitize.lua"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "manuscript").mkdir()
    (tmp_path / "manuscript" / "fig.png").write_bytes(b"\x89PNG")
    (tmp_path / "manuscript" / "out.png").symlink_to("/etc/hostname")
    (tmp_path / ".git").mkdir()
    return tmp_path


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("manuscript/fig.png", None),
        ("data:image/png;base64,AAAA", None),
        ("#sec-x", None),
        ("http://127.0.0.1/a.png", "a remote URL (http:)"),
        ("https://example.org/a.png", "a remote URL (https:)"),
        ("FTP://example.org/a.png", "a remote URL (ftp:)"),
        ("//example.org/a.png", "a remote URL (protocol-relative //host)"),
        ("file:///etc/hostname", "a file: URL (reads a file by absolute path)"),
        ("../../etc/hostname", "a path outside the project"),
        ("manuscript/../../x.png", "a path outside the project"),
        ("/etc/hostname", "an absolute path"),
        ("manuscript/out.png", "a symbolic link that leads out of the project"),
        (".git/config", "a file in a hidden folder of the project"),
        ("data:text/html,<script>x</script>", "an HTML document in a data: URL"),
    ],
)
def test_resource_problem(project: Path, url: str, reason: str | None) -> None:
    assert safety.resource_problem(url, project) == reason


HOSTILE = """# Hostile {#sec-hostile}

Remote ![a](http://127.0.0.1:9/a.png) and local ![b](manuscript/fig.png).

<img src="../../etc/hostname" alt="x"> <video poster="https://e.org/p.png"></video>

<p style="background: url('ftp://e.org/bg.png')">styled</p>

<script>alert(1)</script>

A <span onclick="alert(2)">handler</span> and [a link](javascript:alert(3)).

<iframe srcdoc="x"></iframe> <object>fallback</object> <embed type="x">

<link rel="attachment" href="manuscript/fig.png">

---
bibliography: /etc/passwd
...
"""


def test_check_markdown_errors_name_file_line_and_column(project: Path) -> None:
    found = safety.check_markdown("manuscript/08-x.md", HOSTILE, project)
    errors = [str(e).splitlines()[0] for e in found.errors]
    assert errors == [
        "manuscript/08-x.md:3:13: refused resource 'http://127.0.0.1:9/a.png': "
        "a remote URL (http:)",
        "manuscript/08-x.md:5:11: refused resource '../../etc/hostname': "
        "a path outside the project",
        "manuscript/08-x.md:5:55: refused resource 'https://e.org/p.png': a remote URL (https:)",
        "manuscript/08-x.md:7:28: refused resource 'ftp://e.org/bg.png': a remote URL (ftp:)",
        "manuscript/08-x.md:18:1: metadata key 'bibliography' makes the build read or fetch files",
    ]
    assert all("hint: " in str(e) for e in found.errors)


def test_check_markdown_warns_of_active_content_at_its_line(project: Path) -> None:
    found = safety.check_markdown("m.md", HOSTILE, project)
    warnings = [str(w).splitlines()[0] for w in found.warnings]
    assert warnings == [
        "m.md:9:1: active content removed from the outputs: <script> element",
        "m.md:11:9: active content removed from the outputs: attribute onclick=",
        "m.md:11:56: active content removed from the outputs: javascript: link",
        "m.md:13:1: active content removed from the outputs: <iframe> element",
        "m.md:13:9: active content removed from the outputs: srcdoc= on <iframe>",
        "m.md:13:30: active content removed from the outputs: <object> element",
        "m.md:13:56: active content removed from the outputs: <embed> element",
        "m.md:15:1: active content removed from the outputs: <link> element",
        'm.md:15:7: active content removed from the outputs: rel="attachment" on <link>',
    ]


def test_metadata_markup_is_a_warning_and_a_remote_image_an_error(project: Path) -> None:
    text = (
        'title: "A <script>alert(1)</script> title"\n'
        "author:\n  - name: \"Ann <img src='http://e.org/t.png'> Lee\"\n"
        "css: https://e.org/x.css\n"
    )
    found = safety.check_metadata("manuscript/metadata.yaml", text, project)
    assert [str(e).splitlines()[0] for e in found.errors] == [
        "manuscript/metadata.yaml:3:26: refused resource 'http://e.org/t.png': "
        "a remote URL (http:)",
        "manuscript/metadata.yaml:4:1: metadata key 'css' makes the build read or fetch files",
    ]
    assert [str(w).splitlines()[0] for w in found.warnings] == [
        "manuscript/metadata.yaml:1:11: markup in metadata field 'title' is shown as text: "
        "<script> element",
        "manuscript/metadata.yaml:3:16: HTML in metadata field 'author' is shown as text",
    ]


def test_cli_refuses_with_path_line_and_hint(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(project)
    (project / "manuscript" / "01-a.md").write_text(
        "# A {#sec-a}\n\n![x](../../etc/hostname)\n", encoding="utf-8"
    )
    assert main(["safety", "manuscript/01-a.md"]) == 1
    err = capsys.readouterr().err
    assert "error: manuscript/01-a.md:3:6: refused resource '../../etc/hostname'" in err
    assert "\n  hint: put the file in the article's folder" in err
    (project / "manuscript" / "01-a.md").write_text("# A {#sec-a}\n\n![x](manuscript/fig.png)\n")
    assert main(["safety", "manuscript/01-a.md"]) == 0


# --------------------------------------------------------------------------- sanitize.lua


def pandoc_html(markdown: str, *extra: str) -> str:
    process = subprocess.run(
        [render.pandoc_path(), "--sandbox", "--lua-filter", str(SANITIZE), "-s", "-t", "html5",
         *extra],
        input=markdown.encode("utf-8"),
        capture_output=True,
        check=True,
    )  # fmt: skip
    return process.stdout.decode("utf-8")


def test_sanitize_removes_active_content_and_keeps_the_text() -> None:
    html = pandoc_html(HOSTILE.split("---")[0], "--metadata", "title=t")
    body = html.split("<body>")[1]
    for banned in ("<script", "alert(1)", "onclick", "javascript:", "<iframe", "srcdoc",
                   "<object", "<embed", "<link", "attachment"):  # fmt: skip
        assert banned not in body, banned
    assert "<span>handler</span>" in body
    assert "a link" in body and "fallback" in body


@pytest.mark.parametrize(
    "raw",
    [
        '<img alt=">" src="ok.png" onerror="alert(1)">',
        '<a href="jav&#x61;script:alert(1)">x</a>',
        '<a href=" JAVASCRIPT:alert(1)">x</a>',
        "<a href='vbscript:msgbox(1)'>x</a>",
        '<svg><a xlink:href="javascript:alert(1)">x</a></svg>',
        "<!-- <script>alert(1)</script> -->",
        "<style>body { background: red }</style>",
        '<iframe src="data:text/html,x"></iframe>',
    ],
)
def test_sanitize_handles_tricky_raw_html(raw: str) -> None:
    body = pandoc_html(f"Text {raw} end.\n", "--metadata", "title=t").split("<body>")[1]
    for banned in ("onerror", "javascript", "JAVASCRIPT", "vbscript", "<script", "<style",
                   "<iframe", "&#x61;"):  # fmt: skip
        assert banned not in body, body


def test_sanitize_keeps_the_order_of_the_attributes_it_does_not_remove() -> None:
    """Reproducible output: the attributes left after a removal keep their order (a Lua table
    keyed by name would give a different order from run to run)."""
    markdown = "[x]{onclick=1 a=1 b=2 c=3 d=4 e=5 f=6}\n"
    bodies = {pandoc_html(markdown, "--metadata", "title=t").split("<body>")[1] for _ in range(4)}
    assert len(bodies) == 1
    body = bodies.pop()
    assert "onclick" not in body
    assert re.search(
        r'data-a="1"\s+data-b="2"\s+data-c="3"\s+data-d="4"\s+data-e="5"\s+data-f="6"', body
    )


def test_sanitize_renders_metadata_markup_as_text() -> None:
    markdown = (
        '---\ntitle: "A <script>alert(1)</script> [x](javascript:alert(2)) *b*"\n'
        "author: \"Ann <b onmouseover='x'>Lee</b>\"\n---\n\nBody.\n"
    )
    html = pandoc_html(markdown)
    head, body = html.split("</head>")
    assert "<script" not in body and "javascript:" not in html and "<b " not in body
    assert "<title>A &lt;script&gt;alert(1)&lt;/script&gt; x b</title>" in head
    assert "A &lt;script&gt;alert(1)&lt;/script&gt; x\n<em>b</em>" in body
    assert "Ann &lt;b onmouseover='x'&gt;Lee&lt;/b&gt;" in body


@pytest.mark.parametrize(
    ("field", "value", "printed"),
    [
        (
            "title",
            '"Lending <span style=\\"position:fixed;top:0\\">Practices</span>"',
            "Lending Practices",
        ),
        ("title", '"[Libraries]{.x style=\\"color:red\\"} of *Ghent*"', "Libraries of <em>Ghent</em>"),  # noqa: E501
        ("title", '"See [the site](https://e.org/x) now"', "See the site now"),
        ("subtitle", '"H~2~O and E = mc^2^"', "H<sub>2</sub>O and E = mc<sup>2</sup>"),
        ("subtitle", '"`code`{style=\\"position:fixed\\"} **strong**"', "<code>code</code> <strong>strong</strong>"),  # noqa: E501
    ],
    ids=["styled-span", "bracketed-span", "link", "sub-sup", "code-strong"],
)  # fmt: skip
def test_metadata_keeps_only_the_whitelisted_inline_markup(field, value, printed) -> None:
    markdown = f"---\ntitle: T\n{field}: {value}\n---\n\nBody.\n"
    body = pandoc_html(markdown).split("</head>")[1]
    header = body[body.index('<header id="title-block-header">') : body.index("</header>")]
    assert "style=" not in header and "<span" not in header and "<a " not in header
    shown = re.findall(r'<(?:h1 class="title"|p class="subtitle")>(.*?)</(?:h1|p)>', header, re.S)
    assert printed in [" ".join(s.split()) for s in shown], header


# --------------------------------------------------------------------------- nothing fetched


@pytest.fixture()
def server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records requests (/redirect -> 302)."""
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_response(302 if self.path == "/redirect" else 200)
            self.send_header("Location", "/a.png")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as url:
        yield url, requests


def test_the_manuscript_stage_refuses_before_any_later_stage_runs(
    tmp_path: Path, server: tuple[str, list[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    from build import manuscript

    base, requests = server
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m").mkdir()
    section = Path("m") / "01-a.md"
    section.write_text(f"# A {{#sec-a}}\n\n![a]({base}/redirect)\n", encoding="utf-8")
    (tmp_path / "m" / "metadata.yaml").write_text(
        "title: T\nabstract: A.\nlang: en\nauthor:\n  - name: A. Author\n", encoding="utf-8"
    )
    with pytest.raises(ManuscriptError) as error:
        manuscript.command(check=True, manuscript_dir="m", metadata_json="out/metadata.json")
    assert str(error.value).startswith(f"{section}:3:6: refused resource '{base}/redirect'")
    assert requests == []
    assert not (tmp_path / "out").exists()  # nothing a later stage could take for checked


def test_parse_article_refuses_a_remote_image_from_generated_content(tmp_path: Path) -> None:
    image = {"t": "Image", "c": [["", [], []], [], ["https://e.org/x.png", ""]]}
    ast = {"blocks": [{"t": "Para", "c": [image]}], "meta": {}}
    with pytest.raises(ManuscriptError, match=r"^output/cite/article.md: refused resource"):
        safety.guard_ast(ast, "output/cite/article.md", tmp_path)


def test_weasyprint_fetcher_makes_no_request(tmp_path: Path, server: tuple[str, list[str]]) -> None:
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    base, requests = server
    fetcher = pdf._confined_fetcher([tmp_path])
    for url in (f"{base}/a.png", f"{base}/redirect", "file:///etc/hostname"):
        html = f'<p>x</p><img src="{url}"><link rel="stylesheet" href="{url}">'
        with pytest.raises(FatalURLFetchingError):
            HTML(string=html, base_url=tmp_path.as_uri() + "/", url_fetcher=fetcher).render()
    assert requests == []


def test_malformed_profile_yaml_exits_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("csl_style: apa\npage:\n  size: [A4\n  margin_mm: 3\n")
    with pytest.raises(SystemExit):
        safety.check_yaml_or_exit(config)
    err = capsys.readouterr().err
    assert err.startswith(f"error: {config}:3:9: malformed YAML: a '[' list is not closed")
    assert "\n  hint: fix the YAML syntax at this place" in err


# --------------------------------------------------------------------------- --write


@pytest.fixture()
def failing_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    """os.replace fails (a full disk or a read-only folder at the last step)."""

    def fail(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", fail)


def _no_temporaries(folder: Path, keep: set[str]) -> None:
    assert {p.name for p in folder.iterdir()} == keep


def test_citations_write_failure_leaves_the_source_intact(
    tmp_path: Path, failing_replace: None
) -> None:
    bib = tmp_path / "refs.bib"
    bib.write_text("@book{mackinder2004,\n  author = {Mackinder, H. J.},\n  title = {T},\n"
                   "  year = {2004},\n  publisher = {P},\n}\n")  # fmt: skip
    source = tmp_path / "01-a.md"
    original = "# A {#sec-a}\n\nAs argued (Mackinder, 2004).\n"
    source.write_text(original, encoding="utf-8")
    with pytest.raises(OSError, match="No space"):
        citations.command([str(source)], bib=str(bib), corrections=None, write=True)
    assert source.read_text(encoding="utf-8") == original
    _no_temporaries(tmp_path, {"refs.bib", "01-a.md"})


def test_bibliography_format_write_failure_leaves_the_file_intact(
    tmp_path: Path, failing_replace: None
) -> None:
    bib = tmp_path / "refs.bib"
    original = "@book{b2000, title={T}, author={A, B}, year={2000}, publisher={P}}\n"
    bib.write_text(original, encoding="utf-8")
    assert bibliography.format_bibliography(original, str(bib)) != original
    with pytest.raises(OSError, match="No space"):
        bibliography.command("format", str(bib), write=True)
    assert bib.read_text(encoding="utf-8") == original
    _no_temporaries(tmp_path, {"refs.bib"})


def test_linebreaks_write_failure_leaves_the_file_intact(
    tmp_path: Path, failing_replace: None
) -> None:
    source = tmp_path / "01-a.md"
    original = "# A {#sec-a}\n\nOne sentence. Two sentences.\n"
    source.write_text(original, encoding="utf-8")
    with pytest.raises(OSError, match="No space"):
        linebreaks.command([source], write=True)
    assert source.read_text(encoding="utf-8") == original
    _no_temporaries(tmp_path, {"01-a.md"})


def test_write_into_a_read_only_folder_fails_cleanly(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root ignores folder permissions")
    source = tmp_path / "01-a.md"
    source.write_text("# A {#sec-a}\n\nOne. Two.\n", encoding="utf-8")
    tmp_path.chmod(0o555)
    try:
        with pytest.raises(PermissionError):
            linebreaks.command([source], write=True)
    finally:
        tmp_path.chmod(0o755)
    assert source.read_text(encoding="utf-8") == "# A {#sec-a}\n\nOne. Two.\n"


# --------------------------------------------------------------------------- clear errors (CLI)


def test_cli_malformed_profile_and_unknown_style_name_their_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("csl_style: apa\npage:\n  size: [A4\n")
    assert main(["render", "--to", "json", "--config", str(config), "--output", "x"]) == 1
    err = capsys.readouterr().err
    assert f"{config}:" in err and "YAML" in err and "hint:" in err


@pytest.mark.parametrize(
    ("css", "urls"),
    [
        ("color: red; margin: 0 auto", []),
        ("background: url(a.png)", ["a.png"]),
        ("background: url( 'http://e.org/b.png' )", ["http://e.org/b.png"]),
        ('background: image-set("http://e.org/c.png" 1x, "d.png" 2x)', ["http://e.org/c.png", "d.png"]),  # noqa: E501
        ("background: -webkit-image-set('http://e.org/e.png' 1x)", ["http://e.org/e.png"]),
        (r"background: u\72l(http://e.org/f.png)", ["http://e.org/f.png"]),
        (r'background: \75rl("http://e.org/g.png")', ["http://e.org/g.png"]),
        ("background: cross-fade(url(h.png), 'http://e.org/i.png' 50%)", ["h.png", "http://e.org/i.png"]),
        ('@import "http://e.org/j.css"; @import url(k.css);', ["http://e.org/j.css", "k.css"]),
        ("@font-face { src: url(l.woff) format('woff') }", ["l.woff"]),
        ("content: 'url(not-a-url)'", []),
    ],
    ids=[
        "none", "url", "quoted-url", "image-set", "webkit-image-set", "escaped-url",
        "escaped-quoted-url", "cross-fade", "import", "font-face", "string-only",
    ],
)  # fmt: skip
def test_css_urls_finds_every_url_css_can_load(css: str, urls: list[str]) -> None:
    assert safety.css_urls(css) == urls


def test_an_image_set_in_a_style_attribute_is_refused_at_its_line(project: Path) -> None:
    text = (
        "# A {#sec-a}\n\nText.\n\n"
        "<span style=\"background: image-set('http://127.0.0.1:9/x.png' 1x)\">shaded</span>\n"
    )
    found = safety.check_markdown("manuscript/01-a.md", text, project)
    assert [str(e).splitlines()[0] for e in found.errors] == [
        "manuscript/01-a.md:5:37: refused resource 'http://127.0.0.1:9/x.png': a remote URL (http:)"
    ]


def test_an_articles_images_are_checked_relative_to_its_folder(project: Path) -> None:
    (project / "articles" / "x" / "images").mkdir(parents=True)
    base = project / "articles" / "x"
    assert safety.resource_problem("images/a.png", project, base) is None
    assert safety.resource_problem("../../manuscript/fig.png", project, base) is None
    assert safety.resource_problem("../../../etc/hostname", project, base) == (
        "a path outside the project"
    )


def test_a_missing_image_is_an_error_at_its_line_relative_to_the_article(project: Path) -> None:
    article = project / "articles" / "x"
    (article / "images").mkdir(parents=True)
    (project / "images").mkdir()
    (project / "images" / "shared.png").write_bytes(b"png")
    (article / "images" / "here.png").write_bytes(b"png")
    text = (
        "# A {#sec-a}\n\n![ok](images/here.png)\n\n![gone](images/nothere.png)\n\n"
        "![up](../../images/shared.png)\n"
    )
    found = safety.check_markdown("articles/x/manuscript/01-a.md", text, project, base=article)
    assert [str(e) for e in found.errors] == [
        "articles/x/manuscript/01-a.md:5:9: no such file 'images/nothere.png'\n"
        "  hint: check the path: it is relative to the article's folder (articles/x)"
    ]
