# Citations stage (issue 3): free-text author–year citations become checked pandoc citations.
# Writes only under the article's output folder; an unresolved citation fails the rule with
# path:line:col and its candidates. Decisions live in the article's
# manuscript/citation-corrections.yaml (optional). In-text forms are those of the profile's CSL
# style, as pandoc's citeproc prints them.


rule normalize_citations:
    input:
        checked=rules.check_manuscript.output.check,
        sections=section_files,
        bib=rules.lint_bibliography.output.csl,
        corrections=optional_source("manuscript/citation-corrections.yaml"),
        profile=rules.check_profile.output.profile,
    output:
        markdown="{out}/cite/article.md",
        report="{out}/citations.json",
        table="{out}/citations.md",
    log:
        "{out}/logs/normalize_citations.log",
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    params:
        corrections=source("manuscript/citation-corrections.yaml"),
        # --config lint=warn: the diff's builds of old revisions, which predate today's rules
        mode="--errors-as-warnings" if config.get("lint") == "warn" else "",
        label=article_label,
    message:
        "Normalizing the citations of {params.label} against its linted bibliography"
    shell:
        "{ARTICLE} --log {log} citations --bib {input.bib} --corrections {params.corrections}"
        " --profile {input.profile} --output {output.markdown} --report {output.report}"
        " {params.mode} {input.sections}"


rule normalize_submitted_citations:
    input:
        text=source("manuscript/submitted/article.txt"),
        bib=rules.lint_bibliography.output.csl,
        corrections=optional_source("manuscript/citation-corrections.yaml"),
        profile=rules.check_profile.output.profile,
    output:
        markdown="{out}/submitted/article.md",
        report="{out}/submitted/citations.json",
        table="{out}/submitted/citations.md",
    log:
        "{out}/logs/normalize_submitted_citations.log",
    threads: 1
    resources:
        mem_mb=512,
        runtime=5,
    params:
        corrections=source("manuscript/citation-corrections.yaml"),
    message:
        "Normalizing the citations of the submitted text {input.text}"
    shell:
        "{ARTICLE} --log {log} citations --bib {input.bib} --corrections {params.corrections}"
        " --profile {input.profile} --output {output.markdown} --report {output.report} {input.text}"
