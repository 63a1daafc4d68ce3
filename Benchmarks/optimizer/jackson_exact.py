"""Exact cost of every configuration of Benchmarks/optimizer/jackson.takt, by Jackson's theorem:
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


def all_costs():
    return {cfg: cost(cfg) for cfg in itertools.product(SERVERS, repeat=4)}


if __name__ == "__main__":
    costs = all_costs()
    best = min(costs, key=costs.get)
    print("configurations:", len(costs), "optimum:", best, round(costs[best], 4))
    for cfg in sorted(costs, key=costs.get)[:6]:
        print(cfg, round(costs[cfg], 4))
