"""Labels: the words an article prints around its content, in the article's language.

Terms: ``lang`` is the document's language as a BCP 47 tag (``fr-FR``, ``en-GB``, ``de``); its
``primary`` subtag is the part before the first hyphen, lower case (``fr``). A ``label`` is one
key of :data:`LABELS_FILE` (``reference-section-title``, ``keywords-title``, ...); the
``metadata labels`` are those given to pandoc as metadata, which the templates and filters
print (``$keywords-title$``, ``citation-backlinks.lua``).

The words are English, then the primary language's, then the regional variant's (CSL 1.0.2
"Locale Fallback": the same order); an unknown language gets English. The article's own
``metadata.yaml`` wins over every label (pandoc's ``-M`` would win over ``--metadata-file``,
so a label the article sets is not passed at all: :func:`label_options`).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from build.yamlfile import load_yaml

#: the words by language (``build/lexicon/labels.yaml``)
LABELS_FILE = Path(__file__).with_name("lexicon") / "labels.yaml"
#: the word "and" between two names by primary subtag: the CSL locale term "and", read by
#: filters/narrative-and.lua and build.citesyntax too (one list)
AND_WORDS_FILE = Path(__file__).parent / "styles" / "filters" / "and-words.json"
#: labels the Python code prints itself (running head, dates): not pandoc metadata
PYTHON_LABELS = frozenset({"et-al", "months", "date-format", "month-year-format"})


def primary_subtag(lang: str | None) -> str:
    """``fr`` of ``fr-FR`` (BCP 47 primary language subtag, lower case; ``_`` read as ``-``);
    '' for None or ''."""
    return (lang or "").strip().replace("_", "-").split("-")[0].lower()


@functools.cache
def _table() -> dict[str, dict[str, Any]]:
    """:data:`LABELS_FILE` with its tags in lower case."""
    data = load_yaml(LABELS_FILE).data
    return {str(tag).lower(): dict(words) for tag, words in data.items()}


def known_language(lang: str | None) -> bool:
    """Whether :data:`LABELS_FILE` has the primary language of ``lang``."""
    return primary_subtag(lang) in _table()


def labels_for(lang: str | None) -> dict[str, Any]:
    """Every label for a document in ``lang`` (BCP 47; None, '' or an unknown language:
    English). English, then the primary language, then the full tag (``pt-BR``, ``en-GB``)."""
    table = _table()
    tag = (lang or "").strip().replace("_", "-").lower()
    words = dict(table["en"])
    words.update(table.get(primary_subtag(lang), {}))
    if tag != primary_subtag(lang):
        words.update(table.get(tag, {}))
    return words


@functools.cache
def _and_words() -> dict[str, str]:
    return json.loads(AND_WORDS_FILE.read_text(encoding="utf-8"))["and"]


def and_word(lang: str | None) -> str:
    """The word that joins two names in ``lang`` (CSL locale term "and": fr "et", de "und");
    "and" for None or a language :data:`AND_WORDS_FILE` lacks."""
    return _and_words().get(primary_subtag(lang), "and")


def metadata_labels(lang: str | None, metadata: Mapping[str, Any] | None = None) -> dict[str, str]:
    """The metadata labels of ``lang`` that ``metadata`` (the article's own) does not set.

    Args:
        lang: the document's language (BCP 47).
        metadata: the article's metadata mapping; a key it has (any value) is left out, so
            the article's ``reference-section-title: Sources`` prints.
    Returns:
        label -> text, in the order of :data:`LABELS_FILE`.
    """
    own = metadata or {}
    return {
        key: str(value)
        for key, value in labels_for(lang).items()
        if key not in PYTHON_LABELS and key not in own
    }


def label_options(lang: str | None, metadata: Mapping[str, Any] | None = None) -> list[str]:
    """pandoc's ``--metadata KEY=VALUE`` options of :func:`metadata_labels` (strings:
    pandoc reads a ``-M`` value as a YAML string or boolean, and no label is a boolean)."""
    options: list[str] = []
    for key, value in metadata_labels(lang, metadata).items():
        options += ["--metadata", f"{key}={value}"]
    return options
