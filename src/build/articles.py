"""The articles of a journal repository: where each one's sources are and where it builds.

Terms used in this module:

* *article folder* -- ``"."`` for the root article (``manuscript/``, ``refs.bib``, ``figures/``
  at the top of the repository) or ``articles/<slug>`` for a further article with the same
  layout. Articles are found by globbing: a folder under ``articles/`` with a
  ``manuscript/metadata.yaml`` is an article.
* *output folder* -- ``output`` for the root article, ``output/articles/<slug>`` for the others;
  everything an article's build writes is under it (its ``article.{pdf,html,epub}``, its
  citation report, manifest, logs and intermediate files).
* *own sources* -- the paths whose last commit gives the article's build date and commit
  stamp: ``manuscript``, ``refs.bib`` and ``figures`` of the root article, the whole
  ``articles/<slug>`` folder of the others.

Nothing here names an article: the list is whatever the folders hold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from build.errors import PipelineError

#: The folder of further articles and the output folder of everything built.
ARTICLES_DIR = "articles"
OUTPUT_DIR = "output"

#: A slug: the name of a folder under articles/ (it becomes part of paths and URLs).
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")

#: Snakemake wildcard constraint for an output folder (rules/common.smk).
OUTDIR_PATTERN = r"output(?:/articles/[a-z0-9][a-z0-9._-]*)?"


class ArticleError(PipelineError):
    """A folder under articles/ that is not a well-formed article."""


@dataclass(frozen=True)
class Article:
    """One article of the repository.

    Attributes:
        folder: ``"."`` (the root article) or ``"articles/<slug>"``.
    """

    folder: str

    @property
    def slug(self) -> str:
        """The folder's name under articles/; ``""`` for the root article."""
        return "" if self.folder == "." else Path(self.folder).name

    @property
    def outdir(self) -> str:
        """``output`` or ``output/articles/<slug>``."""
        return OUTPUT_DIR if self.folder == "." else f"{OUTPUT_DIR}/{ARTICLES_DIR}/{self.slug}"

    def path(self, relative: str) -> str:
        """``relative`` (a path inside the article, e.g. ``manuscript/metadata.yaml``) as a path
        from the repository root."""
        return relative if self.folder == "." else f"{self.folder}/{relative}"

    @property
    def own_sources(self) -> tuple[str, ...]:
        """The paths (from the repository root) whose commits date and stamp this article."""
        if self.folder == ".":
            return ("manuscript", "refs.bib", "figures")
        return (self.folder,)

    def generated_scripts(self, prefix: str) -> list[str]:
        """The article's scripts ``figures/<prefix>*.py`` (``fig-``: figures, ``tbl-``: tables),
        each making one generated element, in name order (paths from the repository root)."""
        folder = Path(self.path("figures"))
        return sorted(str(p) for p in folder.glob(f"{prefix}*.py")) if folder.is_dir() else []

    def script_helpers(self) -> list[str]:
        """The other ``.py`` files of the article's ``figures/`` (modules its scripts import)."""
        folder = Path(self.path("figures"))
        if not folder.is_dir():
            return []
        return sorted(
            str(p) for p in folder.glob("*.py") if not p.name.startswith(("fig-", "tbl-"))
        )

    def data_schemas(self) -> list[str]:
        """The JSON Schemas of the article's data (``manuscript/data/schemas/*.json``)."""
        folder = Path(self.path("manuscript/data/schemas"))
        return sorted(str(p) for p in folder.glob("*.json")) if folder.is_dir() else []

    @property
    def label(self) -> str:
        """How messages name the article: its folder, ``.`` as "the root article"."""
        return "the root article" if self.folder == "." else self.folder


#: The files every article must have, with what to do when one is missing.
REQUIRED_FILES = {
    "refs.bib": "every article has a refs.bib; an article that cites nothing has an empty one "
    "(or one of @comment blocks only): create it",
}


def require_file(article: Article, relative: str) -> str:
    """The path of an article's required file (:data:`REQUIRED_FILES`), checked to exist.

    Raises:
        ArticleError: the file does not exist (``path: message`` + what to do).
    """
    path = article.path(relative)
    if not Path(path).is_file():
        raise ArticleError("the file does not exist", path, hint=REQUIRED_FILES[relative])
    return path


def article_folder(path: str | Path) -> Path:
    """The article folder a source file belongs to: the folder above the nearest
    ``manuscript/`` of its path (``articles/x/manuscript/01-a.md`` -> ``articles/x``,
    ``manuscript/01-a.md`` -> ``.``); ``.`` when it is in no ``manuscript/`` folder."""
    parts = Path(path).parts
    where = max((i for i, part in enumerate(parts[:-1]) if part == "manuscript"), default=-1)
    return Path(*parts[:where]) if where > 0 else Path(".")


def discover_articles(root: str | Path = ".") -> list[Article]:
    """The articles under ``root``: the root article (when ``manuscript/`` exists) first, then
    every ``articles/<slug>/`` in the order of the folders' names.

    Raises:
        ArticleError: a folder under ``articles/`` without ``manuscript/metadata.yaml`` or with
            a name that is not a slug (lower-case letters, digits, ``.``, ``_``, ``-``).
    """
    base = Path(root)
    found = [Article(".")] if (base / "manuscript").is_dir() else []
    problems: list[ArticleError] = []
    folder = base / ARTICLES_DIR
    for entry in sorted(folder.iterdir()) if folder.is_dir() else []:
        if not entry.is_dir() or entry.name.startswith("."):
            continue
        relative = f"{ARTICLES_DIR}/{entry.name}"
        if not SLUG_RE.match(entry.name):
            problems.append(
                ArticleError(
                    f"article folder name {entry.name!r} is not a slug",
                    relative,
                    hint="rename it with lower-case letters, digits and '-' only "
                    "(it becomes part of the output paths and URLs)",
                )
            )
        elif not (entry / "manuscript" / "metadata.yaml").is_file():
            problems.append(
                ArticleError(
                    "an article folder needs manuscript/metadata.yaml",
                    relative,
                    hint="add manuscript/metadata.yaml and manuscript/NN-*.md section files "
                    "(the layout of the root article), or remove the folder",
                )
            )
        else:
            found.append(Article(relative))
    if problems:
        if len(problems) == 1:
            raise problems[0]
        from build.errors import ErrorList

        raise ErrorList(problems)
    return found


def article_for_outdir(articles: list[Article], outdir: str) -> Article:
    """The article whose output folder is ``outdir``.

    Raises:
        ArticleError: no article builds there (e.g. a target under a removed article folder).
    """
    for article in articles:
        if article.outdir == outdir:
            return article
    raise ArticleError(
        f"no article builds to {outdir}/",
        outdir,
        hint="articles are manuscript/ at the top and the folders articles/<slug>/ that hold "
        "manuscript/metadata.yaml",
    )


def choose_article(name: str | None) -> Article:
    """The article named on the command line: ``None`` or ``.`` the root article, else a slug
    (or ``articles/<slug>``).

    Raises:
        ArticleError: no such article.
    """
    articles = discover_articles(".")
    wanted = "." if name in (None, ".", "") else f"articles/{Path(str(name)).name}"
    for article in articles:
        if article.folder == wanted:
            return article
    names = ", ".join(a.slug or "." for a in articles) or "none"
    raise ArticleError(
        f"no article {name!r} in this project",
        wanted,
        hint=f"name the root article (.) or a folder of articles/ (here: {names})",
    )
