#!/usr/bin/env bash
# CI checks in stages (lint and formatting, unit tests, build, validators, reproducibility),
# stopping at the first failing stage; see .ci/check.py. Needs .ci/setup.sh to have run.
# Its last line is the plain summary "check: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python .ci/check.py "$@"
