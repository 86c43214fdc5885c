#!/usr/bin/env bash
# `npm run up`: set everything up (idempotent), build the web app when its
# sources changed, and run GenOS until Ctrl+C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/load-env.sh
npx turbo run build --filter=@genos/web --filter=@genos/worker --output-logs=errors-only
echo
echo "GenOS is starting on ${GENOS_PUBLIC_URL:-http://${GENOS_BIND_HOST:-127.0.0.1}:${PORT:-3000}}  (sign in as ${GENOS_ADMIN_EMAIL:-admin@genos.local})"
echo
exec bash scripts/run-stack.sh
