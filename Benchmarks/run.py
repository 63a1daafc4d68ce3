#!/usr/bin/env python3
"""Times Takt against CPython on the same programs, on this machine, and prints a table.

Each program runs a warm-up and then N timed runs as a whole process; the median wall time
is reported. Both sides print the same answer, which is checked.
Usage: python3 Benchmarks/run.py [--runs N]
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TAKT = os.path.join(ROOT, ".build", "release", "takt")
PROGRAMS = [
    ("fib(27), recursive calls", "fib"),
    ("sieve + loops over a 300,000-element list", "loops"),
]


def timed(cmd):
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return time.perf_counter() - start, out


def median_time(cmd, runs):
    timed(cmd)  # warm-up: page cache, dynamic loader
    times, out = [], None
    for _ in range(runs):
        t, out = timed(cmd)
        times.append(t)
    return statistics.median(times), out


def main():
    runs = 7
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
    subprocess.run(["swift", "build", "-c", "release", "--product", "takt"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    python = sys.executable
    pyver = subprocess.run([python, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Takt (release build) vs {pyver}, median of {runs} runs, wall seconds per whole process")
    print(f"{'program':<44} {'takt':>8} {'python3':>8} {'takt/python':>12}")
    for title, name in PROGRAMS:
        t_takt, out_takt = median_time([TAKT, "run", os.path.join(HERE, name + ".takt")], runs)
        t_py, out_py = median_time([python, os.path.join(HERE, name + ".py")], runs)
        if out_takt.split() != out_py.split():
            sys.exit(f"{name}: outputs differ: takt {out_takt!r} vs python {out_py!r}")
        print(f"{title:<44} {t_takt:>8.3f} {t_py:>8.3f} {t_takt / t_py:>12.2f}")


if __name__ == "__main__":
    main()
