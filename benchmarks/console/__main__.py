"""``python -m benchmarks.console [--runs N]``: how long ``archiver --help`` takes.

Issue 15's goal is under 0.3 s. Each run is a fresh ``python -m archiver --help``
(the console script does the same), timed by wall clock and by the CPU time of the
child process (user + system). On a loaded machine the wall clock measures the
queue for a core more than our start-up; the CPU time is the cost we control.
``python -c pass`` is timed the same way as the floor no command can go below.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

GOAL = 0.3


def timed(argv: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of ``argv``."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user
           + after.children_system - before.children_system)
    return wall, cpu


def measure(argv: list[str], runs: int) -> str:
    samples = [timed(argv) for _ in range(runs)]
    wall = statistics.median(s[0] for s in samples)
    cpu = statistics.median(s[1] for s in samples)
    return f"wall {wall:.3f} s, CPU {cpu:.3f} s (median of {runs})"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.console")
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    print(f"archiver --help:  {measure([sys.executable, '-m', 'archiver', '--help'], runs)}"
          f"   goal < {GOAL} s")
    print(f"python -c pass:   {measure([sys.executable, '-c', 'pass'], runs)}")
    load = os.getloadavg()[0]
    print(f"load average {load:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
