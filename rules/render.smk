# Render stage: parse each article once into pandoc's JSON AST (citations resolved by
# citeproc), then write HTML, EPUB and PDF from it. See src/build/render.py.
# Each command keeps its full output in its log; a failure is reported by build.joblog.


rule parse_article:
    input:
        markdown=rules.normalize_citations.output.markdown,
        metadata=rules.check_manuscript.output.metadata,
        # the linted refs.bib's cleaned copy (build.bibclean), not the source
        bib=rules.clean_bibliography.output.clean,
        lint=rules.lint_bibliography.output.report,
        generated=generated_files,
        profile=rules.check_profile.output.profile,
        code=PARSE_FILES,
    output:
        ast="{out}/render/article.json",
    log:
        "{out}/logs/parse_article.log",
    threads: 1
    resources:
        mem_mb=1024,
        runtime=10,
    params:
        sections=section_files,
        csl_style=config["csl_style"],
        stamp=stamp_env,
        label=article_label,
    message:
        "Parsing {params.label} with pandoc citeproc (CSL style: {params.csl_style})"
    shell:
        "env {params.stamp} {ARTICLE} --log {log} render --to json --markdown {input.markdown}"
        " --metadata {input.metadata} --bibliography {input.bib} --profile {input.profile}"
        " --sections {params.sections} --generated-dir {wildcards.out}/generated"
        " --output {output.ast}"


rule render_html:
    input:
        ast=rules.parse_article.output.ast,
        profile=rules.check_profile.output.profile,
        code=HTML_FILES,
    output:
        html="{out}/article.html",
    log:
        "{out}/logs/render_html.log",
    threads: 1
    resources:
        mem_mb=1024,
        runtime=5,
    params:
        stamp=stamp_env,
    message:
        "Writing the standalone HTML page {output.html}"
    shell:
        "env {params.stamp} {ARTICLE} --log {log} render --to html --ast {input.ast}"
        " --profile {input.profile} --output {output.html}"


rule render_epub:
    input:
        ast=rules.parse_article.output.ast,
        profile=rules.check_profile.output.profile,
        code=EPUB_FILES,
    output:
        epub="{out}/article.epub",
    log:
        "{out}/logs/render_epub.log",
    threads: 1
    resources:
        mem_mb=1024,
        runtime=5,
    params:
        stamp=stamp_env,
        sections=section_files,  # to name the line of raw HTML that is not XHTML
    message:
        "Writing the EPUB 3 {output.epub}"
    shell:
        "env {params.stamp} {ARTICLE} --log {log} render --to epub --ast {input.ast}"
        " --profile {input.profile} --sections {params.sections} --output {output.epub}"


rule render_pdf:
    input:
        ast=rules.parse_article.output.ast,
        metadata=rules.check_manuscript.output.metadata,
        profile=rules.check_profile.output.profile,
        code=PDF_FILES,
        # the figures' print SVGs (text as text) replace the screen SVGs in the PDF
        figures=lambda wildcards: [
            f for f in generated_files(wildcards) if f.endswith(".print.svg")
        ],
    output:
        pdf="{out}/article.pdf",
        print_html="{out}/render/article.print.html",
        profile_css="{out}/render/profile.css",
    log:
        "{out}/logs/render_pdf.log",
    # the longest job (WeasyPrint): started before HTML and EPUB when they are ready together,
    # so that with --cores 2 they run beside it instead of before it (issue 10)
    priority: 10
    threads: 1
    resources:
        mem_mb=1024,
        runtime=15,
    params:
        stamp=stamp_env,
        sections=section_files,  # to name the line of a character the fonts lack
        # --config glyphs=warn: a missing glyph or a font fallback warns, the PDF is kept
        glyphs=config.get("glyphs", "error"),
    message:
        "Writing the PDF {output.pdf} with WeasyPrint (print HTML: {output.print_html})"
    shell:
        "env {params.stamp} {ARTICLE} --log {log} render --to pdf --ast {input.ast}"
        " --metadata {input.metadata} --profile {input.profile} --sections {params.sections}"
        " --glyphs {params.glyphs} --print-html {output.print_html} --output {output.pdf}"
