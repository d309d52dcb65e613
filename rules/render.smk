# Render stage: parse the article once into pandoc's JSON AST (citations resolved by
# citeproc), then write HTML, EPUB and PDF from it. See src/build/render.py.
# Each command keeps its full output in its log; on failure the log (its first line names
# path:line) is repeated on stderr, next to Snakemake's own message.


rule parse_article:
    input:
        markdown=rules.normalize_citations.output.markdown,
        metadata="manuscript/metadata.yaml",
        bib="refs.bib",
        lint=rules.lint_bibliography.output.report,
        generated=[*GENERATED_TABLES, *GENERATED_FIGURES],
        config="config/config.yaml",
        code=PARSE_FILES,
    output:
        ast="output/render/article.json",
    log:
        "output/logs/parse_article.log",
    params:
        article=ARTICLE,
        sections=section_files,
        csl_style=config["csl_style"],
    message:
        "Parsing the article with pandoc citeproc (CSL style: {params.csl_style})"
    shell:
        "{params.article} render --to json --markdown {input.markdown} --metadata {input.metadata}"
        " --bibliography {input.bib} --config {input.config} --sections {params.sections}"
        " --csl-style {params.csl_style:q}"
        " --output {output.ast} > {log} 2>&1 || {{ cat {log} >&2; exit 1; }}"


rule render_html:
    input:
        ast=rules.parse_article.output.ast,
        config="config/config.yaml",
        code=HTML_FILES,
    output:
        html="output/article.html",
    log:
        "output/logs/render_html.log",
    params:
        article=ARTICLE,
    message:
        "Writing the standalone HTML page {output.html}"
    shell:
        "{params.article} render --to html --ast {input.ast} --config {input.config}"
        " --output {output.html} > {log} 2>&1 || {{ cat {log} >&2; exit 1; }}"


rule render_epub:
    input:
        ast=rules.parse_article.output.ast,
        config="config/config.yaml",
        code=EPUB_FILES,
    output:
        epub="output/article.epub",
    log:
        "output/logs/render_epub.log",
    params:
        article=ARTICLE,
        stamp=f"{BUILD.epoch_s} {BUILD.commit_label}",  # build date, commit: rerun
    message:
        "Writing the EPUB 3 {output.epub}"
    shell:
        "{params.article} render --to epub --ast {input.ast} --config {input.config}"
        " --output {output.epub} > {log} 2>&1 || {{ cat {log} >&2; exit 1; }}"


rule render_pdf:
    input:
        ast=rules.parse_article.output.ast,
        metadata="manuscript/metadata.yaml",
        config="config/config.yaml",
        code=PDF_FILES,
        # the figures' print SVGs (text as text) replace the screen SVGs in the PDF
        figures=[f for f in GENERATED_FIGURES if f.endswith(".print.svg")],
    output:
        pdf="output/article.pdf",
        print_html="output/render/article.print.html",
        profile_css="output/render/profile.css",
    log:
        "output/logs/render_pdf.log",
    # the longest job (WeasyPrint): started before HTML and EPUB when they are ready together,
    # so that with --cores 2 they run beside it instead of before it (issue 10)
    priority: 10
    params:
        article=ARTICLE,
        stamp=f"{BUILD.epoch_s} {BUILD.commit_label}",  # build date, commit: rerun
    message:
        "Writing the PDF {output.pdf} with WeasyPrint (print HTML: {output.print_html})"
    shell:
        "{params.article} render --to pdf --ast {input.ast} --metadata {input.metadata}"
        " --config {input.config} --print-html {output.print_html}"
        " --output {output.pdf} > {log} 2>&1 || {{ cat {log} >&2; exit 1; }}"
