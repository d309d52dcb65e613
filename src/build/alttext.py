"""Text alternatives of images: the preflight rule (:func:`find_alt_text_problems`) and its
pure core (alt text that is there but describes nothing).

Terms: an image's *alt text* is its text alternative as the outputs print it (pandoc's image
description, or its ``alt`` attribute); a figure's *caption* is its caption's plain text, with
and without its label ("Figure 1"). WCAG 2.2 success criterion 1.1.1 asks for a text
alternative that serves the same purpose as the image; its failure technique F30 names alt
text that is not one: a file name, a placeholder or generic word ("image", "figure 1"). An alt
text equal to the caption says nothing the caption does not (a screen reader reads it twice;
HTML, "Requirements for providing text to act as an alternative for images": a figure's
caption and its image's alt do different jobs). The generic words are data, per language
(``build/lexicon/alt-text.yaml``).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from build.preflight import Finding, locate, stringify, walk_ast

LEXICON = Path(__file__).with_name("lexicon") / "alt-text.yaml"

#: file name extensions of images and of the documents a figure is made from
IMAGE_EXTENSIONS = (
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "tif", "tiff", "bmp", "eps", "pdf",
    "heic", "ico",
)  # fmt: skip
_FILE_NAME_RE = re.compile(
    r"^(?:[\w.~-]+[/\\])*[\w .~-]+\.(?:" + "|".join(IMAGE_EXTENSIONS) + r")$", re.IGNORECASE
)
#: a trailing number or letter-number of a generic alt text ("figure 3", "image-1", "abb. 2a")
_TRAILING_NUMBER_RE = re.compile(r"[\s._#-]*(?:no\.?\s*)?\d+[a-z]?$")


@functools.cache
def generic_words() -> dict[str, tuple[frozenset[str], tuple[str, ...]]]:
    """The lexicon (``build/lexicon/alt-text.yaml``): language -> (generic words, articles),
    each case-folded. Source: WCAG 2.2 technique F30."""
    import yaml

    data = yaml.safe_load(LEXICON.read_text(encoding="utf-8"))
    return {
        str(lang): (
            frozenset(str(w).casefold() for w in entry.get("generic") or ()),
            tuple(str(a).casefold() for a in entry.get("articles") or ()),
        )
        for lang, entry in data.items()
    }


def normalized(text: str) -> str:
    """``text`` case-folded (NFC), its whitespace collapsed, surrounding punctuation and quotes
    dropped: the form alt texts and captions are compared in."""
    text = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    return text.strip(" \t.,;:!?\"'“”‘’«»()[]{}…-–—")


def is_file_name(alt: str, src: str = "") -> bool:
    """Whether ``alt`` is a file name (``fig-1.svg``, ``images/map.PNG``) or the image's own
    path or file name (``src``, with or without its extension)."""
    text = alt.strip()
    if _FILE_NAME_RE.match(text):
        return True
    if not src:
        return False
    name = src.replace("\\", "/").rsplit("/", 1)[-1]
    return text in (src, name, name.rsplit(".", 1)[0]) and "." in name


def is_generic(alt: str, lang: str | None) -> bool:
    """Whether ``alt`` is only a generic word of the lexicon ("image", "Figure 3", "The
    chart", "Abb. 2") in the article's language ``lang`` (BCP 47, its primary subtag is the
    lexicon's key); ``None``: every language of the lexicon; a language without an entry:
    False."""
    lexicon = generic_words()
    if lang is None:
        entries = list(lexicon.values())
    else:
        primary = lang.split("-")[0].casefold()
        entries = [lexicon[primary]] if primary in lexicon else []
    text = normalized(alt)
    for words, articles in entries:
        candidate = _TRAILING_NUMBER_RE.sub("", text).strip(" .")
        for article in articles:
            if candidate.startswith(article) and candidate[len(article) :][:1] in (" ", ""):
                candidate = candidate[len(article) :].strip()
                break
            if article.endswith(("'", "’")) and candidate.startswith(article):  # l'image
                candidate = candidate[len(article) :]
                break
        if candidate in words or text in words:
            return True
    return False


def alt_text_problem(
    alt: str, src: str, captions: tuple[str, ...] = (), lang: str | None = None
) -> str | None:
    """Why a non-empty alt text describes nothing, or None when it may.

    Args:
        alt: the image's alt text (plain text).
        src: the image's path or URL.
        captions: its figure's caption texts (with and without the label), none outside a
            figure.
        lang: the article's language (BCP 47), None when it gives none.

    Returns:
        the message of the finding: the alt text is the caption, a file name, or a generic
        word (in this order of checks), else None.
    """
    if any(normalized(alt) == normalized(c) for c in captions if normalized(c)):
        return f"alt text '{alt}' repeats the figure's caption: it does not describe the image"
    if is_file_name(alt, src):
        return f"alt text '{alt}' is a file name, not a description of the image"
    if is_generic(alt, lang):
        return f"alt text '{alt}' is a generic word, not a description of the image"
    return None


# --------------------------------------------------------------------------- the preflight rule


def _without_labels(node: Any) -> Any:
    """``node`` without its ``caption-label`` spans ("Figure 1" of a generated caption)."""
    if isinstance(node, list):
        return [_without_labels(n) for n in node if not _is_label(n)]
    if isinstance(node, dict):
        return {k: _without_labels(v) for k, v in node.items()}
    return node


def _is_label(node: Any) -> bool:
    return isinstance(node, dict) and node.get("t") == "Span" and "caption-label" in node["c"][0][1]


def _figure_captions(blocks: Any) -> dict[int, tuple[str, ...]]:
    """``id()`` of each Image inside a Figure -> that figure's caption texts (with and without
    its label)."""
    found: dict[int, tuple[str, ...]] = {}
    for figure in walk_ast(blocks):
        if figure["t"] != "Figure":
            continue
        caption = figure["c"][1][1]
        texts = (stringify(caption), stringify(_without_labels(caption)))
        for node in walk_ast(figure["c"][2]):
            if node["t"] == "Image":
                found[id(node)] = texts
    return found


_IMG_TAG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ALT_ATTR_RE = re.compile(
    r"""(?<![\w-])alt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.IGNORECASE
)
_SRC_ATTR_RE = re.compile(r"""(?<![\w-])src\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""", re.I)


_DESCRIBE_HINT = (
    "say what the image shows, not its kind, file name or caption (the caption prints beside "
    'it): ![caption](src){alt="..."} (a generated figure: its script\'s alt text)'
)


def _attribute(pattern: re.Pattern[str], tag: str) -> str:
    """The value of the attribute ``pattern`` matches in an HTML ``tag`` (quoted or not)."""
    match = pattern.search(tag)
    return next((g for g in match.groups() if g is not None), "") if match else ""


def find_alt_text_problems(
    ast: Mapping[str, Any], sources: Mapping[str, str], lang: str | None = None
) -> list[Finding]:
    """Every image of the parsed article without a text alternative (``missing-alt-text``), or
    whose alternative describes nothing (``non-descriptive-alt-text``: it is the figure's
    caption, a file name or a generic word of the article's language,
    :func:`build.alttext.alt_text_problem`). WCAG 2.2 SC 1.1.1 and its failure F30.

    An image's alternative is its description (``![description](src)``) or its ``alt``
    attribute, which wins (pandoc writes it as ``alt``); a figure written ``![caption](src)``
    has its caption as description, so it needs ``{alt="..."}``. Raw HTML ``<img>`` too.

    Args:
        ast: pandoc's JSON AST of the article (``blocks`` searched, ``meta.lang`` read).
        sources: the files the images come from (path -> text), to give each finding a line.
        lang: the article's language (BCP 47); default: the AST's ``lang``, else every
            language of the lexicon.

    Returns:
        One finding per image, in document order; subject: its ``src`` (raw HTML: its tag).
    """
    if lang is None:
        lang = stringify(ast.get("meta", {}).get("lang", {}).get("c", [])) or None
    found = []
    hint = (
        "give it a text alternative that says what the image shows: "
        '![caption](src){alt="..."} (a generated figure: its script\'s alt text)'
    )
    captions = _figure_captions(ast.get("blocks", []))
    images: list[tuple[str, str, tuple[str, ...], str]] = []  # (subject, src, captions, alt)
    for node in walk_ast(ast.get("blocks", [])):
        if node["t"] == "Image":
            alt = dict(node["c"][0][2]).get("alt", "").strip() or stringify(node["c"][1])
            src = node["c"][2][0]
            images.append((src, src, captions.get(id(node), ()), alt))
        elif node["t"] in ("RawInline", "RawBlock") and node["c"][0] == "html":
            for tag in _IMG_TAG_RE.findall(node["c"][1]):
                alt, src = (_attribute(_ALT_ATTR_RE, tag), _attribute(_SRC_ATTR_RE, tag))
                images.append((tag, src, (), alt.strip()))
    for subject, src, texts, alt in images:
        if not alt:
            rule = "missing-alt-text"
            raw = "raw HTML " if subject.startswith("<") else ""
            message: str | None = f"{raw}image without alt text"
        else:
            rule, message = "non-descriptive-alt-text", alt_text_problem(alt, src, texts, lang)
        if message:
            path, line = locate(subject, sources)
            advice = hint if rule == "missing-alt-text" else _DESCRIBE_HINT
            found.append(Finding(rule, subject, message, advice, path or "article", line))
    return found
