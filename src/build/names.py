"""Personal names: the family name of an author as a running head prints it.

Terms: ``name`` is an author's name as written in ``metadata.yaml`` (given names first,
"Anaïs Du Bois"); ``family`` its family name with its particles ("Du Bois"); a ``particle``
a word of :data:`PARTICLES_FILE` ("van", "de", "du", ...) that belongs to the family name.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from build.yamlfile import load_yaml

#: the particle list (``build/lexicon/name-particles.yaml``)
PARTICLES_FILE = Path(__file__).with_name("lexicon") / "name-particles.yaml"


@functools.cache
def name_particles() -> tuple[frozenset[str], frozenset[str]]:
    """(particles, joining words) of :data:`PARTICLES_FILE`, lower case."""
    data = load_yaml(PARTICLES_FILE).data
    return (
        frozenset(str(p).lower() for p in data["particles"]),
        frozenset(str(p).lower() for p in data.get("joining", [])),
    )


def family_name(author: Any) -> str:
    """The family name of one author of ``metadata.yaml``.

    Args:
        author: a mapping (``family`` or ``surname`` if given, else ``name``) or a string.
    Returns:
        ``family``/``surname`` as written; else the last word of the name with the particles
        before it, of any case ("Anaïs Du Bois" -> "Du Bois", "Jan van der Berg" -> "van der
        Berg", "Juan de la Cruz" -> "de la Cruz"), and a name joined by a joining word
        ("José Ortega y Gasset" -> "Ortega y Gasset"); the first word is never taken as a
        particle (it is a given name). '' for an empty name. Structured names follow CSL's
        name variables (``family``, ``given``: CSL-JSON, citeproc-js).
    """
    if isinstance(author, dict):
        for key in ("family", "surname"):
            if str(author.get(key) or "").strip():
                return " ".join(str(author[key]).split())
        author = author.get("name", "")
    words = str(author or "").split()
    if not words:
        return ""
    particles, joining = name_particles()
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in particles:
        start -= 1
        if words[start].lower() in joining and start > 1:
            start -= 1  # the family name before "y"
    return " ".join(words[start:])
