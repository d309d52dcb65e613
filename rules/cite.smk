# Citations stage (issue 3): free-text author–year citations become checked pandoc citations.
# Writes only under output/; an unresolved citation fails the rule with path:line:col and its
# candidates (first lines of the log). Decisions live in manuscript/citation-corrections.yaml.
# Uses ARTICLE and section_files from rules/common.smk.


rule normalize_citations:
    input:
        checked=rules.check_manuscript.output.check,
        sections=section_files,
        bib="refs.bib",
        corrections="manuscript/citation-corrections.yaml",
    output:
        markdown="output/cite/article.md",
        report="output/citations.json",
        table="output/citations.md",
    log:
        "output/logs/normalize_citations.log",
    message:
        "Normalizing the citations of the manuscript against refs.bib"
    shell:
        "{ARTICLE} citations --bib {input.bib} --corrections {input.corrections}"
        " --output {output.markdown} --report {output.report} {input.sections}"
        " 2> {log} || {{ head -n 20 {log} >&2; echo 'full log: {log}' >&2; exit 1; }}"


rule normalize_submitted_citations:
    input:
        text="manuscript/submitted/article.txt",
        bib="refs.bib",
        corrections="manuscript/citation-corrections.yaml",
    output:
        markdown="output/submitted/article.md",
        report="output/submitted/citations.json",
        table="output/submitted/citations.md",
    log:
        "output/logs/normalize_submitted_citations.log",
    message:
        "Normalizing the citations of the submitted text against refs.bib"
    shell:
        "{ARTICLE} citations --bib {input.bib} --corrections {input.corrections}"
        " --output {output.markdown} --report {output.report} {input.text}"
        " 2> {log} || {{ head -n 20 {log} >&2; echo 'full log: {log}' >&2; exit 1; }}"
