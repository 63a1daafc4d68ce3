# Shared by the terminal tests: a private tmux server, the screen of session $PANE, and
# polling for text on it (never fixed sleeps). Source it after setting PANE.
SOCKET="takt-test-$$"
tm() { tmux -L "$SOCKET" "$@"; }
cleanup() { tm kill-server 2>/dev/null || true; }
trap cleanup EXIT

screen() { tm capture-pane -t "$PANE" -p -S -200; }
fail() { echo "FAIL: $1"; echo "--- screen ---"; screen | tail -40; exit 1; }
# wait_quietly TEXT SECONDS: like wait_for, but returns 1 on time-out instead of failing.
wait_quietly() {
  local deadline=$((SECONDS + $2))
  while ! screen | grep -qF -- "$1"; do
    ! screen | grep -qF "SESSION-ENDED" || fail "the session ended while waiting for: $1"
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.05
  done
}
# wait_for TEXT [SECONDS]: poll the screen until TEXT shows; fail early if the session ended.
wait_for() {
  local deadline=$((SECONDS + ${2:-20}))
  while ! screen | grep -qF -- "$1"; do
    [ "$1" = "SESSION-ENDED" ] || ! screen | grep -qF "SESSION-ENDED" || fail "the session ended while waiting for: $1"
    [ $SECONDS -lt $deadline ] || fail "timed out waiting for: $1"
    sleep 0.05
  done
}
