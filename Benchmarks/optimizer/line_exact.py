"""Exact throughput and work in process of a saturated three-machine line with finite buffers
(exponential process times, no failures), as a Markov chain: the buffer line of
Examples/optimize/buffer_line.takt without its failures, for every configuration of line_model.takt.

A machine that finishes a part it cannot pass on holds it, blocked, until there is room
(blocking after service), as Takt's engine does; a buffer of capacity 0 passes a part straight
to the next machine or blocks. Machine 1 always has a part (a saturated source)."""
import itertools
import numpy as np
from scipy.sparse import lil_matrix
from scipy.sparse.linalg import spsolve

BUFFERS = list(range(0, 16))
SPEEDS = [0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0]
MEANS = (1.0, 1.1, 1.0)             # minutes, machine 1 at speed 1


def stationary(b1_cap, b2_cap, speed):
    """States (s1, b1, s2, b2, s3): s1 0 working / 1 blocked; s2 0 idle / 1 working / 2 blocked;
    s3 0 idle / 1 working. Returns (throughput per minute, mean number of parts in the line)."""
    mu = (speed / MEANS[0], 1 / MEANS[1], 1 / MEANS[2])
    states = [s for s in itertools.product((0, 1), range(b1_cap + 1), (0, 1, 2), range(b2_cap + 1), (0, 1))
              if (s[2] != 0 or s[1] == 0) and (s[4] != 0 or s[3] == 0)
              and (s[0] == 0 or (s[1] == b1_cap and s[2] != 0))
              and (s[2] != 2 or (s[3] == b2_cap and s[4] == 1))]
    index = {s: k for k, s in enumerate(states)}

    def settle(s1, b1, s2, b2, s3):
        # Parts move on while they can: into an idle machine 3, into buffer 2, machine 2 takes
        # from buffer 1, machine 1 unblocks.
        moved = True
        while moved:
            moved = False
            if s3 == 0 and b2 > 0: b2, s3, moved = b2 - 1, 1, True
            if s3 == 0 and s2 == 2: s2, s3, moved = 0, 1, True
            if s2 == 2 and b2 < b2_cap: s2, b2, moved = 0, b2 + 1, True
            if s2 == 0 and b1 > 0: b1, s2, moved = b1 - 1, 1, True
            if s2 == 0 and s1 == 1: s1, s2, moved = 0, 1, True
            if s1 == 1 and b1 < b1_cap: s1, b1, moved = 0, b1 + 1, True
        return (s1, b1, s2, b2, s3)

    n = len(states)
    q = lil_matrix((n, n))
    for s in states:
        s1, b1, s2, b2, s3 = s
        moves = []
        if s1 == 0: moves.append((mu[0], settle(1, b1, s2, b2, s3)))
        if s2 == 1: moves.append((mu[1], settle(s1, b1, 2, b2, s3)))
        if s3 == 1: moves.append((mu[2], settle(s1, b1, s2, b2, 0)))
        for rate, t in moves:
            q[index[s], index[t]] += rate
            q[index[s], index[s]] -= rate
    a = q.T.tolil()
    a[0, :] = 1.0                      # replace one balance equation by the normalisation
    rhs = np.zeros(n)
    rhs[0] = 1.0
    p = spsolve(a.tocsc(), rhs)
    throughput = sum(p[index[s]] * mu[2] for s in states if s[4] == 1)
    wip = sum(p[index[s]] * (1 + s[1] + (s[2] != 0) + s[3] + s[4]) for s in states)
    return throughput, wip


def profit(b1, b2, speed):
    """The reward `profit` of line_model.takt, exactly."""
    tp, wip = stationary(b1, b2, speed)
    return 100 * tp * 1000 - 500 * (b1 + b2) - 6000 * speed - 5 * wip


def all_profits():
    return {(b1, b2, s): profit(b1, b2, s) for b1 in BUFFERS for b2 in BUFFERS for s in SPEEDS}


if __name__ == "__main__":
    values = all_profits()
    best = max(values, key=values.get)
    print("configurations:", len(values), "optimum:", best, round(values[best], 3))
    for c in sorted(values, key=values.get, reverse=True)[:5]:
        print("  ", c, round(values[c], 3), f"-{100 * (1 - values[c] / values[best]):.3f}%")
