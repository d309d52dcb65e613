# Preflight (issue 17): what a journal checks before it publishes each article (build.preflight):
# placeholder contacts, images without alt text (or with alt text that describes nothing: the
# generic words of src/build/lexicon/alt-text.yaml), uncited references, citations left as text,
# incomplete references, empty journal fields, typos noted in the editorial log but not decided.
# A normal build writes the report and prints its summary line; a final build
# (snakemake --config final=true) fails on any finding the article's
# manuscript/preflight-waivers.yaml does not waive, nor, for the journal's and the issue's
# fields, the journal's config/preflight-waivers.yaml.

from build.alttext import LEXICON as ALT_TEXT_LEXICON
from build.preflight import JOURNAL_WAIVERS_FILE

JOURNAL_WAIVERS = [p for p in (JOURNAL_WAIVERS_FILE,) if Path(p).is_file()]


rule preflight_article:
    input:
        ast=rules.parse_article.output.ast,
        citations=rules.normalize_citations.output.report,
        bibliography=rules.lint_bibliography.output.csl,
        metadata=source("manuscript/metadata.yaml"),
        sections=section_files,
        bib=required_source("refs.bib"),
        log=optional_source("manuscript/editorial-log.yaml"),
        waivers=optional_source("manuscript/preflight-waivers.yaml"),
        journal_waivers=JOURNAL_WAIVERS,
        profile="config/config.yaml",
        issue=ISSUE_FILE,
        lexicon=str(ALT_TEXT_LEXICON),
    output:
        report="{out}/preflight/report.txt",
        json="{out}/preflight/report.json",
    log:
        "{out}/logs/preflight_article.log",
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        folder=lambda wildcards: article(wildcards).folder,
        final="--final" if str(config.get("final")).lower() == "true" else "",
        label=article_label,
    message:
        "Preflight of {params.label}: what a journal checks before it publishes"
    shell:
        "{ARTICLE} --log {log} preflight {params.folder} --outdir {wildcards.out}"
        " --report {output.report} --json {output.json} {params.final}"
        " && head -n 1 {output.report}"
