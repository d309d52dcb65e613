# Performance (issue 10, see README "Performance"). No rules here.
# After every job of a run has finished, Snakemake's scheduler still has a one-second
# threading.Timer pending (its re-evaluation tick for --max-jobs-per-timespan, default 100/1s)
# and Python waits for that thread before it exits: every build that runs a job ended about
# 1 s after its last job. The workflow is done when onsuccess runs, so the tick is cancelled.
# Snakemake keeps one onsuccess handler (the last one defined): add to this one.
import threading


onsuccess:
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()
