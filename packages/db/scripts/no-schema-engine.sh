#!/bin/sh
# Stand-in for Prisma's native schema engine, which Prisma 7 downloads from a
# host this machine cannot reach. `prisma generate` only checks that
# PRISMA_SCHEMA_ENGINE_BINARY points at a file; it never runs it. Any CLI
# command that does run it (migrate, db push, ...) lands here instead.
echo "GenOS: the native Prisma schema engine is not available offline." >&2
echo "Use: npm run migrate -w @genos/db -- --name NAME  /  npm run deploy -w @genos/db" >&2
exit 1
