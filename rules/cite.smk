# STUB (owned by the citations stage, issue 3): replace with the real normalizer.
# Contract: rule normalize_citations, outputs markdown=output/cite/article.md
# (all section files in reading order, citations canonical) and report=output/citations.json.


rule normalize_citations:
    input:
        sections=sorted(glob_wildcards("manuscript/{name}.md").name and expand("manuscript/{name}.md", name=sorted(glob_wildcards("manuscript/{name}.md").name))),
        bib="refs.bib",
    output:
        markdown="output/cite/article.md",
        report="output/citations.json",
    log:
        "output/logs/normalize_citations.log",
    message:
        "Normalizing citations (stub)"
    shell:
        "for f in {input.sections}; do cat $f; echo; done > {output.markdown} && echo '{{}}' > {output.report} 2> {log}"
