#!/usr/bin/env python3
"""Learning agents against the optimal routing policy, and what a decision costs.

Quality: for two-server routing plants (Poisson arrivals, a fast and a slow exponential server,
routing on arrival, reward -wip), takt trains the agent from a script (200 episodes of
2000 min, as docs/agents.md writes it) and prints its `decide` table over a grid of
observations. This script then evaluates that table exactly: the plant is a continuous-time
Markov chain on (parts at fast, parts at slow), truncated at N parts each; its stationary
distribution under a policy gives the mean work in process, and by Little's law the mean
cycle time (WIP over the arrival rate), so the ratios of WIP and of cycle time are the same.
The optimal policy comes from relative value iteration on the uniformized chain. Shortest queue
and the best of two families of fixed thresholds are evaluated the same way.

Speed: the time to train, and a long run of the trained (greedy) agent against the same plant
routed by shortest_queue: the difference per decision is what a decision costs, observation
included, beyond the rule it replaces.

    TAKT=.build/release/takt python3 Benchmarks/agents/routing.py [--plants 4] [--seeds 1]
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

TAKT = os.environ.get("TAKT", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "release", "takt"))
N = 60          # truncation of each queue for the exact chains
GRID = 40       # the decide table printed by takt covers 0..GRID-1 at each server

# (arrival rate, fast rate, slow rate) per minute; load = arrival / (fast + slow).
PLANTS = [
    (0.8, 1.0, 0.5),    # the plant of issue 14, load 0.53
    (1.0, 1.0, 0.5),    # load 0.67
    (0.6, 1.0, 0.25),   # a very slow second server, load 0.48
    (1.275, 1.0, 0.5),  # load 0.85
]

SCRIPT = """config {{ replications: 1, horizon: 10min, seed: {seed} }}
source jobs {{ every: exponential({arrival}min) }}
station fast {{ process: exponential({fast}min) }}
station slow {{ process: exponential({slow}min) }}
sink done
flow jobs -> [fast, slow] by agent dispatcher
flow fast -> done
flow slow -> done
agent dispatcher {{
  observe: [fast.count, slow.count]
  reward: -wip
  train: 200 episodes of 2000min
}}
let training = train dispatcher
{tail}
"""

TABLE = """for a in 0..<{grid} {{
  var row = ""
  for b in 0..<{grid} {{ row += if dispatcher.decide([a, b]) == "fast" {{ "0" }} else {{ "1" }} }}
  print(row)
}}
save_policy(dispatcher, "{policy}")
"""


def exact_wip(lam, mu1, mu2, route):
    """Mean parts in the truncated chain; route[a, b] is 0 (fast) or 1 (slow)."""
    n = N + 1
    size = n * n
    rows, cols, rates = [], [], []
    for a in range(n):
        for b in range(n):
            i = a * n + b
            if route[a, b] == 0 and a < N:
                rows.append(i); cols.append((a + 1) * n + b); rates.append(lam)
            if route[a, b] == 1 and b < N:
                rows.append(i); cols.append(a * n + b + 1); rates.append(lam)
            if a > 0:
                rows.append(i); cols.append((a - 1) * n + b); rates.append(mu1)
            if b > 0:
                rows.append(i); cols.append(a * n + b - 1); rates.append(mu2)
    out_rates = np.zeros(size)
    np.add.at(out_rates, rows, rates)
    rhs = np.zeros(size)
    rhs[-1] = 1
    # pi Q = 0 with sum(pi) = 1: the transposed generator, one balance equation replaced by
    # the normalization. Sparse when SciPy is there (a second per plant), dense otherwise.
    t_rows = cols + list(range(size))
    t_cols = rows + list(range(size))
    t_vals = rates + list(-out_rates)
    keep = [k for k in range(len(t_rows)) if t_rows[k] != size - 1]
    t_rows = [t_rows[k] for k in keep] + [size - 1] * size
    t_cols = [t_cols[k] for k in keep] + list(range(size))
    t_vals = [t_vals[k] for k in keep] + [1.0] * size
    try:
        from scipy.sparse import csr_matrix
        from scipy.sparse.linalg import spsolve
        pi = spsolve(csr_matrix((t_vals, (t_rows, t_cols)), shape=(size, size)), rhs)
    except ImportError:
        a_matrix = np.zeros((size, size))
        np.add.at(a_matrix, (t_rows, t_cols), t_vals)
        pi = np.linalg.solve(a_matrix, rhs)
    counts = np.add.outer(np.arange(n), np.arange(n)).ravel()
    return float(pi @ counts)


def optimal_policy(lam, mu1, mu2):
    """Relative value iteration of the uniformized chain, minimizing the mean WIP."""
    n = N + 1
    u = lam + mu1 + mu2
    a = np.arange(n)[:, None] * np.ones((1, n), dtype=int)
    b = np.ones((n, 1), dtype=int) * np.arange(n)[None, :]
    h = np.zeros((n, n))
    for _ in range(200000):
        to_fast = np.where(a < N, np.roll(h, -1, axis=0), h)
        to_slow = np.where(b < N, np.roll(h, -1, axis=1), h)
        down_fast = np.where(a > 0, np.roll(h, 1, axis=0), h)
        down_slow = np.where(b > 0, np.roll(h, 1, axis=1), h)
        new = (a + b) / u + lam / u * np.minimum(to_fast, to_slow) + mu1 / u * down_fast + mu2 / u * down_slow
        new -= new[0, 0]
        if np.max(np.abs(new - h)) < 1e-11:
            h = new
            break
        h = new
    to_fast = np.where(a < N, np.roll(h, -1, axis=0), np.inf)
    to_slow = np.where(b < N, np.roll(h, -1, axis=1), np.inf)
    return np.where(to_fast <= to_slow, 0, 1)


def extend(table):
    """A GRID x GRID decide table to the truncated chain: beyond the grid, the nearest cell
    (the nearest visited observation lies inside the grid for these plants)."""
    n = N + 1
    out = np.zeros((n, n), dtype=int)
    for a in range(n):
        for b in range(n):
            out[a, b] = table[min(a, GRID - 1)][min(b, GRID - 1)]
    return out


def policy_of(rule):
    n = N + 1
    return np.array([[rule(a, b) for b in range(n)] for a in range(n)])


def run(script, args=()):
    start = time.perf_counter()
    out = subprocess.run([TAKT, "run", script, *args], check=True, capture_output=True, text=True).stdout
    return out, time.perf_counter() - start


def quality(lam, mu1, mu2, seed, folder):
    policy_file = os.path.join(folder, "policy.json")
    tail = TABLE.format(grid=GRID, policy=policy_file)
    script = os.path.join(folder, "train.takt")
    with open(script, "w") as f:
        f.write(SCRIPT.format(seed=seed, arrival=1 / lam, fast=1 / mu1, slow=1 / mu2, tail=tail))
    out, seconds = run(script)
    table = [[int(c) for c in line] for line in out.split("\n") if line and set(line) <= {"0", "1"}]
    assert len(table) == GRID, out[:500]
    learned = exact_wip(lam, mu1, mu2, extend(table))
    best_policy = optimal_policy(lam, mu1, mu2)
    optimal = exact_wip(lam, mu1, mu2, best_policy)
    jsq = exact_wip(lam, mu1, mu2, policy_of(lambda a, b: 0 if a <= b else 1))
    thresholds = [exact_wip(lam, mu1, mu2, policy_of(lambda a, b, t=t: 0 if a - b <= t else 1)) for t in range(0, 8)]
    thresholds += [exact_wip(lam, mu1, mu2, policy_of(lambda a, b, t=t: 0 if a < t else 1)) for t in range(1, 12)]
    return dict(learned=learned, optimal=optimal, jsq=jsq, threshold=min(thresholds), seconds=seconds,
                table=table, optimal_table=best_policy[:GRID, :GRID])


def speed(folder, repeats):
    """A long greedy run with the trained policy, against the same plant by shortest_queue."""
    lam, mu1, mu2 = PLANTS[0]
    horizon = 2_000_000  # minutes: about 1.6 million arrivals, each one decision
    common = SCRIPT.split("agent dispatcher {{")[0].format(seed=1, arrival=1 / lam, fast=1 / mu1, slow=1 / mu2, tail="")
    common = common.replace("horizon: 10min", f"horizon: {horizon}min")
    agent = os.path.join(folder, "agent.takt")
    with open(agent, "w") as f:
        f.write(common + "agent dispatcher {\n  observe: [fast.count, slow.count]\n  reward: -wip\n}\n"
                + f'load_policy(dispatcher, "{os.path.join(folder, "policy.json")}")\nprint(simulate().throughput)\n')
    rule = os.path.join(folder, "rule.takt")
    with open(rule, "w") as f:
        f.write(common.replace("by agent dispatcher", "by shortest_queue") + "print(simulate().throughput)\n")
    with_agent, with_rule = [], []
    for _ in range(repeats):
        with_agent.append(run(agent, ["--jobs", "1"])[1])
        with_rule.append(run(rule, ["--jobs", "1"])[1])
    decisions = lam * horizon
    a, r = statistics.median(with_agent), statistics.median(with_rule)
    return dict(agent=a, rule=r, decisions=decisions, per_decision_ns=(a - r) / decisions * 1e9)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--plants", type=int, default=len(PLANTS))
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--curve", action="store_true", help="print the learned and optimal switching tables")
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as folder:
        print("| arrival, fast, slow (per min) | load | seed | learned WIP | optimal | gap | shortest queue | best threshold | training s |")
        print("|---|---|---|---|---|---|---|---|---|")
        for lam, mu1, mu2 in PLANTS[:args.plants]:
            for seed in range(1, args.seeds + 1):
                r = quality(lam, mu1, mu2, seed, folder)
                gap = r["learned"] / r["optimal"] - 1
                ok = gap <= 0.01 and r["learned"] < r["jsq"] and r["learned"] <= r["threshold"] * (1 + 1e-9)
                failures += 0 if ok else 1
                print(f"| {lam}, {mu1}, {mu2} | {lam / (mu1 + mu2):.2f} | {seed} | {r['learned']:.4f} | {r['optimal']:.4f} | "
                      f"{gap * 100:+.2f}% | {r['jsq']:.4f} | {r['threshold']:.4f} | {r['seconds']:.2f} |{'' if ok else ' (misses a target)'}")
                if args.curve:
                    print("learned (rows: parts at fast 0..15; columns: parts at slow 0..15; 1 = slow)   optimal")
                    for a in range(16):
                        print("".join(str(x) for x in r["table"][a][:16]), "  ", "".join(str(x) for x in r["optimal_table"][a][:16]))
        s = speed(folder, args.repeats)
        print()
        # Each part makes two events here (its arrival and its finish).
        events = 2 * s["decisions"]
        print(f"speed: {s['decisions']:.0f} decisions; greedy agent {s['agent']:.2f} s ({events / s['agent'] / 1e6:.1f} M events/s), "
              f"shortest_queue {s['rule']:.2f} s ({events / s['rule'] / 1e6:.1f} M events/s), whole processes, medians of "
              f"{args.repeats}; a decision costs {s['per_decision_ns']:.0f} ns beyond the rule")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
