"""The warm build of one article for ``article preview``: the stage functions the workflow's
rules run (``article manuscript``, ``bibliography lint``, ``citations``, ``script``,
``render``), called in one long-lived process, each redone only when what it reads changed.

Terms used in this module:

* *work folder* -- where the preview writes what it builds: ``output/preview`` for the root
  article, ``output/preview/articles/<slug>`` for the others (:func:`work_folder`). The
  workflow's own outputs (``output/article.html``...) are never written here, so Snakemake's
  notion of what is up to date is not touched: Snakemake stays the one build engine of batch
  builds; this is a live view of the same stages.
* *stage* -- one step of :data:`STAGES`, named as the rule that runs it in ``rules/*.smk``.
* *key* -- what a cached stage result depends on (file contents, or (mtime, size) for
  figure inputs); the same key gives the same result, so it is not recomputed.

The page is the same as the workflow's ``output/article.html`` for the same sources and
build stamp (compared byte for byte by ``tests/e2e/test_preview.py``): the same functions run
with the same arguments, only the intermediate files live in the work folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from build.articles import OUTPUT_DIR, Article
from build.errors import ErrorList, PipelineError

#: The stages of the fast path, in order, named as their rules (what the terminal prints).
STAGES = (
    "check_profile",
    "check_manuscript",
    "lint_bibliography",
    "clean_bibliography",
    "normalize_citations",
    "draw_figure / make_table",
    "parse_article",
    "render_html",
)

#: The journal profile and the optional issue file (rules/profile.smk).
CONFIG = "config/config.yaml"
ISSUE_FILE = "config/issue.yaml"


def work_folder(article: Article) -> Path:
    """The preview's own folder of ``article`` (see the module docstring)."""
    return Path(OUTPUT_DIR, "preview", *([] if article.folder == "." else [article.folder]))


def _digest(paths: Sequence[str | Path]) -> str:
    """sha256 of the names and contents of ``paths`` (a missing file counts as absent)."""
    h = hashlib.sha256()
    for path in paths:
        h.update(str(path).encode() + b"\0")
        try:
            h.update(Path(path).read_bytes())
        except OSError:
            h.update(b"<missing>")
        h.update(b"\0")
    return h.hexdigest()


def _stat_key(paths: Sequence[str | Path]) -> tuple:
    """(path, mtime_ns, size) of each of ``paths`` (None for a missing one)."""
    key = []
    for path in paths:
        try:
            st = os.stat(path)
            key.append((str(path), st.st_mtime_ns, st.st_size))
        except OSError:
            key.append((str(path), None))
    return tuple(key)


@dataclass
class Result:
    """What one build gave.

    Attributes:
        html: the page's bytes (``None`` when the build failed).
        ast: the parsed article (pandoc JSON AST) for the PDF, ``None`` on failure.
        metadata: the checked metadata (running heads of the PDF).
        sections: the section files, in reading order.
        error: the build's first error (``path:line:col: message`` and its hint), ``""``.
        seconds: stage name -> wall seconds it took in this build (cached stages absent).
    """

    html: bytes | None = None
    ast: dict[str, Any] | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    sections: list[str] = field(default_factory=list)
    error: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


def first_error(error: BaseException) -> str:
    """The first real error of ``error`` as ``path:line:col: message`` plus its ``hint:`` line
    (of an :class:`ErrorList`, its first problem; of anything else, its class and message)."""
    if isinstance(error, ErrorList) and error.errors:
        return str(error.errors[0])
    if isinstance(error, PipelineError):
        return str(error)
    return f"{type(error).__name__}: {error}"


class LiveBuild:
    """The warm build of one article (see the module docstring).

    Args:
        article: the article to build.
        log: called with one line of progress (``"parse_article ... 0.52 s"``).
    """

    def __init__(self, article: Article, log: Callable[[str], None] = lambda line: None) -> None:
        self.article = article
        self.work = work_folder(article)
        self.log = log
        self._cache: dict[str, tuple[Any, Any]] = {}
        self._safe: dict[str, str] = {}  # source path -> digest of the text that passed
        self._parsed: dict[str, dict[str, Any]] = {}  # section path -> its parse (that text's)
        self.sections_ast = self.work / "manuscript" / "sections.json"
        self._pool = ThreadPoolExecutor(max_workers=1)  # the cleaned copy beside the parse
        self.stamp_env: dict[str, str] = {}

    # ------------------------------------------------------------------ cache

    def _cached(self, name: str, key: Any, make: Callable[[], Any], timing: dict) -> Any:
        """``make()``, or the value it gave last time for the same ``key``."""
        held = self._cache.get(name)
        if held is not None and held[0] == key:
            return held[1]
        start = time.perf_counter()
        value = make()
        timing[name] = time.perf_counter() - start
        self._cache[name] = (key, value)
        return value

    # ------------------------------------------------------------------ stages

    def _profile(self) -> Any:
        """The checked journal profile with the article's build stamp (rules/profile.smk and
        the stamp of rules/common.smk)."""
        from build import provenance
        from build.profile import issue_values, load_profile

        issue = ISSUE_FILE if Path(ISSUE_FILE).is_file() else None
        profile = dataclasses.replace(load_profile(CONFIG), issue=issue_values(issue))
        stamp = provenance.build_stamp(
            ".", profile.source_date_epoch_s, os.environ, self.article.own_sources
        )
        self.stamp_env = provenance.build_env(stamp)
        return dataclasses.replace(
            profile, source_date_epoch_s=stamp.epoch_s, commit=stamp.commit_label
        )

    def _check_manuscript(self) -> tuple[dict[str, Any], list[str]]:
        """``article manuscript --check --metadata-json --sections-ast``: metadata and sections
        checked, the sources' safety checks (only of the files whose text changed since they
        passed, whose parse is kept for the others)."""
        from build import safety
        from build.atomic import write_text_atomic
        from build.manuscript import check_manuscript, metadata_json, sections_ast_json

        manuscript = Path(self.article.path("manuscript"))
        metadata, sections = check_manuscript(manuscript)
        metadata_path = manuscript / "metadata.yaml"
        digests = {str(p): _digest([p]) for p in [*sections, metadata_path]}
        changed = [p for p in sections if self._safe.get(str(p)) != digests[str(p)]]
        meta_changed = self._safe.get(str(metadata_path)) != digests[str(metadata_path)]
        if changed or meta_changed:
            parsed = safety.guard_sources(changed, metadata_path if meta_changed else None)
            self._parsed.update((str(p), ast) for p, ast in zip(changed, parsed, strict=True))
        self._safe.update(digests)
        write_text_atomic(self.work / "manuscript" / "metadata.json", metadata_json(metadata))
        asts = [self._parsed[str(p)] for p in sections]
        write_text_atomic(self.sections_ast, sections_ast_json(metadata, sections, asts))
        return metadata, [str(p) for p in sections]

    def _lint_bibliography(self) -> Any:
        """``article bibliography lint --csl-json``: the linted bibliography (refs.json), as
        the citation normalizer and the table scripts read it."""
        from build.bibliography import lint_file, load_article_rules, write_lint_outputs
        from build.citations import load_csl_bibliography

        bib = self.article.path("refs.bib")
        rules_path = self.article.path("manuscript/bibliography.yaml")
        rules = load_article_rules(rules_path if Path(rules_path).exists() else None)
        result = lint_file(bib, rules=rules)
        path = self.work / "bibliography" / "refs.json"
        # as `article bibliography lint --clean-bib --csl-json` writes them
        copy = path.with_name("refs.lint.bib")
        write_lint_outputs(result, bib, rules, clean_bib=copy, csl_json=path)
        return load_csl_bibliography(path)

    def _cleaned_text(self) -> str:
        """``article bibliography clean``: the text of the cleaned copy that the parse's
        citeproc reads, with the proper nouns the manuscript's text gives braced."""
        from build.atomic import read_utf8
        from build.bibliography import clean_with_manuscript, load_article_rules, sections_evidence

        rules = self.article.path("manuscript/bibliography.yaml")
        return clean_with_manuscript(
            read_utf8(self.work / "bibliography" / "refs.lint.bib"),
            self.article.path("refs.bib"),
            load_article_rules(rules if Path(rules).exists() else None),
            sections_evidence(self.sections_ast),
        )

    def _write_cleaned(self, text: str) -> Path:
        """Write the cleaned copy (``<work>/bibliography/refs.bib``); return its path."""
        from build.atomic import write_text_atomic

        path = self.work / "bibliography" / "refs.bib"
        write_text_atomic(path, text)
        return path

    def _start_clean(self, key: str, timing: dict) -> Future[tuple[str, float]] | None:
        """The cleaned copy for ``key``: made now when there is none yet (the first build, a
        changed refs.bib); when only the text changed, started beside the parse, which reads
        the copy of the last build (a prose edit seldom adds a proper noun). Returns the
        pending copy's future (its text and the seconds it took), or None when the copy on disk
        is the one for ``key``."""
        held = self._cache.get("clean_bibliography")
        if held is not None and held[0] == key:
            return None
        bib_key = self._cache["lint_bibliography"][0]
        if held is None or held[1][0] != bib_key:
            start = time.perf_counter()
            text = self._cleaned_text()
            self._write_cleaned(text)
            timing["clean_bibliography"] = time.perf_counter() - start
            self._cache["clean_bibliography"] = (key, (bib_key, text))
            return None

        def timed() -> tuple[str, float]:
            start = time.perf_counter()
            return self._cleaned_text(), time.perf_counter() - start

        return self._pool.submit(timed)

    def _finish_clean(self, key: str, pending: Future[tuple[str, float]], timing: dict) -> bool:
        """Wait for the copy :meth:`_start_clean` started; write it when it differs from the
        one the parse read. Returns whether it differed (the parse must run again).

        Raises:
            whatever making the copy raised (a section file that is not UTF-8...).
        """
        text, timing["clean_bibliography (beside parse_article)"] = pending.result()
        bib_key, before = self._cache["clean_bibliography"][1]
        self._cache["clean_bibliography"] = (key, (bib_key, text))
        if text == before:
            return False
        self._write_cleaned(text)
        return True

    def _normalize_citations(self, sections: Sequence[str], bibliography: Any) -> Path:
        """``article citations --output``: the article's Markdown with pandoc citations."""
        from build.atomic import write_text_atomic
        from build.citations import (
            CitationErrors,
            load_corrections,
            normalize_citations,
            read_text,
            unresolved_errors,
        )

        corrections = self.article.path("manuscript/citation-corrections.yaml")
        sources = [(path, read_text(path)) for path in sections]
        result = normalize_citations(sources, bibliography, load_corrections(corrections))
        problems = unresolved_errors(result, bibliography.path, corrections)
        if problems:
            raise CitationErrors(problems)
        markdown = self.work / "cite" / "article.md"
        joined = "\n\n".join(result.texts[path].rstrip("\n") for path in sections) + "\n"
        write_text_atomic(markdown, joined)
        return markdown

    def _scripts(self, refs_json: Path) -> list[tuple[str, list[str], tuple]]:
        """(script, command, key) of every figure and table script (rules/figures.smk)."""
        from build.figures import declared_data
        from build.profile import text_width_mm

        art = self.article
        generated = self.work / "generated"
        schemas = art.path("manuscript/data/schemas")
        helpers = art.script_helpers() + art.data_schemas()
        jobs = []
        for script in art.generated_scripts("fig-") + art.generated_scripts("tbl-"):
            names = declared_data(Path(script).read_text(encoding="utf-8"), script)
            data = [art.path(f"manuscript/data/{name}") for name in names]
            stem = generated / Path(script).stem
            log = self.work / "logs" / f"{Path(script).stem}.log"
            words = [sys.executable, "-m", "build.cli", "--log", str(log), "script", script]
            if Path(script).name.startswith("fig-"):
                width = text_width_mm(self._cache["check_profile"][1])
                words += ["--svg", f"{stem}.svg", "--print-svg", f"{stem}.print.svg"]
                words += ["--markdown", f"{stem}.md", "--text-width-mm", str(width)]
                words += ["--schemas", schemas, *data]
                inputs = [script, *data, *helpers]
            else:
                words += ["--markdown", f"{stem}.md", "--schemas", schemas, "--bib"]
                words += [str(refs_json), *data]
                inputs = [script, *data, *helpers, refs_json]
            jobs.append((script, words, (tuple(words), _stat_key(inputs))))
        return jobs

    def _run_scripts(self, refs_json: Path, timing: dict) -> None:
        """Run the figure and table scripts whose inputs changed, side by side (each in its own
        process, as the workflow does: a script is the article's code, not the pipeline's).

        Raises:
            PipelineError: the first failing script's error (from its failure note).
        """
        from build.joblog import NOTE_SUFFIX, failure_note

        jobs = [
            job for job in self._scripts(refs_json) if self._cache.get(job[0], (None,))[0] != job[2]
        ]
        if not jobs:
            return
        env = {**os.environ, **self.stamp_env}

        def run(job: tuple[str, list[str], tuple]) -> tuple[str, int]:
            script, words, _ = job
            return script, subprocess.run(words, env=env, check=False).returncode

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=max(1, min(len(jobs), os.cpu_count() or 1))) as pool:
            codes = dict(pool.map(run, jobs))
        timing["draw_figure / make_table"] = time.perf_counter() - start
        for script, words, key in jobs:
            if codes[script] == 0:
                self._cache[script] = (key, None)
                continue
            self._cache.pop(script, None)
            log = words[words.index("--log") + 1]
            note = Path(log + NOTE_SUFFIX)
            lines = note.read_text(encoding="utf-8").splitlines() if note.is_file() else []
            text = "\n".join(lines[1:-1]) or failure_note([f"{script}: failed"], log)
            raise PipelineError(text.removeprefix("error: "))

    def build(self, parsed: Callable[[Result], None] | None = None) -> Result:
        """One build of the page: every stage whose inputs changed, then the HTML.

        Args:
            parsed: called with the result as soon as its AST is parsed, before the page is
                written (the preview starts the PDF from it, beside the page).

        Returns:
            the :class:`Result`; a :class:`PipelineError` (or any exception of a stage) is
            caught and becomes ``Result.error``.
        """
        from build import render

        timing: dict[str, float] = {}
        result = Result(seconds=timing)
        try:
            config_key = _digest([CONFIG, ISSUE_FILE, "config/schema.yaml"])
            profile = self._cached("check_profile", config_key, self._profile, timing)
            start = time.perf_counter()
            result.metadata, result.sections = self._check_manuscript()
            timing["check_manuscript"] = time.perf_counter() - start
            art = self.article
            bib_key = _digest([art.path("refs.bib"), art.path("manuscript/bibliography.yaml")])
            bibliography = self._cached(
                "lint_bibliography", bib_key, self._lint_bibliography, timing
            )
            # the cleaned copy reads the text too: its proper nouns (build.bibliography)
            clean_key = _digest(
                [
                    art.path("refs.bib"),
                    art.path("manuscript/bibliography.yaml"),
                    art.path("manuscript/metadata.yaml"),  # its lang
                    *result.sections,
                ]
            )
            pending = self._start_clean(clean_key, timing)
            start = time.perf_counter()
            markdown = self._normalize_citations(result.sections, bibliography)
            timing["normalize_citations"] = time.perf_counter() - start
            self._run_scripts(self.work / "bibliography" / "refs.json", timing)
            start = time.perf_counter()
            metadata_json = self.work / "manuscript" / "metadata.json"
            generated = (self.work / "generated").as_posix()
            cleaned = self.work / "bibliography" / "refs.bib"

            def parse() -> dict[str, Any]:
                # the workflow's two steps: the AST (which the PDF and the checks need too),
                # then the page from it (build.render.write_html: the front matter and JSON-LD
                # made in Python are in it, as in output/article.html)
                return render.parse_article(
                    markdown, metadata_json, cleaned, profile, result.sections, generated
                )

            try:
                result.ast = parse()
            except Exception:
                if pending is not None:  # the copy's own error comes first, as in a batch build
                    pending.result()
                raise
            if pending is not None and self._finish_clean(clean_key, pending, timing):
                result.ast = parse()  # the copy changed under the parse: parse it again
            timing["parse_article"] = time.perf_counter() - start
            if parsed is not None:
                parsed(result)
            start = time.perf_counter()
            html_path = self.work / "article.html"
            render.write_html(result.ast, html_path, profile)
            result.html = html_path.read_bytes()
            timing["render_html"] = time.perf_counter() - start
        except Exception as error:  # noqa: BLE001 - every failure is shown, the preview goes on
            result.error = first_error(error)
            result.html = None
            result.ast = None
        return result

    @property
    def profile(self) -> Any:
        """The journal profile of the last build (``None`` before the first)."""
        held = self._cache.get("check_profile")
        return held[1] if held else None
