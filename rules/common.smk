# Helpers shared by the rule files (no rules in this file) - the articles, their build stamps, the
# command every rule runs, and the input functions that map a job to its article.
#
# The rules of an article have the wildcard {out}, the article's output folder (`output` for
# the root article (manuscript/, refs.bib, figures/ at the top), `output/articles/<slug>` for
# the article in articles/<slug>/, build.articles). Adding a folder is all it takes.
import shlex
import sys
import time
from pathlib import Path

from build import profile as profile_module
from build import provenance
from build import render as render_module
from build.figures import declared_data
from build.profile import profile_from_config, text_width_mm
from build.articles import (
    OUTDIR_PATTERN,
    OUTPUT_DIR,
    article_for_outdir,
    discover_articles,
    require_file,
)
from build.joblog import close_failed_run, exit_on_error

#: when this run started: the onerror handler prints the failure notes written since
RUN_START_S = time.time()

ARTICLES = exit_on_error(discover_articles, ".")
OUTDIRS = [a.outdir for a in ARTICLES]

# Build stamps (src/build/provenance.py): computed once, by the process that launches the
# workflow, for each article from its own sources; a job (on a cluster: a new process on
# another node that parses this file again) reads them from ARTICLE_BUILD_STAMPS, which
# Snakemake's executors pass to it (envvars below), and never computes its own.
STAMPS = exit_on_error(
    provenance.workflow_stamps,
    ARTICLES,
    ".",
    config.get("source_date_epoch_s"),
    workflow.is_main_process,
)


envvars:
    provenance.STAMPS_ENV,


# The pipeline's own command, run with the Python that runs Snakemake (.venv), with the fixed
# time zone, locale and hash seed on its command line (so on any executor), its output in the
# rule's log and a failure reported the one way of build.joblog.
FIXED_ENV = " ".join(f"{k}={v}" for k, v in provenance.FIXED_ENV.items())
ARTICLE = f"env {FIXED_ENV} {shlex.quote(sys.executable)} -m build.cli"


wildcard_constraints:
    out=OUTDIR_PATTERN,


#: the logs of the jobs shared by every article of the issue (profile check, issue index)
SHARED_LOGS = f"{OUTPUT_DIR}/logs/issue"

#: the issue file (volume, number, date, order), when the journal production team wrote one
ISSUE_FILE = [p for p in ("config/issue.yaml",) if Path(p).is_file()]


# The code each render rule runs (render.py plus the styles its pandoc defaults file uses), so a
# change re-renders exactly the outputs it can affect: see build.render.style_inputs.
PARSE_FILES = render_module.style_inputs("parse")
HTML_FILES = render_module.style_inputs("html")
EPUB_FILES = render_module.style_inputs("epub")
PDF_FILES = render_module.style_inputs("pdf")


def article(wildcards):
    """The build.articles.Article of a job (from its {out} wildcard)."""
    return exit_on_error(article_for_outdir, ARTICLES, wildcards.out)


def article_label(wildcards):
    """Param: how messages name the job's article ("the root article", "articles/<slug>")."""
    return article(wildcards).label


def source(relative):
    """Input function: ``relative`` (e.g. manuscript/metadata.yaml) in the job's article."""
    return lambda wildcards: article(wildcards).path(relative)


def required_source(relative):
    """Input function: like source(), but a missing file (build.articles.REQUIRED_FILES) stops
    the run with `error: path: the file does not exist` and what to do, not Snakemake's
    MissingInputException."""
    return lambda wildcards: exit_on_error(require_file, article(wildcards), relative)


def optional_source(relative):
    """Input function: like source(), but no input when the article has no such file."""

    def inputs(wildcards):
        path = article(wildcards).path(relative)
        return [path] if Path(path).is_file() else []

    return inputs


def section_files(wildcards):
    """The article's section files manuscript/NN-*.md, in reading (filename) order."""
    folder = Path(article(wildcards).path("manuscript"))
    return sorted(str(p) for p in folder.glob("[0-9][0-9]-*.md"))


def stamp_env(wildcards):
    """`SOURCE_DATE_EPOCH=... ARTICLE_COMMIT=...` of the job's article (a rule parameter, so
    a new stamp reruns the outputs that carry it)."""
    return " ".join(
        f"{k}={shlex.quote(v)}"
        for k, v in provenance.build_env(STAMPS[wildcards.out]).items()
        if k not in provenance.FIXED_ENV
    )


# --- figures and tables (rules/figures.smk)
#: the width figures are drawn at: the text block of the journal profile's page
TEXT_WIDTH_MM = text_width_mm(profile_from_config(config))


def script_path(kind):
    """Input function: the article's figures/<name>.py of the job's {figure} or {table}."""
    return lambda wildcards: article(wildcards).path(f"figures/{wildcards[kind]}.py")


def script_data(kind):
    """Input function: the data files the job's script declares (its `# data:` line)."""

    def inputs(wildcards):
        script = article(wildcards).path(f"figures/{wildcards[kind]}.py")
        text = Path(script).read_text(encoding="utf-8")
        names = exit_on_error(declared_data, text, script)
        return [article(wildcards).path(f"manuscript/data/{name}") for name in names]

    return inputs


def generated_files(wildcards):
    """Every generated file of the job's article: what its render rules read."""
    art = article(wildcards)
    files = []
    for script in art.generated_scripts("fig-"):
        stem = f"{art.outdir}/generated/{Path(script).stem}"
        files += [f"{stem}.svg", f"{stem}.print.svg", f"{stem}.md"]
    for script in art.generated_scripts("tbl-"):
        files.append(f"{art.outdir}/generated/{Path(script).stem}.md")
    return files


# --- provenance (rules/provenance.smk)
#: what every article is built with: the journal profile and the workflow itself (the issue
#: file config/issue.yaml is not among them: it shapes the issue's index, not the articles)
SHARED_INPUTS = sorted(
    {str(p) for p in Path("rules").glob("*.smk")}
    | {
        p
        for p in (
            "config/config.yaml",
            "config/schema.yaml",
            "config/metadata.schema.yaml",
            "Snakefile",
            "pyproject.toml",
            "requirements.lock",
        )
        if Path(p).is_file()
    }
)


def manifest_sources(wildcards):
    """Every source file of the job's article (manuscript with its data and editorial files,
    bibliography, figure scripts) and SHARED_INPUTS."""
    art = article(wildcards)
    own = [
        p
        for p in Path(art.path("manuscript")).glob("**/*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    own += Path(art.path("figures")).glob("*.py")
    own += [Path(art.path("refs.bib"))]
    return sorted({str(p) for p in own if p.is_file()} | set(SHARED_INPUTS))


def stamp_params(wildcards):
    """--epoch-s/--date-source/--commit/--dirty of the job's article, for the manifest."""
    stamp = STAMPS[wildcards.out]
    words = [
        f"--epoch-s {stamp.epoch_s}",
        f"--date-source {stamp.date_source}",
        f"--commit {shlex.quote(stamp.commit or '')}",
    ]
    return " ".join(words + (["--dirty"] if stamp.dirty else []))
