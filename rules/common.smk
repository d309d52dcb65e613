# Helpers shared by the rule files (no rules here).
import os
import shlex
import sys
from pathlib import Path

from build import provenance
from build import render as render_module
from build.render import STYLES_DIR

# The pipeline's own command, run with the Python that runs Snakemake (.venv), so that it
# works without an activated virtual environment.
ARTICLE = f"{shlex.quote(sys.executable)} -m build.cli"

# Build stamp (src/build/provenance.py): the build date (SOURCE_DATE_EPOCH: the last commit
# that touched manuscript/ or refs.bib; outside git, config source_date_epoch_s) and the
# commit, put with a fixed TZ, locale and hash seed into the environment of every rule.
BUILD = provenance.build_stamp(".", config.get("source_date_epoch_s"))
os.environ.update(provenance.build_env(BUILD))


# The code each render rule runs (render.py plus the styles its pandoc defaults file uses), so a
# change re-renders exactly the outputs it can affect: see build.render.style_inputs.
PARSE_FILES = render_module.style_inputs("parse")
HTML_FILES = render_module.style_inputs("html")
EPUB_FILES = render_module.style_inputs("epub")
PDF_FILES = render_module.style_inputs("pdf")


def section_files(wildcards=None):
    """Manuscript section files manuscript/NN-*.md, in reading (filename) order."""
    return sorted(str(p) for p in Path("manuscript").glob("[0-9][0-9]-*.md"))
