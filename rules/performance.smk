# Performance (issues 10 and 14, see README "Performance"). No rules here.
# Snakemake's scheduler ends every pass with a threading.Timer that re-evaluates the ready jobs
# after the timespan of --max-jobs-per-timespan (default 100/1s), and each timer's pass starts
# another: the passes pile up with every finished job (5 881 passes for the 257 jobs of a
# 32-article issue, each checking every ready job's inputs). The workflow profile
# profiles/default/config.yaml sets a timespan longer than a build (10000/100s), so that
# the chains never fire. Python waits for pending timers before it exits: the workflow is done
# when onsuccess or onerror runs, so they cancel them (cancel_timers, called from both).
# Snakemake keeps one onsuccess and one onerror handler (the last one defined).
# Why this stays (issue 19, one build engine): Snakemake's command line always sets a rate
# limit (default 100/1s; no option switches it off), and every scheduling pass starts a
# non-daemon threading.Timer of that timespan (snakemake/scheduling/job_scheduler.py,
# _schedule_reevalutation, 9.27.1). Only its Python API can run without one
# (SchedulingSettings(max_jobs_per_timespan=None)), which would need a second front end to
# Snakemake; without the cancel, each run waits for the profile's 100 s timer before it exits.
import threading


def cancel_timers():
    """Cancel the scheduler's pending re-evaluation timers (see above)."""
    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer):
            thread.cancel()


onsuccess:
    cancel_timers()
