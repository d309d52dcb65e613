"""Every document a message, hint or docstring of the pipeline names exists (issue 16)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: a document of the repository named in code: docs/….md or an upper-case NAME.md (not a
#: placeholder of a usage line such as OUT.md)
DOCUMENT_RE = re.compile(r"(?<![\w/.-])((?:docs/[\w./-]+|[A-Z][A-Z_-]{3,})\.md)\b")


def named_documents() -> dict[str, list[str]]:
    """document -> the files of src/build/, rules/ and .ci/ that name it."""
    found: dict[str, list[str]] = {}
    files = [*(ROOT / "src" / "build").rglob("*.py"), *(ROOT / "src" / "build").rglob("*.lua")]
    files += [*(ROOT / "rules").glob("*.smk"), ROOT / "Snakefile", *(ROOT / ".ci").glob("*")]
    for path in files:
        if path.is_file():
            for match in DOCUMENT_RE.finditer(path.read_text(encoding="utf-8")):
                found.setdefault(match.group(1), []).append(str(path.relative_to(ROOT)))
    return found


def test_every_named_document_exists() -> None:
    named = named_documents()
    assert "docs/conventions.md" in named  # the pattern finds what the code names
    missing = {doc: files for doc, files in named.items() if not (ROOT / doc).is_file()}
    assert missing == {}
