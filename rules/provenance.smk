# Provenance (issue 8): each article's manifest.json with the sha256 of every input and output,
# the article's own commit, the build date used (SOURCE_DATE_EPOCH) and the versions of the
# tools that shape the bytes. See src/build/provenance.py; the stamps come from
# rules/common.smk.


rule write_manifest:
    input:
        outputs=[
            rules.render_html.output.html,
            rules.render_epub.output.epub,
            rules.render_pdf.output.pdf,
            rules.normalize_citations.output.report,
            rules.normalize_citations.output.table,
            rules.lint_bibliography.output.report,
        ],
        generated=generated_files,
        sources=manifest_sources,
        # its fonts, against those embedded in the PDF (read from the PDF)
        profile=rules.check_profile.output.profile,
    output:
        manifest="{out}/manifest.json",
    log:
        "{out}/logs/write_manifest.log",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        stamp=stamp_params,
    message:
        "Writing {output.manifest} ({params.stamp})"
    shell:
        "{ARTICLE} --log {log} provenance --output {output.manifest} {params.stamp}"
        " --profile {input.profile} --inputs {input.sources}"
        " --outputs {input.outputs} {input.generated}"
