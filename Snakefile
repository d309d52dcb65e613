# Publishing pipeline of a journal's articles: for the root article (manuscript/, refs.bib) and
# every articles/<slug>/ of the same layout -> output/[articles/<slug>/]article.{html,epub,pdf}
# and the issue's table of contents. Thin entry file: configuration (checked against its
# schema), rule files, default target.
from snakemake.utils import min_version

from build.profile import validate_workflow_config

min_version("9.0")


include: "rules/safety.smk"


configfile: "config/config.yaml"


validate_workflow_config(config, "config/config.yaml", "config/schema.yaml")


include: "rules/common.smk"
include: "rules/profile.smk"
include: "rules/manuscript.smk"
include: "rules/bibliography.smk"
include: "rules/cite.smk"
include: "rules/figures.smk"
include: "rules/render.smk"
include: "rules/diff.smk"
include: "rules/provenance.smk"
include: "rules/preflight.smk"
include: "rules/issue.smk"
include: "rules/performance.smk"


rule all:
    default_target: True
    input:
        expand(
            "{out}/{name}",
            out=OUTDIRS,
            name=(
                "article.html",
                "article.epub",
                "article.pdf",
                "manifest.json",
                "preflight/report.txt",
            ),
        ),
        rules.write_issue_index.output.html,


onerror:
    # each failed job's first error closes the run; the failed articles' final outputs are
    # removed, so that an old PDF is not taken for this build's (build.joblog)
    close_failed_run(
        OUTPUT_DIR,
        RUN_START_S,
        OUTDIRS,
        SHARED_LOGS,
        rules.write_issue_index.output.html,
    )
    cancel_timers()  # rules/performance.smk
