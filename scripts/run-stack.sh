#!/usr/bin/env bash
# Runs the worker and the web server until interrupted: the production build,
# or Next's dev server with GENOS_DEV=1 (`npm run dev`).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/load-env.sh
if [ "${GENOS_DEV:-}" != 1 ] && [ ! -f apps/web/.next/BUILD_ID ]; then
  npx turbo run build --filter=@genos/web --output-logs=errors-only
fi

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

(cd apps/worker && exec npx tsx src/main.ts) & pids+=($!)
if [ "${GENOS_DEV:-}" = 1 ]; then
  (cd apps/web && exec npx tsx server.ts) & pids+=($!)
else
  (cd apps/web && NODE_ENV=production exec npx tsx server.ts) & pids+=($!)
fi
wait -n "${pids[@]}"
