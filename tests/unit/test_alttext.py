"""Unit tests of build.alttext: alt text that describes nothing, on small inputs of its own."""

from __future__ import annotations

import pytest

from build import alttext


@pytest.mark.parametrize(
    ("alt", "src", "captions", "lang", "problem"),
    [
        ("Three rivers flow south to the sea", "a.png", ("Rivers of Ghana",), "en", None),
        ("Rivers of Ghana.", "a.png", ("Rivers of Ghana",), "en", "caption"),
        (
            "rivers  of GHANA",
            "a.png",
            ("Figure 2 Rivers of Ghana", "Rivers of Ghana"),
            "en",
            "caption",
        ),
        ("fig-1.svg", "figures/fig-1.svg", (), "en", "file name"),
        ("image.png", "x.png", (), "de", "file name"),
        ("plots/Übersicht.PDF", "x.pdf", (), None, "file name"),
        ("karte", "images/karte.png", (), "sw", "file name"),  # its own file name, no extension
        ("image", "x.png", (), "en-GB", "generic word"),
        ("Figure 3", "x.png", (), "en", "generic word"),
        ("The chart.", "x.png", (), "en", "generic word"),
        ("image-1", "x.png", (), "en", "generic word"),
        ("Abb. 2", "x.png", (), "de-AT", "generic word"),
        ("Schaubild", "x.png", (), "de", "generic word"),
        ("L’image", "x.png", (), "fr", "generic word"),
        ("Рисунок 4", "x.png", (), "ru", "generic word"),
        ("imagen", "x.png", (), "es-MX", "generic word"),
        ("image", "x.png", (), "sw", None),  # a language without a list: no word check
        ("chart", "x.png", (), "fr", None),  # an English word in a French article
        ("Bild", "x.png", (), None, "generic word"),  # no lang: every language
        ("theory of images", "x.png", (), "en", None),
        ("A map of the Volta basin with its dams", "x.png", (), "en", None),
        ("Version 2.0 of the index", "x.png", (), "en", None),
    ],
)
def test_alt_text_problem(alt, src, captions, lang, problem) -> None:
    message = alttext.alt_text_problem(alt, src, captions, lang)
    if problem is None:
        assert message is None
    else:
        assert message is not None and f"'{alt}'" in message and problem in message


def test_messages_are_exact() -> None:
    assert alttext.alt_text_problem("Karte", "a.png", ("Karte",), "de") == (
        "alt text 'Karte' repeats the figure's caption: it does not describe the image"
    )
    assert alttext.alt_text_problem("a.svg", "a.svg") == (
        "alt text 'a.svg' is a file name, not a description of the image"
    )
    assert alttext.alt_text_problem("Foto", "a.png", (), "de") == (
        "alt text 'Foto' is a generic word, not a description of the image"
    )


def test_the_lexicon_has_words_and_articles_for_each_language() -> None:
    lexicon = alttext.generic_words()
    assert {"en", "de", "fr", "es", "ru"} <= set(lexicon)
    for lang, (words, articles) in lexicon.items():
        assert words and all(w == w.casefold().strip() for w in words), lang
        assert isinstance(articles, tuple), lang
    assert "image" in lexicon["en"][0] and "the" in lexicon["en"][1]
