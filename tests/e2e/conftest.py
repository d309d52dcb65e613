"""e2e fixtures: the validators' verdicts on the session build, each validator run once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import validators

from projects import Build, once_per_session, shared_folder


@dataclass(frozen=True)
class Verdicts:
    """The validators' parsed verdicts on every article of the session build, keyed by the
    output's path relative to the build's root (``output/article.epub``, ...)."""

    build: Build
    found: dict[str, dict]

    def _get(self, tool: str, slug: str | None, name: str) -> dict | list:
        path = (self.build.output(slug) / name).relative_to(self.build.root).as_posix()
        return self.found[tool][path]

    def epubcheck(self, slug: str | None = None) -> dict:
        """EPUBCheck on the article's EPUB (validators.epubcheck's dict)."""
        return self._get("epubcheck", slug, "article.epub")

    def nu_errors(self, slug: str | None = None) -> list[str]:
        """The Nu HTML Checker's errors on the article's HTML page (``[]``: valid)."""
        return self._get("vnu", slug, "article.html")

    def axe(self, slug: str | None = None) -> dict:
        """axe-core's result on the article's HTML page (validators.axe's dict)."""
        return self._get("axe", slug, "article.html")


@pytest.fixture(scope="session")
def verdicts(project_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Verdicts:
    """EPUBCheck on each article's EPUB, the Nu HTML Checker on all HTML pages in one run and
    axe-core on each page, all side by side, once per session."""
    root = project_build.root
    outputs = [project_build.output(slug) for slug in [None, *project_build.slugs]]

    def validate(work: Path) -> dict:
        epubs = [o / "article.epub" for o in outputs]
        pages = [o / "article.html" for o in outputs]
        with ThreadPoolExecutor(max_workers=4) as pool:
            checks = {p: pool.submit(validators.epubcheck, p) for p in epubs}
            nu = pool.submit(validators.nu_errors, pages)
            axes = {
                p: pool.submit(validators.axe, p, work / f"axe-{n}") for n, p in enumerate(pages)
            }
            nu_found = nu.result()

            def key(path: Path) -> str:
                return path.relative_to(root).as_posix()

            return {
                "epubcheck": {key(p): f.result() for p, f in checks.items()},
                "vnu": {key(p): nu_found[str(p)] for p in pages},
                "axe": {key(p): f.result() for p, f in axes.items()},
            }

    return Verdicts(
        project_build, once_per_session(shared_folder(tmp_path_factory), "verdicts", validate)
    )
