#!/usr/bin/env bash
# Everything GenOS needs on this machine, idempotently: host packages and
# daemons, npm dependencies, database, secrets, migrations, seed, base image.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 NEXT_TELEMETRY_DISABLED=1

bash scripts/setup-host.sh

# npm ci only when the lockfile changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "[setup] installing npm dependencies"
  npm ci --no-audit --no-fund
fi

npm run --silent generate -w @genos/db
npx tsx scripts/setup.ts
