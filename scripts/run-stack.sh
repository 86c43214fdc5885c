#!/usr/bin/env bash
# Runs the worker and the web server until interrupted: the production build,
# or Next's dev server with GENOS_DEV=1 (`npm run dev`).
#
# The web app never runs without its worker: a worker that exits is started
# again (with a growing pause), and one that keeps exiting (5 times within
# 10 minutes) stops GenOS with the reason, instead of leaving a web app whose
# desktops wait in "Preparing" forever. Stopping walks each process's tree, so
# npx's and tsx's children go too; everything stays in this script's process
# group, so a Ctrl+C or a kill of the group still reaches all of it.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/load-env.sh
if [ "${GENOS_DEV:-}" != 1 ] && [ ! -f apps/web/.next/BUILD_ID ]; then
  npx turbo run build --filter=@genos/web --output-logs=errors-only || exit 1
fi

say() { echo "[genos] $*" >&2; }
worker_pid='' web_pid=''
start_worker() { (cd apps/worker && exec npx tsx src/main.ts) & worker_pid=$!; }
start_web() {
  if [ "${GENOS_DEV:-}" = 1 ]; then
    (cd apps/web && exec npx tsx server.ts) & web_pid=$!
  else
    (cd apps/web && NODE_ENV=production exec npx tsx server.ts) & web_pid=$!
  fi
}
# tree PID: the pid and all its descendants, children first.
tree() { local c; for c in $(pgrep -P "$1"); do tree "$c"; done; echo "$1"; }
signal_tree() { [ -n "$2" ] && kill "-$1" $(tree "$2") 2>/dev/null; }
any_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 0; done; return 1; }
stopping=0
cleanup() {
  [ "$stopping" = 1 ] && return
  stopping=1
  local pids
  pids="$(tree "$worker_pid" 2>/dev/null) $( [ -n "$web_pid" ] && tree "$web_pid")"
  kill -TERM $pids 2>/dev/null
  # Give them up to 10 s to finish their work, then make sure.
  for _ in $(seq 1 100); do
    any_alive $pids || break
    sleep 0.1
  done
  kill -KILL $pids 2>/dev/null || true
}
trap 'cleanup; exit 130' INT TERM
trap cleanup EXIT

start_worker
start_web
restarts=()
while true; do
  wait -n "$worker_pid" "$web_pid"
  code=$?
  [ "$stopping" = 1 ] && break
  if ! any_alive "$web_pid"; then
    say "the web app exited (code $code): stopping GenOS"
    exit 1
  fi
  if ! any_alive "$worker_pid"; then
    # npx may outlive the node it started: the whole tree goes.
    signal_tree KILL "$worker_pid"
    now=$(date +%s)
    recent=()
    for t in "${restarts[@]}"; do (( now - t < 600 )) && recent+=("$t"); done
    restarts=("${recent[@]}" "$now")
    if (( ${#restarts[@]} > 5 )); then
      say "the worker exited (code $code) 6 times within 10 minutes: stopping GenOS (its reason is in the lines above)"
      exit 1
    fi
    pause=$(( 2 * ${#restarts[@]} ))
    say "the worker exited (code $code; its reason is in the lines above): starting it again in ${pause} s"
    sleep "$pause"
    start_worker
  fi
done
