"""The Gymnasium wrapper: Gymnasium's own environment checker, and episodes under fixed
policies whose rewards must equal what takt computes for the same policy and seed."""

import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from gymnasium.utils.env_checker import check_env

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from takt_gym import TaktEnv, TaktError  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
PLANT = os.path.join(HERE, "dispatch.takt")
TAKT = os.environ.get("TAKT", "takt")
LENGTH = 2000.0  # the agent's train length, minutes


def shortest_queue(observation):
    fast, slow = observation
    return 0 if fast <= slow else 1


def always_fast(observation):
    return 0


def episode(env, policy, seed):
    observation, info = env.reset(seed=seed)
    total, steps = info["reward_before"], 0
    while True:
        observation, reward, terminated, truncated, info = env.step(policy(observation))
        total += reward
        steps += 1
        assert not terminated
        if truncated:
            assert abs(info["time"] - LENGTH) < 1e-9, info
            return total, steps


def takt_total(policy, seed):
    """The same policy as a policy file, run by takt with the same seed: -wip over the episode."""
    entries = [{"observation": [a, b], "action": ["fast", "slow"][policy((a, b))]} for a in range(41) for b in range(41)]
    with tempfile.TemporaryDirectory() as folder:
        with open(os.path.join(folder, "policy.json"), "w") as f:
            json.dump({"agent": "dispatcher", "observe": ["fast.count", "slow.count"], "actions": ["fast", "slow"],
                       "policy": entries}, f)
        script = os.path.join(folder, "check.takt")
        with open(PLANT) as f, open(script, "w") as out:
            out.write(f.read())
            out.write('load_policy(dispatcher, "policy.json")\n')
            out.write(f"print(simulate(horizon: {LENGTH:g}min, warmup: 0min, replications: 1, seed: {seed}).wip)\n")
        wip = float(subprocess.run([TAKT, "run", script], check=True, capture_output=True, text=True).stdout)
    return -wip * LENGTH


def main():
    env = TaktEnv(PLANT, agent="dispatcher", takt=TAKT)
    check_env(env, skip_render_check=True)
    assert env.actions == ["fast", "slow"] and env.observed == ["fast.count", "slow.count"]
    for policy in (always_fast, shortest_queue):
        for seed in (3, 11):
            total, steps = episode(env, policy, seed)
            expected = takt_total(policy, seed)
            assert steps > 1000, steps
            assert abs(total - expected) <= 1e-9 * abs(expected), (policy.__name__, seed, total, expected)
            print(f"{policy.__name__} seed {seed}: {steps} decisions, reward {total:.6f} (takt: {expected:.6f})")
    # The same seed gives the same episode; errors leave the episode going.
    first = episode(env, shortest_queue, 5)
    env.reset(seed=5)
    for bad in (7, -1):
        try:
            env.step(bad)
            raise AssertionError("an out-of-range action was taken")
        except TaktError as e:
            assert "out of range" in str(e), e
    env.step(0)
    assert episode(env, shortest_queue, 5) == first
    env.close()
    try:
        TaktEnv(PLANT, agent="dispatch", takt=TAKT)
        raise AssertionError("an unknown agent was served")
    except TaktError as e:
        assert "no agent 'dispatch'" in str(e), e
    print("takt_gym: all checks passed")


if __name__ == "__main__":
    main()
