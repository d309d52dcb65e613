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
include: "rules/issue.smk"
include: "rules/performance.smk"


rule all:
    default_target: True
    input:
        expand(
            "{out}/{name}",
            out=OUTDIRS,
            name=("article.html", "article.epub", "article.pdf", "manifest.json"),
        ),
        rules.write_issue_index.output.html,


onerror:
    # each failed job wrote its first real error beside its log (build.joblog); repeat them
    # last, so that the run closes with the cause rather than Snakemake's summary
    notes = note_paths([OUTPUT_DIR], RUN_START_S)
    for note in notes:
        print(Path(note).read_text(encoding="utf-8").rstrip(), file=sys.stderr)
    # the failed articles' final outputs are removed: an old PDF is not taken for this build's
    stale = stale_outputs(
        notes, OUTDIRS, SHARED_LOGS, rules.write_issue_index.output.html
    )
    removed = [p for p in stale if Path(p).is_file()]
    for path in removed:
        Path(path).unlink()
    if removed:
        print(
            f"removed, as they no longer match the sources: {' '.join(removed)}",
            file=sys.stderr,
        )
    cancel_timers()  # rules/performance.smk
