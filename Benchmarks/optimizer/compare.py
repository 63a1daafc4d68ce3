"""Takt's optimizer against random search and Optuna's default sampler (TPE) at equal budgets in
simulation runs, on the Jackson networks of this folder, whose every configuration's cost is
known exactly (jackson_exact.py). Random search and Optuna make one `takt run --set ...
--json` per trial with the optimizer's `replications` runs, so all three get the same runs and
the same common random numbers (replication k of every configuration shares its streams).

    python3 Benchmarks/optimizer/compare.py [--problem jackson4|jackson5] [--seeds 10] [--budget 300]
                                            [--methods takt,random,optuna]

Prints, per method: picks within 0.1% of the true optimum, the median and worst gap, and the
median wall time per search."""
import argparse, json, os, random, statistics, subprocess, sys, tempfile, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import jackson_exact  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))
TAKT = os.environ.get("TAKT", os.path.join(ROOT, ".build", "release", "takt"))
MODEL, NAMES, LOW, HIGH = None, None, None, None


def use(problem):
    global MODEL, NAMES, LOW, HIGH
    file, NAMES, LOW, HIGH, _ = jackson_exact.PROBLEMS[problem]
    MODEL = os.path.join(HERE, file)


def takt_json(script, seed, extra=()):
    out = subprocess.run([TAKT, "run", script, "--seed", str(seed), "--json", *extra],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def run_takt(seed, budget, replications):
    block = "\nminimize cost {\n" + "".join(f"  vary {n} in {LOW}...{HIGH}\n" for n in NAMES) \
        + f"  budget: {budget}\n  replications: {replications}\n}}\n"
    with tempfile.NamedTemporaryFile("w", suffix=".takt", delete=False) as f:
        f.write(open(MODEL).read() + block)
        path = f.name
    try:
        d = takt_json(path, seed)
    finally:
        os.unlink(path)
    assert d["runs"] <= budget
    return tuple(int(d["config"][n]) for n in NAMES)


def evaluate(config, seed, replications):
    sets = [a for n, v in zip(NAMES, config) for a in ("--set", f"{n}={v}")]
    d = takt_json(MODEL, seed, ["--replications", str(replications), *sets])
    return d["rewards"]["cost"]["mean"]


def run_random(seed, budget, replications):
    rng = random.Random(seed)
    seen, best = set(), None
    while len(seen) < budget // replications:
        c = tuple(rng.randint(LOW, HIGH) for _ in NAMES)
        if c in seen:
            continue
        seen.add(c)
        v = evaluate(c, seed, replications)
        if best is None or v < best[0]:
            best = (v, c)
    return best[1]


def run_optuna(seed, budget, replications):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.TPESampler(seed=seed))

    def objective(trial):
        return evaluate(tuple(trial.suggest_int(n, LOW, HIGH) for n in NAMES), seed, replications)

    study.optimize(objective, n_trials=budget // replications)
    return tuple(study.best_params[n] for n in NAMES)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--problem", default="jackson4", choices=sorted(jackson_exact.PROBLEMS))
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--budget", type=int, default=300)
    p.add_argument("--replications", type=int, default=2)
    p.add_argument("--methods", default="takt,random,optuna")
    args = p.parse_args()
    use(args.problem)
    costs = jackson_exact.all_costs(args.problem)
    optimum = min(costs.values())
    print(f"problem: {args.problem}, {len(costs)} configurations, true optimum {optimum:.4f} "
          f"at {min(costs, key=costs.get)}; budget {args.budget} runs, {args.seeds} seeds")
    methods = {"takt": run_takt, "random": run_random, "optuna": run_optuna}
    print(f"{'method':<8} {'within 0.1%':>12} {'median gap':>11} {'worst gap':>10} {'median time':>12}")
    for name in args.methods.split(","):
        gaps, times = [], []
        for seed in range(1, args.seeds + 1):
            t0 = time.perf_counter()
            pick = methods[name](seed, args.budget, args.replications)
            times.append(time.perf_counter() - t0)
            gaps.append(100 * (costs[pick] / optimum - 1))
        hits = sum(g <= 0.1 for g in gaps)
        print(f"{name:<8} {hits:>9}/{args.seeds:<2} {statistics.median(gaps):>10.3f}% {max(gaps):>9.3f}% "
              f"{statistics.median(times):>11.2f}s", flush=True)


if __name__ == "__main__":
    main()
