# Provenance (issue 8): output/manifest.json with the sha256 of every input and output, the
# commit, the build date used (SOURCE_DATE_EPOCH) and the versions of the tools that shape the
# bytes. See src/build/provenance.py; the build stamp BUILD comes from rules/common.smk.

#: every source file of the article: manuscript (sections, metadata, data, editorial files),
#: bibliography, journal profile, figure scripts and the workflow itself
MANIFEST_INPUTS = sorted(
    {
        str(p)
        for pattern in (
            "manuscript/**/*",
            "config/*",
            "figures/*.py",
            "rules/*.smk",
        )
        for p in Path(".").glob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    }
    | {
        p
        for p in ("refs.bib", "Snakefile", "pyproject.toml", "requirements.lock")
        if Path(p).is_file()
    }
)


rule write_manifest:
    input:
        outputs=[
            rules.render_html.output.html,
            rules.render_epub.output.epub,
            rules.render_pdf.output.pdf,
            rules.normalize_citations.output.report,
            rules.normalize_citations.output.table,
            rules.lint_bibliography.output.report,
            *GENERATED_TABLES,
            *GENERATED_FIGURES,
        ],
        sources=MANIFEST_INPUTS,
    output:
        manifest="output/manifest.json",
    log:
        "output/logs/write_manifest.log",
    params:
        article=ARTICLE,
        epoch_s=BUILD.epoch_s,
        date_source=BUILD.date_source,
        commit=BUILD.commit or "",
        dirty="--dirty" if BUILD.dirty else "",
    message:
        "Writing {output.manifest} (build date {params.epoch_s} from {params.date_source})"
    shell:
        "{params.article} provenance --output {output.manifest} --epoch-s {params.epoch_s}"
        " --date-source {params.date_source} --commit '{params.commit}' {params.dirty}"
        " --inputs {input.sources} --outputs {input.outputs}"
        " > {log} 2>&1 || {{ cat {log} >&2; exit 1; }}"
