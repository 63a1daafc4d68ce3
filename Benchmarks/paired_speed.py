#!/usr/bin/env python3
"""The speed of the plain flow lines against an earlier version of the engine.

Builds the release `takt-bench` of this tree and of a git revision (in a worktree under
.build-bench/), then times whole runs of both in turn (A B A B ...) on the 3-station line with
buffers and failures and on M/M/1, and prints per model the median of the per-pair ratios
old time / new time (above 1: this tree is faster) with their range. A new element kind must
not cost the plain lines anything measurable: the ratio should stay at 0.95 or above.
Usage: python3 Benchmarks/paired_speed.py REVISION [PAIRS]
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def build(tree):
    subprocess.run(["swift", "build", "-c", "release", "--product", "takt-bench"], cwd=tree, check=True,
                   stdout=subprocess.DEVNULL)
    return os.path.join(tree, ".build", "release", "takt-bench")


def timed(binary, model):
    start = time.perf_counter()
    subprocess.run([binary, model, "--replications", "6", "--jobs", "1"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: paired_speed.py REVISION [PAIRS]")
    revision, pairs = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 11
    old_tree = os.path.join(ROOT, ".build-bench", "old-" + revision[:12])
    if not os.path.exists(old_tree):
        subprocess.run(["git", "worktree", "add", "--detach", old_tree, revision], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    old, new = build(old_tree), build(ROOT)
    print(f"speed of this tree against {revision}: old time / new time, median of {pairs} pairs (range)")
    for model, name in [("line3", "3-station line, buffers of 5, failures"), ("mm1", "M/M/1, rho = 0.9")]:
        timed(old, model), timed(new, model)   # warm-up
        ratios = []
        for _ in range(pairs):
            a = timed(old, model)
            b = timed(new, model)
            ratios.append(a / b)
        print(f"{name}: {statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main()
