"""The benchmark models in SimPy, with the same semantics as Takt's core.

python3 simpy_models.py mm1|line3|line3_stats HORIZON_MIN  ->  prints: model parts events seconds
Events are SimPy's scheduled events (env.step calls). mm1 and line3 count finished parts and
nothing else; line3_stats also keeps the statistics Takt reports for the line (each machine's
time processing, blocked, starved and down, buffer levels, WIP and cycle time), written the
plain way a SimPy user would."""
import random
import sys
import time

import simpy


def mm1(env, rng, done):
    server = simpy.Resource(env, capacity=1)

    def job():
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1.0))
        done[0] += 1

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(0.9))
            env.process(job())

    env.process(arrivals())


def line3(env, rng, done):
    # Saturated first machine, buffers of 5, busy-time failures, blocking after service:
    # a machine holds its finished part until put() finds room.
    n = 3
    buffers = [simpy.Store(env, capacity=5) for _ in range(n - 1)]

    def machine(i):
        mean = 1.1 if i % 3 == 1 else 1.0
        ttf = rng.expovariate(1 / 100)
        while True:
            if i > 0:
                yield buffers[i - 1].get()
            remaining = rng.expovariate(1 / mean)
            while ttf < remaining:
                yield env.timeout(ttf)
                remaining -= ttf
                yield env.timeout(rng.expovariate(1 / 10))
                ttf = rng.expovariate(1 / 100)
            yield env.timeout(remaining)
            ttf -= remaining
            if i < n - 1:
                yield buffers[i].put(1)
            else:
                done[0] += 1

    for i in range(n):
        env.process(machine(i))


def line3_stats(env, rng, done):
    n = 3
    buffers = [simpy.Store(env, capacity=5) for _ in range(n - 1)]
    # Per machine: time processing, blocked, starved, down.
    state = [[0.0, 0.0, 0.0, 0.0] for _ in range(n)]
    # Time averages as [area, last change, value]: buffer levels and work in process.
    levels = [[0.0, 0.0, 0] for _ in range(n - 1)]
    wip = [0.0, 0.0, 0]
    cycle = [0.0]

    def change(avg, delta):
        avg[0] += avg[2] * (env.now - avg[1])
        avg[1] = env.now
        avg[2] += delta

    def machine(i):
        mean = 1.1 if i % 3 == 1 else 1.0
        ttf = rng.expovariate(1 / 100)
        while True:
            if i > 0:
                start = env.now
                created = yield buffers[i - 1].get()
                change(levels[i - 1], -1)
                state[i][2] += env.now - start
            else:
                created = env.now
                change(wip, +1)
            remaining = rng.expovariate(1 / mean)
            while ttf < remaining:
                yield env.timeout(ttf)
                state[i][0] += ttf
                remaining -= ttf
                down = rng.expovariate(1 / 10)
                yield env.timeout(down)
                state[i][3] += down
                ttf = rng.expovariate(1 / 100)
            yield env.timeout(remaining)
            state[i][0] += remaining
            ttf -= remaining
            if i < n - 1:
                start = env.now
                yield buffers[i].put(created)
                change(levels[i], +1)
                state[i][1] += env.now - start
            else:
                done[0] += 1
                cycle[0] += env.now - created
                change(wip, -1)

    for i in range(n):
        env.process(machine(i))


def main():
    name, horizon = sys.argv[1], float(sys.argv[2])
    rng = random.Random(1)
    env = simpy.Environment()
    done = [0]
    {"mm1": mm1, "line3": line3, "line3_stats": line3_stats}[name](env, rng, done)
    start = time.perf_counter()
    events = 0
    while env.peek() <= horizon:
        env.step()
        events += 1
    seconds = time.perf_counter() - start
    print(name, done[0], events, seconds)


if __name__ == "__main__":
    main()
