"""Overhead per run of the batch API: many 1,000-minute M/M/1 runs on one worker, against the
time the same events take in one long run.

    python3 Benchmarks/optimizer/overhead.py [--runs 20000] [--repeats 5]

Prints the cost per event of a long run, the time of the batch, and the time per run beyond
its events (the median of the repeats)."""
import argparse, os, statistics, subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH = os.environ.get("TAKT_BENCH", os.path.join(ROOT, ".build", "release", "takt-bench"))


def bench(*args):
    out = subprocess.run([BENCH, "mm1", "--jobs", "1", *args], check=True, capture_output=True, text=True).stdout.split()
    return int(out[4]), float(out[5])          # events, seconds


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=20000)
    p.add_argument("--repeats", type=int, default=5)
    a = p.parse_args()
    overheads, per_event, batch_times = [], [], []
    for _ in range(a.repeats):
        long_events, long_s = bench("--horizon", "20000000")
        events, s = bench("--horizon", "1000", "--replications", str(a.runs), "--batch")
        ns = long_s / long_events
        per_event.append(ns * 1e9)
        batch_times.append(s)
        overheads.append((s - events * ns) / a.runs * 1e6)
    print(f"long run: {statistics.median(per_event):.1f} ns per event")
    print(f"batch of {a.runs} runs of 1,000 min: {statistics.median(batch_times):.3f} s")
    print(f"overhead per run beyond its events: {statistics.median(overheads):.2f} µs (median of {a.repeats})")


if __name__ == "__main__":
    main()
