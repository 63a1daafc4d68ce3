"""Exact cost of every configuration of the Jackson networks of Benchmarks/optimizer
(jackson_model.takt, four stations; jackson5_model.takt, five), by Jackson's theorem:
each station is an M/M/c queue at the arrival rate the traffic equations give, so the mean
number in the plant is the sum of the stations' M/M/c means (Erlang C)."""
import itertools, math

ARRIVAL = 4.0                       # per minute, into a
MEAN = {"a": 0.5, "b": 1.0, "c": 1.5, "d": 0.4}
LAM_A = ARRIVAL / 0.9               # 10% of d's output returns to a
RATE = {"a": LAM_A, "b": 0.6 * LAM_A, "c": 0.4 * LAM_A, "d": LAM_A}
SERVER_COST, HOLDING_COST = 30, 20
SERVERS = range(1, 13)


def mmc_mean_in_system(lam, mean_service, c):
    a = lam * mean_service
    if a >= c:
        return math.inf
    term, total = 1.0, 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c * c / (c - a)      # a^c / c! * c / (c - a)
    p_wait = last / (total + last)
    return p_wait * a / (c - a) + a


def cost(config):
    wip = sum(mmc_mean_in_system(RATE[s], MEAN[s], n) for s, n in zip("abcd", config))
    return SERVER_COST * sum(config) + HOLDING_COST * wip


# The five-station network: 3 parts a minute, 15% of s5's output back to s1.
LAM_1 = 3.0 / 0.85
MEAN5 = [0.6, 1.2, 2.0, 0.5, 0.9]
RATE5 = [LAM_1, 0.7 * LAM_1, 0.3 * LAM_1, LAM_1, LAM_1]
COST5 = [40, 25, 60, 35, 30]
HOLDING5 = 25
SERVERS5 = range(1, 11)


def cost5(config):
    wip = sum(mmc_mean_in_system(l, m, n) for l, m, n in zip(RATE5, MEAN5, config))
    return sum(c * n for c, n in zip(COST5, config)) + HOLDING5 * wip


def jackson_problem(file, names, low, high, f):
    return {"model": file, "reward": "cost", "direction": "minimize",
            "vary": [(n, list(range(low, high + 1))) for n in names],
            "exact": lambda: {cfg: f(cfg) for cfg in itertools.product(range(low, high + 1), repeat=len(names))}}


def line_problem():
    import line_exact
    return {"model": "line_model.takt", "reward": "profit", "direction": "maximize",
            "vary": [("c1", line_exact.BUFFERS), ("c2", line_exact.BUFFERS), ("speed", line_exact.SPEEDS)],
            "exact": line_exact.all_profits}


PROBLEMS = {
    "jackson4": lambda: jackson_problem("jackson_model.takt", ["ca", "cb", "cc", "cd"], 1, 12, cost),
    "jackson5": lambda: jackson_problem("jackson5_model.takt", ["c1", "c2", "c3", "c4", "c5"], 1, 10, cost5),
    "line": line_problem,
}


def all_costs(problem="jackson4"):
    return PROBLEMS[problem]()["exact"]()


if __name__ == "__main__":
    for name in ["jackson4", "jackson5"]:
        costs = all_costs(name)
        best = min(costs, key=costs.get)
        print(name, "configurations:", len(costs), "optimum:", best, round(costs[best], 4))
        for cfg in sorted(costs, key=costs.get)[:5]:
            print("  ", cfg, round(costs[cfg], 4), f"+{100 * (costs[cfg] / costs[best] - 1):.3f}%")
