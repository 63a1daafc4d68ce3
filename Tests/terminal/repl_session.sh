#!/usr/bin/env bash
# Drives `takt repl` in a real terminal (tmux) the way a new user would: load a line, ask a
# what-if, make a mistake, press Ctrl-C during a long run, quit, come back to the history.
# Every step waits for the screen to show what it expects (polling, no fixed sleeps).
set -euo pipefail
cd "$(dirname "$0")/../.."
TAKT="${TAKT:-.build/release/takt}"
export TAKT_HISTORY="$(mktemp -d)/history"
PANE=repl
source Tests/terminal/tmux_lib.sh
passed=0
check() { passed=$((passed + 1)); }

tm new-session -d -s repl -x 160 -y 50 "$TAKT repl Examples/models/line.takt; echo SESSION-ENDED; sleep 30"
wait_for "loaded Examples/models/line.takt"; check
wait_for "takt>"; check

# Continuation prompt while a bracket is open.
tm send-keys -t repl 'let caps = [5,' Enter
wait_for "...>"; check
tm send-keys -t repl '8]' Enter
tm send-keys -t repl 'caps' Enter
wait_for "[5, 8]"; check

# Completion of an element's property after a dot.
tm send-keys -t repl 'm2.proc' Tab
wait_for "m2.process"; check
tm send-keys -t repl Enter
wait_for "exponential(1.1min)"; check

# A what-if answers with its table.
tm send-keys -t repl 'what if m2.servers = 2' Enter
wait_for "m3.down"; check

# A mistake keeps the session.
tm send-keys -t repl 'caps[7]' Enter
wait_for "index 7 is out of range"; check
tm send-keys -t repl 'len(caps) * 111' Enter
wait_for "222"; check

# A paste of thousands of lines runs through (the history file is not rewritten per line).
paste_file="$(mktemp)"
for i in $(seq 1 3000); do echo "let pasted$i = $i"; done > "$paste_file"
echo 'print("pasted \(pasted3000)")' >> "$paste_file"
tm load-buffer "$paste_file"
tm paste-buffer -t repl
wait_for "pasted 3000" 30; check

# An optimization shows its progress on the terminal, erases it, and prints its summary;
# Ctrl-C stops a long one, shown by its progress line, and the session goes on.
tm send-keys -t repl 'reward tp = throughput * 100min' Enter
tm send-keys -t repl 'maximize tp { vary b1.capacity in 0...8; budget: 40 }' Enter
wait_for "effect on tp"; check
! screen | grep -qF "of 40 runs" || fail "the progress line was left on the screen"
tm send-keys -t repl 'config { horizon: 300d }' Enter
tm send-keys -t repl 'maximize tp { vary b1.capacity in 0...30; vary b2.capacity in 0...30; budget: 1000000 }' Enter
wait_for "of 1000000 runs" 30; check
tm send-keys -t repl C-c
wait_for "interrupted"; check

# A long simulation shows its progress after a second; Ctrl-C stops it and returns to the
# prompt with the state intact.
tm send-keys -t repl 'simulate(horizon: 1000000d, replications: 2)' Enter
wait_for "simulating: 0 of 2 replications" 30; check
tm send-keys -t repl C-c
wait_for "interrupted"; check
tm send-keys -t repl 'caps[1] + 1000' Enter
wait_for "1008"; check

# Ctrl-D quits; the history survives into the next session.
tm send-keys -t repl C-d
wait_for "SESSION-ENDED"; check
tm kill-session -t repl
tm new-session -d -s repl -x 160 -y 50 "$TAKT repl"
wait_for "takt>"
tm send-keys -t repl Up
wait_for "takt> caps[1] + 1000"; check
tm send-keys -t repl C-d

# Agents: a loaded script trains one; a long training shows its progress and stops at Ctrl-C,
# and the session goes on.
tm kill-session -t repl 2>/dev/null || true
tm new-session -d -s repl -x 160 -y 50 "$TAKT repl Examples/agents/dispatcher.takt; echo SESSION-ENDED; sleep 30"
wait_for "loaded Examples/agents/dispatcher.takt" 60; check
tm send-keys -t repl 'dispatcher.decide([0, 3])' Enter
wait_for "fast"; check
tm send-keys -t repl 'agent dispatcher { observe: [fast.count, slow.count]; reward: -wip; train: 100000 episodes of 2000min }' Enter
tm send-keys -t repl 'train dispatcher' Enter
wait_for "train dispatcher: episode" 30; check
tm send-keys -t repl C-c
wait_for "interrupted"; check
tm send-keys -t repl 'dispatcher.decide([0, 3])' Enter
wait_for "train 'dispatcher' first"; check
tm send-keys -t repl C-d
wait_for "SESSION-ENDED"; check

echo "repl: $passed passed, 0 failed"
