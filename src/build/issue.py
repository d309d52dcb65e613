"""Issue stage: the journal issue's table of contents, ``output/issue/index.html``.

Terms used in this module:

* ``folder``: an article's folder relative to the repository root, as the issue file writes
  it: ``.`` for the root article (``manuscript/`` at the top), ``articles/<slug>`` for the
  others (issue 14, "The layout").
* ``outdir``: the folder an article builds to, relative to the repository root (``output``
  for the root article, ``output/articles/<slug>`` for the others); it holds
  ``article.html``, ``article.pdf`` and ``article.epub``.
* ``issue file``: ``config/issue.yaml``, checked against ``config/issue.schema.yaml``: the
  issue's ``volume``, ``number``, optional ``date``, ``title`` and ``lang``, and ``articles``,
  the order of the table of contents. Without it, the order is that of the folders' names
  (the root article first) and the page names no volume, number or date.
* ``journal``: the set values of ``journal`` in ``config/config.yaml`` (``build.render.Profile``).

The core (:func:`read_issue`, :func:`order_folders`, :func:`article_entry`,
:func:`issue_page`) takes values and returns values; :func:`write_issue` and
:func:`command` read and write files. Metadata strings are text: every one is HTML-escaped;
in titles only ``*emphasis*`` and ``_emphasis_`` become ``<em>`` (:func:`inline_title`).
The page has no clock time in it: the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime
import html
import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from build.errors import ConfigError, ErrorList, ManuscriptError, PipelineError

#: The page's stylesheet (package data), inlined so that output/issue/ works as a static folder.
ISSUE_CSS = Path(__file__).resolve().parent / "styles" / "css" / "issue.css"

#: The formats each article builds to, in the order the page lists them: (file, link text).
FORMATS = (("article.html", "HTML"), ("article.pdf", "PDF"), ("article.epub", "EPUB"))

#: Language of the page's own words ("Contents", "PDF"), used when nothing else gives one.
PAGE_WORDS_LANG = "en"

_MONTHS = (
    "January February March April May June July August September October November December"
).split()


@dataclass(frozen=True)
class Issue:
    """The issue file's values (``config/issue.yaml``), as text; ``None`` = not given.

    ``article_lines`` holds the 1-based line of each item of ``articles``, ``articles_line``
    the line where the list starts, ``volume_line`` and ``number_line`` those of the values,
    for messages.
    """

    path: str
    volume: str | None = None
    number: str | None = None
    date: str | None = None
    title: str | None = None
    lang: str | None = None
    articles: tuple[str, ...] = ()
    article_lines: tuple[int, ...] = ()
    articles_line: int = 0
    volume_line: int = 0
    number_line: int = 0


@dataclass(frozen=True)
class Entry:
    """One article of the table of contents, as plain text (not yet escaped).

    ``href_base`` is the article's outdir relative to the page's folder (``..`` for the
    root article seen from ``output/issue``); ``lang`` is its metadata ``lang`` or ``None``.
    """

    folder: str
    title: str
    subtitle: str | None
    authors: tuple[str, ...]
    href_base: str
    lang: str | None = None


# --------------------------------------------------------------------------- the issue file


def read_issue(text: str, path: str, schema: dict[str, Any]) -> Issue:
    """Parse and check the issue file.

    Args:
        text: the YAML text of ``config/issue.yaml``.
        path: its path, named in every message.
        schema: the parsed ``config/issue.schema.yaml`` (JSON Schema 2020-12).

    Returns:
        the :class:`Issue`; numbers become text as written (``volume: 3`` -> ``"3"``), a date
        stays the text it is (the schema checks it).

    Raises:
        ConfigError: malformed YAML, with its ``path:line:col``.
        ErrorList: of :class:`ConfigError`, one per schema violation (``path:line:col: key:
            problem`` and a hint) and per folder listed twice.
    """
    from build.render import schema_errors
    from build.yamlfile import parse_yaml, yaml_position

    data = parse_yaml(text, path, ConfigError).data  # an unquoted date stays its text
    schema_name = str(Path(path).with_name("issue.schema.yaml"))
    problems = schema_errors(data, schema, path, text, schema_name)
    if problems:
        raise ErrorList(problems)
    folders = [_normal_folder(item) for item in data["articles"]]
    lines = [yaml_position(text, ["articles", index])[0] for index in range(len(folders))]
    for index, folder in enumerate(folders):
        if folder in folders[:index]:
            first = lines[folders.index(folder)]
            problems.append(
                ConfigError(
                    f"article folder {folder!r} is listed twice (first on line {first})",
                    path,
                    lines[index],
                    hint="list each article once; remove this line",
                )
            )
    if problems:
        raise ErrorList(problems)

    def _text(key: str) -> str | None:
        value = data.get(key)
        return None if value is None or str(value).strip() == "" else str(value)

    return Issue(
        path=path,
        volume=_text("volume"),
        number=_text("number"),
        date=_text("date"),
        title=_text("title"),
        lang=_text("lang"),
        articles=tuple(folders),
        article_lines=tuple(lines),
        articles_line=yaml_position(text, ["articles"])[0],
        volume_line=yaml_position(text, ["volume"])[0],
        number_line=yaml_position(text, ["number"])[0],
    )


def _normal_folder(folder: str) -> str:
    """``articles/x/`` and ``./articles/x`` as ``articles/x``; the root as ``.``."""
    return posixpath.normpath(folder.strip())


def order_folders(folders: Sequence[str], issue: Issue | None) -> list[str]:
    """The articles' folders in table-of-contents order.

    Rule (issue 14): the issue file's ``articles`` order; without an issue file the folders'
    names in code-point order with the root article (``.``) first.

    Args:
        folders: the folders of the articles being built (found by globbing).
        issue: the issue file, or ``None``.

    Returns:
        the folders, each once, in order.

    Raises:
        ErrorList: of :class:`ConfigError`, naming the issue file's line: a listed folder that
            is not an article, and an article the file does not list (at the ``articles``
            key, with a hint to add it).
    """
    given = [_normal_folder(folder) for folder in folders]
    if issue is None:
        return sorted(dict.fromkeys(given), key=lambda folder: (folder != ".", folder))
    known = ", ".join(sorted(given, key=lambda folder: (folder != ".", folder)))
    problems: list[PipelineError] = []
    for folder, line in zip(issue.articles, issue.article_lines, strict=True):
        if folder not in given:
            problems.append(
                ConfigError(
                    f"{folder!r} is not an article folder (one with manuscript/metadata.yaml)",
                    issue.path,
                    line,
                    hint=f"remove it or correct the path; the articles are: {known}",
                )
            )
    for folder in sorted(set(given) - set(issue.articles), key=given.index):
        problems.append(
            ConfigError(
                f"the article {folder!r} is missing from the issue's articles",
                issue.path,
                issue.articles_line,
                hint=f"add `- {folder}` to `articles` where it belongs in the table of contents",
            )
        )
    if problems:
        raise ErrorList(problems)
    return list(issue.articles)


# --------------------------------------------------------------------------- the entries


def _plain(value: Any) -> str | None:
    """A metadata scalar as stripped text; ``None`` for null, empty text and non-scalars."""
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def article_entry(folder: str, metadata: Mapping[str, Any], outdir: str, page_dir: str) -> Entry:
    """The table-of-contents entry of one article.

    Args:
        folder: the article's folder (``.`` or ``articles/<slug>``).
        metadata: its checked ``manuscript/metadata.yaml`` (``build.manuscript.load_metadata``):
            ``title``, optional ``subtitle`` and ``lang``, ``author`` a list of mappings with
            ``name`` (or of plain names).
        outdir: the folder it builds to, relative to the repository root (``output``).
        page_dir: the folder of the issue page, relative to the same root (``output/issue``).

    Returns:
        the :class:`Entry`; empty values are ``None`` and print nothing.
    """
    authors = []
    for author in metadata.get("author") or []:
        name = _plain(author.get("name")) if isinstance(author, Mapping) else _plain(author)
        if name:
            authors.append(name)
    return Entry(
        folder=_normal_folder(folder),
        title=_plain(metadata.get("title")) or "",
        subtitle=_plain(metadata.get("subtitle")),
        authors=tuple(authors),
        href_base=posixpath.relpath(posixpath.normpath(outdir), posixpath.normpath(page_dir)),
        lang=_plain(metadata.get("lang")),
    )


#: Inline emphasis in a title: ``*text*`` or ``_text_`` (pandoc Markdown), no nesting; the
#: underscore form only between non-word characters, as pandoc's ``intraword_underscores``.
_EMPHASIS = re.compile(
    r"(?<![\w*\\])\*(?=\S)([^*]+?)(?<=[^\s\\])\*(?!\*)|(?<![\w\\])_(?=\S)([^_]+?)(?<=[^\s\\])_(?!\w)"
)
_ESCAPED = re.compile(r"\\([*_\\])")


def inline_title(text: str) -> str:
    """A metadata title as HTML: everything escaped, then ``*x*`` / ``_x_`` as ``<em>x</em>``
    and ``\\*``, ``\\_``, ``\\\\`` as the character (a strict whitelist: any other markup,
    ``<i>`` or ``<script>`` included, prints as the text it is)."""
    out, last = [], 0
    for match in _EMPHASIS.finditer(text):
        out.append(_escape_text(text[last : match.start()]))
        out.append(f"<em>{_escape_text(match.group(1) or match.group(2))}</em>")
        last = match.end()
    out.append(_escape_text(text[last:]))
    return "".join(out)


def plain_title(text: str) -> str:
    """A title as plain text: the emphasis markers of :func:`inline_title` removed."""
    return _ESCAPED.sub(r"\1", _EMPHASIS.sub(lambda m: m.group(1) or m.group(2), text))


def _escape_text(text: str) -> str:
    return html.escape(_ESCAPED.sub(r"\1", text), quote=True)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------- the page


def _issue_label(volume: str | None, number: str | None) -> str:
    parts = [f"Volume {volume}" if volume else "", f"Number {number}" if number else ""]
    return ", ".join(part for part in parts if part)


def _human_date(iso: str) -> str:
    """``2025-06-30`` as ``30 June 2025`` (English month names, no locale)."""
    day = datetime.date.fromisoformat(iso)
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def page_lang(issue: Issue | None, entries: Sequence[Entry]) -> str:
    """The page's ``lang``: the issue file's, else the one language all articles share, else
    :data:`PAGE_WORDS_LANG` (the language of the page's own words)."""
    if issue is not None and issue.lang:
        return issue.lang
    langs = {entry.lang for entry in entries}
    if len(langs) == 1 and None not in langs:
        return next(iter(langs))  # type: ignore[return-value]
    return PAGE_WORDS_LANG


def issue_page(
    journal: Mapping[str, str], issue: Issue | None, entries: Sequence[Entry], css: str
) -> str:
    """The table of contents as a standalone HTML5 page.

    Structure (WCAG 2.2: 1.3.1 info and relationships, 2.4.4 link purpose, 3.1.1/3.1.2
    language of page and parts): one ``h1`` (the issue's title, else "Volume V, Number N",
    else the journal's name, else "Table of contents"); a ``nav`` with an ``h2`` "Articles"
    and an ordered list,
    one ``li`` per article with its title as an ``h3`` linked to the HTML, its subtitle and
    authors, and links "HTML", "PDF", "EPUB" whose accessible names also name the article
    (visually hidden text). An entry whose ``lang`` differs from the page's carries its own.

    Args:
        journal: the journal profile's set values (``name``, ``issn``); others are ignored.
        issue: the issue file, or ``None`` (then the page names no volume, number or date).
        entries: the articles in table-of-contents order (:func:`order_folders`).
        css: the stylesheet, inlined in a ``style`` element.

    Returns:
        the page (UTF-8 text, ``\\n`` line ends, no clock time).
    """
    volume = issue.volume if issue else None
    number = issue.number if issue else None
    date = issue.date if issue else None
    title = issue.title if issue else None
    name = journal.get("name")
    label = _issue_label(volume, number)
    lang = page_lang(issue, entries)

    if title:
        heading, plain_heading = inline_title(title), plain_title(title)
    else:
        plain_heading = label or name or "Table of contents"
        heading = _escape(plain_heading)
    head_title = " – ".join(dict.fromkeys(part for part in (plain_heading, label, name) if part))

    header = ['<header class="issue-header">']
    journal_line = []
    if name and name != plain_heading:
        journal_line.append(f'<span class="journal-name">{_escape(name)}</span>')
    if journal.get("issn"):
        journal_line.append(f'<span class="journal-issn">ISSN {_escape(journal["issn"])}</span>')
    if journal_line:
        header.append(f'<p class="journal-line">{" ".join(journal_line)}</p>')
    header.append(f'<h1 class="issue-title">{heading}</h1>')
    details = [_escape(label)] if label and label != plain_heading else []
    if date:
        details.append(f'<time datetime="{_escape(date)}">{_escape(_human_date(date))}</time>')
    if details:
        header.append(f'<p class="issue-details">{", ".join(details)}</p>')
    header.append("</header>")

    items = [_entry_html(index, entry, lang) for index, entry in enumerate(entries, 1)]
    lines = [
        "<!DOCTYPE html>",
        f'<html lang="{_escape(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_escape(head_title)}</title>",
        f"<style>\n{css.rstrip()}\n</style>",
        "</head>",
        "<body>",
        '<main class="issue">',
        *header,
        '<nav class="issue-contents" aria-labelledby="contents-title">',
        '<h2 id="contents-title">Articles</h2>',
        '<ol class="toc-list">',
        *items,
        "</ol>",
        "</nav>",
        "</main>",
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines)


def _entry_html(index: int, entry: Entry, page_lang_: str) -> str:
    """One ``li`` of the contents list (see :func:`issue_page`); the article's language marks
    its title, subtitle and the title in the links' hidden text, not the page's own words."""
    lang = f' lang="{_escape(entry.lang)}"' if entry.lang and entry.lang != page_lang_ else ""
    name = plain_title(entry.title)
    href = {file: _escape(posixpath.join(entry.href_base, file)) for file, _ in FORMATS}
    parts = [
        '<li class="toc-entry">',
        f'<h3 class="toc-title" id="article-{index}"{lang}><a href="{href["article.html"]}">'
        f"{inline_title(entry.title)}</a></h3>",
    ]
    if entry.subtitle:
        parts.append(f'<p class="toc-subtitle"{lang}>{inline_title(entry.subtitle)}</p>')
    if entry.authors:
        names = ", ".join(f'<span class="toc-author">{_escape(a)}</span>' for a in entry.authors)
        parts.append(f'<p class="toc-authors">{names}</p>')
    links = [
        f'<li><a href="{href[file]}">{text}<span class="visually-hidden">: '
        f"<span{lang}>{_escape(name)}</span></span></a></li>"
        for file, text in FORMATS
    ]
    parts.append(f'<ul class="toc-formats" aria-label="Formats">{"".join(links)}</ul>')
    parts.append("</li>")
    return "\n".join(parts)


# --------------------------------------------------------------------------- edge: files


@dataclass(frozen=True)
class ArticleSource:
    """One article as the workflow names it: its folder, its metadata file and its outdir
    (all relative to the repository root)."""

    folder: str
    metadata: str
    outdir: str


def load_issue(path: str | Path) -> Issue:
    """Read ``config/issue.yaml`` and check it against ``issue.schema.yaml`` beside it.

    Raises:
        ConfigError: the file or its schema cannot be read or is not YAML (``path:line:col``).
        ErrorList: see :func:`read_issue`.
    """
    from build.atomic import read_utf8
    from build.yamlfile import parse_yaml

    schema_path = Path(path).with_name("issue.schema.yaml")
    schema_text = read_utf8(schema_path, ConfigError)
    schema = parse_yaml(schema_text, str(schema_path), ConfigError).data
    return read_issue(read_utf8(path, ConfigError), str(path), schema)


def write_issue(
    config: str | Path,
    issue: str | Path | None,
    articles: Sequence[ArticleSource],
    output: str | Path,
) -> None:
    """Write the issue's table of contents atomically (thin edge of :func:`issue_page`).

    Args:
        config: ``config/config.yaml`` (the journal profile; checked against its schema).
        issue: ``config/issue.yaml`` or ``None`` when the issue has no issue file.
        articles: every article of the issue, any order.
        output: the page, e.g. ``output/issue/index.html``; the links are relative to its
            folder, and every path is relative to the repository root (the working folder).

    Raises:
        ConfigError, ManuscriptError or ErrorList: a bad profile, issue file or metadata file,
            each naming its ``path:line``; no article at all.
    """
    from build.atomic import read_utf8, write_text_atomic
    from build.manuscript import load_metadata
    from build.render import load_profile

    if not articles:
        raise ConfigError(
            "the issue has no article", str(output), hint="give at least one --article"
        )
    journal = load_profile(config).journal
    issue_value = load_issue(issue) if issue is not None else None
    by_folder = {_normal_folder(a.folder): a for a in articles}
    order = order_folders(list(by_folder), issue_value)
    page_dir = os.path.dirname(os.path.abspath(output))
    problems: list[PipelineError] = []
    entries = []
    for folder in order:
        source = by_folder[folder]
        try:
            metadata = load_metadata(source.metadata)
        except (ManuscriptError, ErrorList) as error:
            problems.extend(error.errors if isinstance(error, ErrorList) else [error])
            continue
        entries.append(article_entry(folder, metadata, os.path.abspath(source.outdir), page_dir))
    if problems:
        raise ErrorList(problems)
    page = issue_page(journal, issue_value, entries, read_utf8(ISSUE_CSS, ConfigError))
    write_text_atomic(output, page)


def configure_parser(parser: argparse.ArgumentParser) -> None:
    """Options of ``article issue``."""
    parser.add_argument("--config", default="config/config.yaml", help="the journal profile")
    parser.add_argument(
        "--issue",
        metavar="ISSUE_YAML",
        help="the issue file (config/issue.yaml); leave it out when there is none",
    )
    parser.add_argument(
        "--article",
        nargs=3,
        action="append",
        default=[],
        metavar=("FOLDER", "METADATA_YAML", "OUTDIR"),
        help="one article: its folder (. or articles/<slug>), its metadata.yaml and the folder "
        "it builds to (output or output/articles/<slug>); repeat for each article",
    )
    parser.add_argument(
        "--output", default="output/issue/index.html", help="the page (default: %(default)s)"
    )


def command(
    config: str = "config/config.yaml",
    issue: str | None = None,
    article: Sequence[Sequence[str]] = (),
    output: str = "output/issue/index.html",
) -> int:
    """Write the issue's table of contents; returns 0 (problems raise, the CLI prints them)."""
    write_issue(config, issue, [ArticleSource(*triple) for triple in article], output)
    return 0
