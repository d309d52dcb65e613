# Guards of issue 9 (src/build/safety.py), included before `configfile:` in the Snakefile.
# 1. A journal profile that is not valid YAML stops the run with path:line:col and a hint
#    (Snakemake's own message names no line).
# 2. When a job fails, the last lines of the run name the first real error (from the failed
#    rule's log) and that log's path.
import sys

from build.safety import check_yaml_or_exit, failure_summary

check_yaml_or_exit("config/config.yaml")


onerror:
    summary = failure_summary(log)
    if summary:
        print(summary, file=sys.stderr)
