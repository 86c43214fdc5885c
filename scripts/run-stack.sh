#!/usr/bin/env bash
# Runs the worker and the web server until interrupted: the production build
# (Next's build, and the custom server and worker compiled to JavaScript by
# scripts/compile-node.mjs, run by plain node), or the sources through tsx and
# Next's dev server with GENOS_DEV=1 (`npm run dev`).
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
if [ "${GENOS_DEV:-}" != 1 ] && { [ ! -f apps/web/.next/BUILD_ID ] || [ ! -f apps/web/dist/server.js ] || [ ! -f apps/worker/dist/main.js ]; }; then
  npx turbo run build --filter=@genos/web --filter=@genos/worker --output-logs=errors-only || exit 1
fi

say() { echo "[genos] $*" >&2; }
worker_pid='' web_pid='' caddy_pid=''

# GENOS_PUBLIC_URL=https://…: Caddy in front (TLS, HTTP redirected, HSTS), the web app behind it on loopback,
# trusting Caddy's X-Forwarded-* headers, with secure cookies (Auth.js sees an https AUTH_URL).
if [ -n "${GENOS_PUBLIC_URL:-}" ]; then
  door="$(cd apps/web && npx tsx src/front-door/write-caddyfile.ts)" || exit 1
  eval "$door"
  chown -R caddy:caddy "$CADDY_HOME/data" "$CADDY_HOME/config"
  export GENOS_TRUST_PROXY=1 AUTH_URL="$GENOS_PUBLIC_URL" GENOS_BIND_HOST=127.0.0.1 GENOS_TLS_CERT_FILE="$CADDY_CERT"
fi
start_caddy() {
  [ -n "${GENOS_PUBLIC_URL:-}" ] || return 0
  # Caddy's own user, with only the right to bind ports below 1024.
  XDG_DATA_HOME="$CADDY_HOME/data" XDG_CONFIG_HOME="$CADDY_HOME/config" HOME="$CADDY_HOME/data" \
    setpriv --reuid caddy --regid caddy --init-groups --inh-caps +net_bind_service --ambient-caps +net_bind_service \
    caddy run --adapter caddyfile --config "$CADDY_HOME/Caddyfile" &
  caddy_pid=$!
}
start_worker() {
  if [ "${GENOS_DEV:-}" = 1 ]; then
    (cd apps/worker && exec npx tsx src/main.ts) & worker_pid=$!
  else
    (cd apps/worker && exec node --enable-source-maps dist/main.js) & worker_pid=$!
  fi
}
start_web() {
  if [ "${GENOS_DEV:-}" = 1 ]; then
    (cd apps/web && exec npx tsx server.ts) & web_pid=$!
  else
    (cd apps/web && NODE_ENV=production exec node --enable-source-maps dist/server.js) & web_pid=$!
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
  pids="$(tree "$worker_pid" 2>/dev/null) $( [ -n "$web_pid" ] && tree "$web_pid") $( [ -n "$caddy_pid" ] && tree "$caddy_pid")"
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
start_caddy
if [ -n "${GENOS_PUBLIC_URL:-}" ]; then
  say "HTTPS at $GENOS_PUBLIC_URL (Caddy; plain HTTP on port ${GENOS_HTTP_PORT:-80} redirects)"
  [ -n "$CADDY_CA" ] && say "local CA root (give it to browsers, or curl --cacert): $CADDY_CA"
fi
restarts=()
while true; do
  wait -n "$worker_pid" "$web_pid" ${caddy_pid:+"$caddy_pid"}
  code=$?
  [ "$stopping" = 1 ] && break
  if ! any_alive "$web_pid"; then
    say "the web app exited (code $code): stopping GenOS"
    exit 1
  fi
  if [ -n "$caddy_pid" ] && ! any_alive "$caddy_pid"; then
    say "Caddy (the HTTPS front door) exited (code $code; its reason is in the lines above): stopping GenOS"
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
