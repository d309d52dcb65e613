"""Alt text that is there but describes nothing: the pure core of the preflight check.

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
from pathlib import Path

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
