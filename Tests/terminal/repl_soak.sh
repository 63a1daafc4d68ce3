#!/usr/bin/env bash
# A soak of `takt repl` in a real terminal (tmux): random lines, valid and broken, invalid
# UTF-8, unclosed brackets, errors, what-ifs, model changes, :load of folders and devices, and
# Ctrl-C during long work, typed ahead while earlier lines still run. Every 20 lines a marker
# proves the session alive and a binding made at the start intact.
#   Tests/terminal/repl_soak.sh [LINES] [SEED]      (TAKT=path/to/takt to choose the binary)
# Under AddressSanitizer (README, "Fuzzing and soaks"), a heap error ends the session and fails;
# SOAK_LOG=FILE keeps everything the session printed.
set -euo pipefail
cd "$(dirname "$0")/../.."
TAKT="${TAKT:-.build/release/takt}"
LINES_TO_SEND="${1:-200}"
RANDOM="${2:-1}"
export TAKT_HISTORY="$(mktemp -d)/history"
PANE=soak
source Tests/terminal/tmux_lib.sh

lines=(
  '1 + 2'
  'let a = [1, 2, 3]'
  'a[7]'
  'print("unterminated'
  '"'
  'let v = [1,'
  '2]'
  '{a: 1, a: 2}'
  'fn f(n) { return f(n + 1) }'
  'f(0)'
  'what if m2.servers = 2'
  'what if m2.wer.up = 5min'
  'm2.servers = 2'
  'm2.servers = 1'
  ':model'
  ':help'
  ':bogus'
  ':load /dev/zero'
  ':load /tmp'
  'print("\(1...3) \(canary)")'
  'let s = "x" + 1'
  'weibull(1e-300, 1min).mean'
  '"abc"[-1]'
  'simulate(horizon: 10min, horizon: 20min)'
  'len("ÄÖÜ")'
  'nope + 1'
  '(((((1)))))'
  'for i in 1...3 { print(i) }'
  'if true { 1 } else {'
  '}'
)
# Lines that run until Ctrl-C stops them.
long_lines=(
  'while true { }'
  'simulate(horizon: 1000000d, replications: 4)'
  'var big = [1]; while true { big = big + big }'
)

# The shell around takt ignores Ctrl-C: libedit passes a Ctrl-C typed while it reads a line on
# to the whole process group (kill(0, SIGINT)), which can end a non-interactive shell waiting
# for takt, and with it the pane. If takt itself ever ended, the status says how.
tm new-session -d -s soak -x 200 -y 50 "trap '' INT; $TAKT repl Examples/models/line.takt; echo SESSION-ENDED status \$?; sleep 600"
# SOAK_LOG=FILE keeps all the session printed, for a failure under a sanitizer.
[ -z "${SOAK_LOG:-}" ] || tm pipe-pane -t soak -o "cat >> '$SOAK_LOG'"
wait_for "takt>"
tm send-keys -t soak -l 'let canary = 4242'
tm send-keys -t soak Enter
sent=0
for ((i = 1; i <= LINES_TO_SEND; i++)); do
  case $((RANDOM % 12)) in
    0) # invalid UTF-8 and control bytes, then Enter
       tm send-keys -t soak -H ff fe c3 28 01 0d ;;
    1) # long work typed ahead, then Ctrl-C
       tm send-keys -t soak -l "${long_lines[$((RANDOM % ${#long_lines[@]}))]}"
       tm send-keys -t soak Enter
       sleep 0.$((RANDOM % 3))
       tm send-keys -t soak C-c ;;
    2) # Ctrl-C at the prompt or in a continuation
       tm send-keys -t soak C-c ;;
    *) tm send-keys -t soak -l "${lines[$((RANDOM % ${#lines[@]}))]}"
       tm send-keys -t soak Enter ;;
  esac
  sent=$((sent + 1))
  if ((i % 20 == 0)); then
    # Prove the session and the binding alive. Lines typed ahead may still be running, so a
    # Ctrl-C may stop one of them rather than cancel an open bracket: press it until the
    # marker prints.
    for try in 1 2 3 4 5; do
      tm send-keys -t soak C-c
      tm send-keys -t soak -l "print(\"alive-\(canary)-$i\")"
      tm send-keys -t soak Enter
      if wait_quietly "alive-4242-$i" 20; then break; fi
      [ "$try" -lt 5 ] || fail "no marker alive-4242-$i after five tries"
    done
    tm send-keys -t soak -l 'm2.servers = 1'
    tm send-keys -t soak Enter
    tm send-keys -t soak C-l
  fi
done
tm send-keys -t soak C-c
tm send-keys -t soak -l 'print("final-\(canary)")'
tm send-keys -t soak Enter
wait_for "final-4242"
tm send-keys -t soak C-d
wait_for "SESSION-ENDED"
echo "repl soak: $sent lines, 1 passed, 0 failed"
