"""Unit tests of the PDF's fonts (src/build/fonts.py): which family an embedded font is of.

The PDF edge (a font not installed, a character set in a fallback font) is tested with the
render fixture in tests/unit/test_render.py.
"""

from __future__ import annotations

import pytest

from build import fonts
from build.profile import Profile

FAMILIES = ["Linux Libertine O", "Linux Biolinum O", "Linux Libertine Mono O", "DejaVu Sans"]


@pytest.mark.parametrize(
    ("font", "family"),
    [
        pytest.param("Linux-Libertine-O", "Linux Libertine O", id="regular"),
        pytest.param("Linux-Libertine-O-Bold-Italic", "Linux Libertine O", id="styles"),
        pytest.param("Linux-Biolinum-O-Semi-Bold", "Linux Biolinum O", id="semi-bold"),
        pytest.param("Linux-Libertine-Mono-O", "Linux Libertine Mono O", id="mono"),
        pytest.param("Linux-Libertine-Display-O", None, id="another-family"),
        pytest.param("DejaVu-Sans-Mono", None, id="mono-is-no-style"),
        pytest.param("DejaVu-Sans-Bold", "DejaVu Sans", id="dejavu"),
        pytest.param("DejaVu-Serif", None, id="fallback"),
    ],
)
def test_an_embedded_font_is_of_the_family_its_name_starts_with(font, family):
    assert fonts.font_family(font, FAMILIES) == family


@pytest.mark.parametrize(
    ("font", "family"),
    [
        ("DejaVu-Serif-Bold-Italic", "DejaVu Serif"),
        ("DejaVu-Sans", "DejaVu Sans"),
        ("Noto-Sans-CJK-JP-Regular", "Noto Sans CJK JP"),
    ],
)
def test_the_family_name_of_an_embedded_font(font, family):
    assert fonts.family_name(font) == family


def test_fallback_fonts_are_those_of_no_profile_family():
    embedded = ["DejaVu-Sans", "Linux-Biolinum-O-Bold", "Linux-Libertine-O-Italic"]
    assert fonts.fallback_fonts(embedded, Profile()) == ["DejaVu-Sans"]
    assert fonts.profile_families(Profile()) == {
        "body": "Linux Libertine O",
        "heading": "Linux Biolinum O",
        "mono": "Linux Libertine Mono O",
    }


def test_the_embedded_fonts_of_a_pdffonts_listing():
    from build.fonts import pdffonts_names

    listing = (
        "name                                 type              encoding         emb sub uni "
        "object ID\n"
        "------------------------------------ ----------------- ---------------- --- --- --- "
        "---------\n"
        "YEXQIW+Linux-Biolinum-O-Bold         CID Type 0C (OT)  Identity-H       yes yes yes "
        "   383  0\n"
        "MIHKDJ+Linux-Libertine-O             CID Type 0C (OT)  Identity-H       yes yes yes "
        "   387  0\n"
        "Helvetica                            Type 1            WinAnsi          no  no  no  "
        "    12  0\n"
        "ABCDEF+Linux-Libertine-O             CID Type 0C (OT)  Identity-H       yes yes yes "
        "   390  0\n"
    )
    assert pdffonts_names(listing) == ["Linux-Biolinum-O-Bold", "Linux-Libertine-O"]
