#!/usr/bin/env python3
"""Benchmarks of the simulation core, beside SimPy on the same machine, in one go.

Installs SimPy from PyPI into .build-bench/venv on first use, builds the release `takt-bench`,
then prints jobs/s and events/s for each model on each engine, 1 vs 2 workers on 10
replications, the cost per event of a 1,000-station line against a 3-station one, and peak
memory against the horizon. Usage: python3 Benchmarks/run_core.py
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


def takt(*args, runs=3):
    """Median of runs: (parts, events, seconds)."""
    rows = []
    for _ in range(runs):
        out = subprocess.run([BENCH, *args], check=True, capture_output=True, text=True).stdout.split()
        rows.append((int(out[3]), int(out[4]), float(out[5])))
    rows.sort(key=lambda r: r[2])
    return rows[len(rows) // 2]


def simpy(model, horizon, runs=3):
    rows = []
    for _ in range(runs):
        out = subprocess.run([PY, os.path.join(HERE, "simpy_models.py"), model, str(horizon)],
                             check=True, capture_output=True, text=True).stdout.split()
        rows.append((int(out[1]), int(out[2]), float(out[3])))
    rows.sort(key=lambda r: r[2])
    return rows[len(rows) // 2]


def peak_kb(*args):
    out = subprocess.run(["/usr/bin/time", "-f", "%M", BENCH, *args], check=True, capture_output=True, text=True)
    return int(out.stderr.strip().splitlines()[-1])


def main():
    setup()
    print("Simulation core vs SimPy (single replication, one core, median of 3 runs)")
    print(f"{'model':<36} {'engine':<6} {'jobs/s':>12} {'events/s':>12} {'takt/simpy jobs/s':>18}")
    for model, title in [("mm1", "M/M/1 (rho 0.9), 1,000,000 min"), ("line3", "3-machine line, buffers 5, failures")]:
        p, e, s = takt(model, "--horizon", "1000000")
        sp, se, ss = simpy(model, 200000)
        print(f"{title:<36} {'takt':<6} {p / s:>12,.0f} {e / s:>12,.0f}")
        print(f"{'':<36} {'simpy':<6} {sp / ss:>12,.0f} {se / ss:>12,.0f} {(p / s) / (sp / ss):>18.1f}")
    one = takt("line3", "--horizon", "500000", "--replications", "10", "--jobs", "1", runs=5)[2]
    two = takt("line3", "--horizon", "500000", "--replications", "10", "--jobs", "2", runs=5)[2]
    print(f"\n10 replications of the line: 1 worker {one:.3f} s, 2 workers {two:.3f} s, speed-up {one / two:.2f}x")
    p3, e3, s3 = takt("line3", "--horizon", "1000000")
    p1k, e1k, s1k = takt("line1000", "--horizon", "10000")
    print(f"cost per event: 3-station line {s3 / e3 * 1e9:.0f} ns, 1,000-station line {s1k / e1k * 1e9:.0f} ns, "
          f"ratio {(s1k / e1k) / (s3 / e3):.2f}")
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
