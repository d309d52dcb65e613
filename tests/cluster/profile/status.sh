#!/bin/sh
# Status command of the local "cluster" (see submit.sh): prints running, success or failed
# for the job id given, from .snakemake/local-cluster/<id>.{rc,pid}. A job whose process is gone
# without an exit code (killed) has failed.
set -eu
job=.snakemake/local-cluster/$1
if [ ! -f "$job.rc" ] && kill -0 "$(cat "$job.pid")" 2> /dev/null; then
  echo running
elif [ "$(cat "$job.rc" 2> /dev/null)" = 0 ]; then
  echo success
else
  echo failed
fi
