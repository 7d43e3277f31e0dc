"""One run's lifecycle: its lock, its recovery of a killed run, the runner, its outcome.

``lock`` (one run per output directory), ``recovery`` (what a killed run left
behind), ``runner`` (one crawl in this process, with its JOBDIR) and ``outcome``
(the summary figures and the :class:`~archiver.run.outcome.ExitCode` a
scheduler sees). What people read of a run is printed by :mod:`archiver.console`.
"""
