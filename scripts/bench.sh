#!/usr/bin/env bash
# `npm run bench`: setup (idempotent), a fresh benchmark database, the figures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/load-env.sh
npx turbo run build --filter=@genos/web --filter=@genos/worker --output-logs=errors-only
eval "$(npx tsx scripts/prepare-e2e-db.ts genos_bench)"
BENCH_DATABASE_URL="$E2E_DATABASE_URL" npx tsx bench/run-bench.ts
