#!/usr/bin/env python3
"""Replays an event trace written by `takt run --trace` and prints, as JSON, what it implies
for one scenario over the window [warmup, warmup + horizon]: the throughput (parts absorbed
per time unit) and, per station, the fractions of server time processing (`utilization`),
blocked and down. Enough for plants without setups, shifts, stops or operators.
Usage: replay_trace.py TRACE.csv WARMUP HORIZON [SCENARIO]   (times in the trace's unit)
"""
import csv
import json
import sys


def main():
    path, warmup, horizon = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    scenario = sys.argv[4] if len(sys.argv) > 4 else "baseline"
    end = warmup + horizon

    def clipped(a, b):
        return max(0.0, min(b, end) - max(a, warmup))

    absorbed = 0
    # Per (station, server): since when it processes, is blocked, is down (None: not now).
    servers = {}
    totals = {}

    def server(station, k):
        return servers.setdefault((station, k), {"processing": None, "blocked": None, "down": None, "busy": False, "held": False})

    def add(station, state, a, b):
        totals.setdefault(station, {"utilization": 0.0, "blocked": 0.0, "down": 0.0})[state] += clipped(a, b)

    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            if row["scenario"] != scenario:
                continue
            t, event, element = float(row["time"]), row["event"], row["element"]
            if event == "absorb":
                absorbed += warmup <= t <= end
                continue
            if not row["server"]:
                continue
            s = server(element, row["server"])
            if event == "start":
                s["busy"] = True
                if s["down"] is None:
                    s["processing"] = t
            elif event == "finish":
                if s["processing"] is not None:
                    add(element, "utilization", s["processing"], t)
                s["processing"], s["busy"] = None, False
            elif event == "fail":
                # Down comes before blocked and processing (docs/model.md, states).
                if s["processing"] is not None:
                    add(element, "utilization", s["processing"], t)
                    s["processing"] = None
                if s["blocked"] is not None:
                    add(element, "blocked", s["blocked"], t)
                    s["blocked"] = None
                s["down"] = t
            elif event == "repair":
                add(element, "down", s["down"], t)
                s["down"] = None
                if s["held"]:
                    s["blocked"] = t
                elif s["busy"]:
                    s["processing"] = t
            elif event == "block":
                s["busy"], s["held"] = False, True
                if s["down"] is None:
                    s["blocked"] = t
            elif event == "unblock":
                if s["blocked"] is not None:
                    add(element, "blocked", s["blocked"], t)
                s["blocked"], s["held"] = None, False
    # What is still going on at the end counts up to it.
    for (station, _), s in servers.items():
        for state, key in (("processing", "utilization"), ("blocked", "blocked"), ("down", "down")):
            if s[state] is not None:
                add(station, key, s[state], end)
    counts = {}
    for (station, _) in servers:
        counts[station] = counts.get(station, 0) + 1
    stations = {name: {k: v / (counts[name] * horizon) for k, v in t.items()} for name, t in totals.items()}
    json.dump({"throughput": absorbed / horizon, "stations": stations}, sys.stdout, indent=1, sort_keys=True)
    print()


main()
