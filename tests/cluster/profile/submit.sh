#!/bin/sh
# Submit command of the local "cluster" (snakemake-executor-plugin-cluster-generic), for tests.
# Usage (by Snakemake): submit.sh JOBSCRIPT. Starts the job script as its own process, detached
# and in a session of its own, in a clean environment (env -i with only PATH and HOME: nothing of
# the launching process's environment reaches the job, as on another node), and prints the job
# id on stdout. Per job, in .snakemake/local-cluster/ (relative to the run's working directory):
# <id>.pid (a process that lives as long as the job), <id>.pgid (the job's process group),
# <id>.log (its stdout and stderr), <id>.rc (its exit code, written when it ends).
# status.sh and cancel.sh read them.
set -eu
jobscript=$1
dir=.snakemake/local-cluster
mkdir -p "$dir"
id=$(date +%s%N)-$$
# a node's default search path: the launcher's PATH (its virtual environment) is not passed
node_path=/usr/local/bin:/usr/bin:/bin
setsid --wait env -i PATH="$node_path" HOME="${HOME:-/root}" /bin/sh -c \
  'echo $$ > "$2.pgid"; /bin/sh "$1"; rc=$?; echo "$rc" > "$2.rc.tmp" && mv "$2.rc.tmp" "$2.rc"' \
  job "$jobscript" "$dir/$id" < /dev/null > "$dir/$id.log" 2>&1 &
echo $! > "$dir/$id.pid"
echo "$id"
