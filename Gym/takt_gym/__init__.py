"""A Takt agent's decisions as a Gymnasium environment.

`TaktEnv("plant.takt", agent="dispatcher")` starts `takt gym plant.takt --agent dispatcher`
and speaks its protocol (one JSON object a line each way): an action is the index of one of
the agent's destinations (`Discrete`), an observation the agent's `observe` list (`Box`), a
step's reward the agent's reward integrated since the previous decision, and an episode ends,
truncated, when the agent's `train` length has been simulated.
"""

import json
import os
import shutil
import subprocess

import gymnasium as gym
import numpy as np

__all__ = ["TaktEnv", "TaktError"]


class TaktError(RuntimeError):
    """takt answered a request with an error, or could not start."""


class TaktEnv(gym.Env):
    metadata = {"render_modes": []}

    def __init__(self, script, agent, takt=None, params=None):
        super().__init__()
        takt = takt or os.environ.get("TAKT") or shutil.which("takt")
        if not takt:
            raise TaktError("takt is not on PATH: pass takt=PATH or set TAKT")
        command = [takt, "gym", str(script), "--agent", agent, "--quiet-warnings"]
        for name, value in (params or {}).items():
            command += ["--set", f"{name}={value}"]
        self._process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, bufsize=1)
        description = self._request({"describe": True})
        self.actions = description["actions"]
        self.observed = description["observe"]
        self.time_unit = description["time_unit"]
        self.action_space = gym.spaces.Discrete(len(self.actions))
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, shape=(len(self.observed),), dtype=np.float64)

    def _request(self, message):
        if self._process.poll() is not None:
            raise TaktError(self._process.stderr.read().strip() or "takt gym has ended")
        self._process.stdin.write(json.dumps(message) + "\n")
        self._process.stdin.flush()
        line = self._process.stdout.readline()
        if not line:
            self._process.wait()
            raise TaktError(self._process.stderr.read().strip() or "takt gym has ended")
        answer = json.loads(line)
        if "error" in answer:
            raise TaktError(answer["error"])
        return answer

    @staticmethod
    def _observation(answer):
        return np.array([np.nan if x is None else x for x in answer["observation"]], dtype=np.float64)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        if seed is None:
            seed = int(self.np_random.integers(0, 2**31 - 1))
        answer = self._request({"reset": int(seed)})
        info = dict(answer["info"])
        # Reward earned before the first decision (nothing in a plant that starts empty).
        info["reward_before"] = answer["reward"]
        info["truncated"] = answer["truncated"]
        return self._observation(answer), info

    def step(self, action):
        answer = self._request({"step": int(action)})
        return (self._observation(answer), float(answer["reward"]), bool(answer["terminated"]),
                bool(answer["truncated"]), dict(answer["info"]))

    def close(self):
        process = getattr(self, "_process", None)
        if process and process.poll() is None:
            process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        super().close()
