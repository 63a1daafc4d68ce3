#!/usr/bin/env python3
"""Benchmarks of the simulation core, beside SimPy on the same machine, in one go.

Installs SimPy from PyPI into .build-bench/venv on first use, builds the release `takt-bench`,
then prints jobs/s and events/s for each model on each engine, 1 vs 2 workers on 10
replications, the cost per event of a 1,000-station line against a 3-station one, and peak
memory against the horizon. Compared figures come from runs in turn, as a ratio per pair, and
are given as the median with the range over pairs. Usage: python3 Benchmarks/run_core.py
"""
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
BENCH = os.path.join(ROOT, ".build", "release", "takt-bench")
VENV = os.path.join(ROOT, ".build-bench", "venv")
PY = os.path.join(VENV, "bin", "python")


def setup():
    subprocess.run(["swift", "build", "-c", "release", "--product", "takt-bench"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    if not os.path.exists(PY):
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    subprocess.run([PY, "-m", "pip", "install", "-q", "simpy"], check=True)


def takt_once(*args):
    """One run: (parts, events, seconds of simulation)."""
    out = subprocess.run([BENCH, *args], check=True, capture_output=True, text=True).stdout.split()
    return int(out[3]), int(out[4]), float(out[5])


def simpy_once(model, horizon):
    out = subprocess.run([PY, os.path.join(HERE, "simpy_models.py"), model, str(horizon)],
                         check=True, capture_output=True, text=True).stdout.split()
    return int(out[1]), int(out[2]), float(out[3])


def pairs(a, b, n):
    """Runs a and b in turn n times. The machine is shared and its speed drifts, so figures are
    compared pair by pair: returns the list of a's results, b's results, and the a/b ratios of
    whatever the two functions return as their figure."""
    ra, rb, ratios = [], [], []
    for _ in range(n):
        x, y = a(), b()
        ra.append(x)
        rb.append(y)
        ratios.append(x[-1] / y[-1])
    return ra, rb, ratios


def spread(values):
    return f"{statistics.median(values):.2f} (runs {min(values):.2f}-{max(values):.2f})"


def peak_kb(*args):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", BENCH, *args], check=True, capture_output=True, text=True)
    return int(out.stderr.strip().splitlines()[-1])


def main():
    setup()
    n = 7
    print(f"Simulation core vs SimPy (single replication, one core; {n} runs of each, in turn)")
    print(f"{'model':<36} {'engine':<6} {'jobs/s':>12} {'events/s':>12}   takt/simpy jobs/s")
    def rates(run_once, *args):
        """A run as (jobs/s, events/s, jobs/s): the last is the figure pairs compare."""
        def run():
            p, e, sec = run_once(*args)
            return p / sec, e / sec, p / sec
        return run

    def row(title, engine, results, ratios=None):
        print(f"{title:<36} {engine:<6} {statistics.median(r[0] for r in results):>12,.0f} "
              f"{statistics.median(r[1] for r in results):>12,.0f}" + (f"   {spread(ratios)}" if ratios else ""))

    for model, title in [("mm1", "M/M/1 (rho 0.9), 1,000,000 min"), ("line3", "3-machine line, buffers 5, failures")]:
        t = rates(takt_once, model, "--horizon", "1000000")
        ta, sa, ratios = pairs(t, rates(simpy_once, model, 200000), n)
        row(title, "takt", ta)
        row("", "simpy", sa, ratios)
        if model == "line3":
            # The same line in SimPy keeping the statistics Takt reports: context, not the target.
            _, sb, ratios = pairs(t, rates(simpy_once, "line3_stats", 200000), n)
            row("  same line, SimPy with statistics", "simpy", sb, ratios)

    def workers(j):
        return lambda: takt_once("line3", "--horizon", "500000", "--replications", "10", "--jobs", str(j))
    one, two, ratios = pairs(workers(1), workers(2), 7)
    print(f"\n10 replications of the line: 1 worker {statistics.median(r[2] for r in one):.3f} s, "
          f"2 workers {statistics.median(r[2] for r in two):.3f} s, speed-up {spread(ratios)}")

    def per_event(model, horizon):
        def run():
            p, e, sec = takt_once(model, "--horizon", horizon)
            return (sec / e * 1e9,)
        return run
    big, small, ratios = pairs(per_event("line1000", "10000"), per_event("line3", "1000000"), 7)
    print(f"cost per event: 3-station line {statistics.median(r[0] for r in small):.0f} ns, "
          f"1,000-station line {statistics.median(r[0] for r in big):.0f} ns, ratio {spread(ratios)}")
    # How the cost grows with the plant (best of 3 each: the least disturbed run), and a line
    # whose machines all take exactly a minute, so that a thousand events tie at each instant.
    lengths = [3, 10, 30, 100, 300, 1000]
    best = [min(per_event(f"line{n}", str(3_000_000 // n))()[0] for _ in range(3)) for n in lengths]
    in_step = min(sec / e * 1e9 for _, e, sec in (takt_once("line1000", "--horizon", "10000", "--in-step") for _ in range(3)))
    print("cost per event by line length: " + ", ".join(f"{n}: {ns:.0f} ns" for n, ns in zip(lengths, best))
          + f"; 1,000 in step (constant times, no failures): {in_step:.0f} ns")
    servers = [1, 10, 100, 1000]
    best = [min(per_event(f"mmc{c}", str(1_000_000 // c))()[0] for _ in range(3)) for c in servers]
    print("cost per event of an M/M/c station at utilization 0.9: " + ", ".join(f"c = {c}: {ns:.0f} ns" for c, ns in zip(servers, best)))
    takt_cli = os.path.join(ROOT, ".build", "release", "takt")
    subprocess.run(["swift", "build", "-c", "release", "--product", "takt"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    latencies = []
    for _ in range(5):
        start = time.perf_counter()
        subprocess.run([takt_cli, "run", os.path.join(HERE, "whatif_line.takt")], check=True, stdout=subprocess.DEVNULL)
        latencies.append(time.perf_counter() - start)
    print(f"what if m2.servers = 2 on the section-1 line, 30 days, 10 replications: "
          f"{statistics.median(latencies):.3f} s (median of 5, whole process)")
    mems = [(h, peak_kb("mm1", "--horizon", str(h))) for h in (100000, 1000000, 10000000)]
    print("peak memory of M/M/1 by horizon: " + ", ".join(f"{h:,} min {kb / 1024:.1f} MiB" for h, kb in mems))


if __name__ == "__main__":
    main()
