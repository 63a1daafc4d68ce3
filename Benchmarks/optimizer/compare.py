"""Takt's optimizer against random search and Optuna's default sampler (TPE) at equal budgets in
simulation runs, on problems whose every configuration's objective is known exactly: two open
Jackson networks (Erlang C, jackson_exact.py) and the section-6 line without failures (its
Markov chain, line_exact.py). Random search and Optuna make one `takt run --set ... --json`
per trial with the optimizer's `replications` runs, so all three get the same runs and the same
common random numbers (replication k of every configuration shares its streams).

    python3 Benchmarks/optimizer/compare.py [--problem jackson4|jackson5|line] [--seeds 10]
                                            [--budget 300] [--methods takt,random,optuna]

Prints, per method: picks within 0.1% of the true optimum, the median and worst gap, and the
median wall time per search."""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import jackson_exact  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
TAKT = os.environ.get("TAKT", os.path.join(ROOT, ".build", "release", "takt"))


class Problem:
    def __init__(self, name):
        spec = jackson_exact.PROBLEMS[name]()
        self.model = os.path.join(HERE, spec["model"])
        self.reward, self.direction, self.vary = spec["reward"], spec["direction"], spec["vary"]
        self.exact = spec["exact"]()
        self.sign = 1 if self.direction == "maximize" else -1     # larger sign * value is better

    def literal(self, v):
        return str(v)

    def gap(self, config):
        """How far the exact objective of a pick is from the optimum, in percent."""
        best = max(self.exact.values(), key=lambda v: self.sign * v)
        return 100 * abs(self.exact[config] - best) / abs(best)


def takt_json(script, seed, extra=()):
    out = subprocess.run([TAKT, "run", script, "--seed", str(seed), "--json", *extra],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_takt(p, seed, budget, replications):
    lines = []
    for name, values in p.vary:
        whole = all(float(v).is_integer() for v in values) and list(values) == list(range(values[0], values[-1] + 1))
        domain = f"{values[0]}...{values[-1]}" if whole else "[" + ", ".join(p.literal(v) for v in values) + "]"
        lines.append(f"  vary {name} in {domain}\n")
    block = f"\n{p.direction} {p.reward} {{\n" + "".join(lines) + f"  budget: {budget}\n  replications: {replications}\n}}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".takt", delete=False) as f:
        f.write(open(p.model).read() + block)
        path = f.name
    try:
        d = takt_json(path, seed)
    finally:
        os.unlink(path)
    assert d["runs"] <= budget
    return tuple(d["config"][name] for name, _ in p.vary)


def evaluate(p, config, seed, replications):
    sets = [a for (name, _), v in zip(p.vary, config) for a in ("--set", f"{name}={p.literal(v)}")]
    d = takt_json(p.model, seed, ["--replications", str(replications), *sets])
    return d["rewards"][p.reward]["mean"]


def run_random(p, seed, budget, replications):
    rng = random.Random(seed)
    seen, best = set(), None
    space = 1
    for _, values in p.vary:
        space *= len(values)
    while len(seen) < min(space, budget // replications):
        c = tuple(rng.choice(values) for _, values in p.vary)
        if c in seen:
            continue
        seen.add(c)
        v = p.sign * evaluate(p, c, seed, replications)
        if best is None or v > best[0]:
            best = (v, c)
    return best[1]


def run_optuna(p, seed, budget, replications):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction=p.direction, sampler=optuna.samplers.TPESampler(seed=seed))

    def objective(trial):
        # Each dimension as the index of its value: ordered, as Takt's search sees it.
        c = tuple(values[trial.suggest_int(name, 0, len(values) - 1)] for name, values in p.vary)
        return evaluate(p, c, seed, replications)

    study.optimize(objective, n_trials=budget // replications)
    return tuple(values[study.best_params[name]] for name, values in p.vary)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--problem", default="jackson4", choices=sorted(jackson_exact.PROBLEMS))
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--budget", type=int, default=300)
    ap.add_argument("--replications", type=int, default=2)
    ap.add_argument("--methods", default="takt,random,optuna")
    args = ap.parse_args()
    p = Problem(args.problem)
    best = max(p.exact, key=lambda c: p.sign * p.exact[c])
    print(f"problem: {args.problem} ({p.direction} {p.reward}), {len(p.exact)} configurations, true optimum "
          f"{p.exact[best]:.4f} at {best}; budget {args.budget} runs, {args.seeds} seeds")
    methods = {"takt": run_takt, "random": run_random, "optuna": run_optuna}
    print(f"{'method':<8} {'within 0.1%':>12} {'median gap':>11} {'worst gap':>10} {'median time':>12}")
    for name in args.methods.split(","):
        gaps, times = [], []
        for seed in range(1, args.seeds + 1):
            t0 = time.perf_counter()
            pick = methods[name](p, seed, args.budget, args.replications)
            times.append(time.perf_counter() - t0)
            gaps.append(p.gap(pick))
        hits = sum(g <= 0.1 for g in gaps)
        print(f"{name:<8} {hits:>9}/{args.seeds:<2} {statistics.median(gaps):>10.3f}% {max(gaps):>9.3f}% "
              f"{statistics.median(times):>11.2f}s", flush=True)


if __name__ == "__main__":
    main()
