// `npm run deploy -w @genos/db`: apply pending migrations (prisma/migrations)
// to DATABASE_URL (or the embedded server), like `prisma migrate deploy`.
import { databaseUrlForScripts } from '../src/embedded/database-url.ts';
import { applyMigrations } from '../src/migrate/apply-migrations.ts';
import { redactUrl } from '../src/embedded/probe.ts';
import { runScript } from './run-script.ts';

await runScript(async () => {
  const url = await databaseUrlForScripts();
  const t0 = performance.now();
  const { appliedMigrationNames } = await applyMigrations(url);
  const ms = (performance.now() - t0).toFixed(0);
  if (appliedMigrationNames.length === 0) {
    console.log(`no pending migrations (${redactUrl(url)}, ${ms} ms)`);
  } else {
    for (const name of appliedMigrationNames) console.log(`applied ${name}`);
    console.log(`${appliedMigrationNames.length} migration(s) applied (${ms} ms)`);
  }
});
