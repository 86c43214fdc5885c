#!/usr/bin/env bash
# Runs the worker and the web server (production build) until interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/load-env.sh
[ -f apps/web/.next/BUILD_ID ] || npx turbo run build --filter=@genos/web --output-logs=errors-only

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

(cd apps/worker && exec npx tsx src/main.ts) & pids+=($!)
(cd apps/web && NODE_ENV=production exec npx tsx server.ts) & pids+=($!)
wait -n "${pids[@]}"
