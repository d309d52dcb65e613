# Publishing pipeline of the article: manuscript/ + refs.bib -> output/article.{html,epub,pdf}.
# Thin entry file: configuration (checked against its schema), rule files, default target.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "config/schema.yaml")


include: "rules/common.smk"
include: "rules/cite.smk"
include: "rules/bibliography.smk"
include: "rules/tables.smk"
include: "rules/figures.smk"
include: "rules/render.smk"


rule all:
    default_target: True
    input:
        rules.render_html.output.html,
        rules.render_epub.output.epub,
        rules.render_pdf.output.pdf,
