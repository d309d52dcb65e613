# Bibliography stage (issue 4): lint the article's refs.bib with build.bibliography.
# Errors (file:line: [rule] message + hint) stop the build; warnings and notes go to the report.
# Its output refs.json (CSL-JSON with the keys' lines) is the bibliography the citation
# normalizer and the table scripts read: refs.bib is not parsed again by them. The cleaned copy
# refs.bib (build.bibclean: name particles, corporate authors, bare DOIs, Unicode accents, the
# capitals of proper nouns braced, those the manuscript's own text writes as such included) is
# the one pandoc's citeproc reads in the render stage; the source is never rewritten (issue 15).
# The cleaned copy is a rule of its own because it reads the section files: a prose edit
# reruns it, not the lint nor the table scripts that read the lint's CSL-JSON.


rule lint_bibliography:
    input:
        # an article that cites nothing has an empty refs.bib; none at all is an error at once
        bib=required_source("refs.bib"),
        # the article's own rules (its proper nouns, corporate words), optional
        rules=optional_source("manuscript/bibliography.yaml"),
    output:
        report="{out}/bibliography/lint.json",
        csl="{out}/bibliography/refs.json",
        # its cleaned copy made without the text: clean_bibliography starts from it
        lint_copy="{out}/bibliography/refs.lint.bib",
    log:
        "{out}/logs/lint_bibliography.log",
    # before the citation normalizer, which also reads refs.bib: a broken entry is reported by
    # the linter (refs.bib:line, rule id, hint), not as pandoc's parse error (issue 9)
    priority: 20
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        rules=source("manuscript/bibliography.yaml"),
        # --config lint=warn: the diff's builds of old revisions, which predate today's rules
        mode="--errors-as-warnings" if config.get("lint") == "warn" else "",
    message:
        "Linting {input.bib} (rules: build.bibtex.RULES)"
    shell:
        "{ARTICLE} --log {log} bibliography lint {input.bib} --report {output.report}"
        " --csl-json {output.csl} --clean-bib {output.lint_copy} --proper-nouns {params.rules}"
        " {params.mode}"


rule clean_bibliography:
    input:
        bib=required_source("refs.bib"),
        rules=optional_source("manuscript/bibliography.yaml"),
        # a word the text capitalises in mid-sentence is a proper noun in the titles (not in
        # a language that capitalises every noun: the metadata's lang); the text as the
        # manuscript stage parsed it, with its lang
        sections=rules.check_manuscript.output.sections,
        # after the lint (a broken entry is reported there, with its rule and hint), from its
        # copy: used as it is when the text's proper nouns add nothing to it
        lint=rules.lint_bibliography.output.report,
        lint_copy=rules.lint_bibliography.output.lint_copy,
    output:
        clean="{out}/bibliography/refs.bib",
    log:
        "{out}/logs/clean_bibliography.log",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        rules=source("manuscript/bibliography.yaml"),
    message:
        "Writing the cleaned copy of {input.bib} that pandoc's citeproc reads"
    shell:
        "{ARTICLE} --log {log} bibliography clean {input.bib} --output {output.clean}"
        " --lint-copy {input.lint_copy} --proper-nouns {params.rules}"
        " --sections-ast {input.sections}"
