#!/bin/sh
# Cancel command of the local "cluster" (see submit.sh): ends the jobs whose ids are given, each
# with every process it started (its process group).
for id in "$@"; do
  job=.snakemake/local-cluster/$id
  kill -TERM -- "-$(cat "$job.pgid" 2> /dev/null)" 2> /dev/null || true
  kill -TERM "$(cat "$job.pid")" 2> /dev/null || true
done
