# Guard of issue 9 (src/build/safety.py), included before `configfile:` in the Snakefile:
# a journal profile that is not valid YAML stops the run with path:line:col and a hint
# (Snakemake's own message names no line). How a failed job reports its error: rules/common.smk.
from build.safety import check_yaml_or_exit

check_yaml_or_exit("config/config.yaml")
