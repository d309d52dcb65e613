# Helpers shared by the rule files (no rules here).
import os
import shlex
import sys
from pathlib import Path

from build import provenance
from build import render as render_module
from build.render import STYLES_DIR
from snakemake.exceptions import WorkflowError

# The pipeline's own command, run with the Python that runs Snakemake (.venv), so that it
# works without an activated virtual environment.
ARTICLE = f"{shlex.quote(sys.executable)} -m build.cli"

# Build stamp (src/build/provenance.py): the build date (SOURCE_DATE_EPOCH: the last commit
# that touched manuscript/ or refs.bib; outside git, config source_date_epoch_s) and the
# commit, put with a fixed TZ, locale and hash seed into the environment of every rule.
BUILD = provenance.build_stamp(".", config.get("source_date_epoch_s"))
os.environ.update(provenance.build_env(BUILD))


# The code each render rule runs: render.py plus the styles its pandoc defaults file uses, so
# that a change re-renders exactly the outputs it can affect (an EPUB stylesheet does not
# re-render the PDF). Keep in step with src/build/styles/defaults/*.yaml and the templates.
def _styles(*names):
    return [render_module.__file__, *(str(STYLES_DIR / name) for name in names)]


PARSE_FILES = _styles(
    "defaults/common.yaml",
    "filters/generated.lua",
    "filters/crossref.lua",
    "filters/sanitize.lua",
    "filters/metadata.lua",
)
_OUTPUT_COMMON = (
    "templates/titleblock.html",
    "filters/citation-backlinks.lua",
    "filters/figure-caption-top.lua",
)
HTML_FILES = _styles(
    "defaults/html.yaml",
    "templates/article.html",
    "templates/scholarmeta.html",
    "css/article.css",
    *_OUTPUT_COMMON,
)
EPUB_FILES = _styles(
    "defaults/epub.yaml",
    "templates/epub.html",
    "filters/epub-anchors.lua",
    "css/epub.css",
    *_OUTPUT_COMMON,
)
PDF_FILES = _styles(
    "defaults/pdf.yaml",
    "templates/print.html",
    "templates/titleblock.html",
    "filters/footnotes.lua",
    "filters/figure-caption-top.lua",
    "css/print.css",
)
# Every style file must belong to at least one render rule (a new file is not forgotten).
_UNUSED_STYLES = {
    str(p)
    for p in STYLES_DIR.rglob("*")
    if p.is_file() and "__pycache__" not in p.parts and "diff" not in p.parts
} - set(PARSE_FILES + HTML_FILES + EPUB_FILES + PDF_FILES)
if _UNUSED_STYLES:
    raise WorkflowError(
        f"rules/common.smk: style files not declared as inputs of a render rule: "
        f"{sorted(_UNUSED_STYLES)}; add them to PARSE_FILES, HTML_FILES, EPUB_FILES or PDF_FILES"
    )
RENDER_FILES = sorted(set(PARSE_FILES + HTML_FILES + EPUB_FILES + PDF_FILES))


def section_files(wildcards=None):
    """Manuscript section files manuscript/NN-*.md, in reading (filename) order."""
    return sorted(str(p) for p in Path("manuscript").glob("[0-9][0-9]-*.md"))
