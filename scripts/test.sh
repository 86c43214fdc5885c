#!/usr/bin/env bash
# `npm test`: the same idempotent setup as `npm run up`, then the whole suite:
# types, unit, integration (real PostgreSQL, Docker, guacd), browser e2e in
# Chromium, and finally a check that nothing was left behind.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/load-env.sh
mkdir -p test-results

echo "[test] lint + typecheck"
npx eslint .
npx turbo run typecheck --output-logs=errors-only

# The compiled build (what npm run up runs): the compose images (deploy-compose.integration.test.ts) and the
# e2e stacks are made from it.
echo "[test] build"
npx turbo run build --filter=@genos/web --filter=@genos/worker --output-logs=errors-only

echo "[test] unit"
npx vitest run --project unit --reporter=default --reporter=json --outputFile.json=test-results/unit.json

echo "[test] integration"
npx vitest run --project integration --reporter=default --reporter=json --outputFile.json=test-results/integration.json

echo "[test] e2e"
eval "$(npx tsx scripts/prepare-e2e-db.ts genos_e2e)"
export E2E_DATABASE_URL
PLAYWRIGHT_JSON_OUTPUT_NAME=test-results/e2e.json npx playwright test -c apps/web/playwright.config.ts --reporter=list,json

echo "[test] leftovers"
npx vitest run --project final --reporter=default --reporter=json --outputFile.json=test-results/final.json

npx tsx scripts/test-summary.ts
