# Publishing pipeline of the article: manuscript/ + refs.bib -> output/article.{html,epub,pdf}.
# Thin entry file: configuration (checked against its schema), rule files, default target.
from snakemake.utils import min_version

from build.render import validate_workflow_config

min_version("9.0")


include: "rules/safety.smk"


configfile: "config/config.yaml"


validate_workflow_config(config, "config/config.yaml", "config/schema.yaml")


include: "rules/common.smk"
include: "rules/manuscript.smk"
include: "rules/cite.smk"
include: "rules/bibliography.smk"
include: "rules/figures.smk"
include: "rules/tables.smk"
include: "rules/render.smk"
include: "rules/diff.smk"
include: "rules/provenance.smk"
include: "rules/performance.smk"


rule all:
    default_target: True
    input:
        rules.render_html.output.html,
        rules.render_epub.output.epub,
        rules.render_pdf.output.pdf,
        rules.write_manifest.output.manifest,
