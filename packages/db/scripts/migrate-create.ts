// `npm run migrate -w @genos/db -- --name NAME`: create the next migration by
// diffing prisma/migrations (replayed in a throwaway shadow database) against
// prisma/schema.prisma, then apply it (like `prisma migrate dev --name NAME`,
// minus drift detection/reset). Prints "no changes" and creates nothing when
// the schema already matches the migrations.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { databaseUrlForScripts } from '../src/embedded/database-url.ts';
import { applyMigrations } from '../src/migrate/apply-migrations.ts';
import { createMigration } from '../src/migrate/create-migration.ts';
import { packageDir } from '../src/paths.ts';
import { runScript } from './run-script.ts';

const { values } = parseArgs({
  options: { name: { type: 'string', short: 'n' }, 'create-only': { type: 'boolean', default: false } },
});
const name = values.name;
if (!name) {
  console.error('usage: npm run migrate -w @genos/db -- --name NAME [--create-only]');
  process.exit(2);
}

await runScript(async () => {
  const url = await databaseUrlForScripts();
  const t0 = performance.now();
  const { migrationName, directory } = await createMigration({ url, name });
  const tCreate = (performance.now() - t0).toFixed(0);
  if (!migrationName || !directory) {
    console.log(`no changes: schema.prisma matches the migrations (${tCreate} ms)`);
  } else {
    console.log(`created ${path.relative(packageDir, directory)}/migration.sql (${tCreate} ms)`);
  }
  if (!values['create-only']) {
    const t1 = performance.now();
    const { appliedMigrationNames } = await applyMigrations(url);
    const tApply = (performance.now() - t1).toFixed(0);
    console.log(
      appliedMigrationNames.length
        ? `applied ${appliedMigrationNames.join(', ')} (${tApply} ms)`
        : `no pending migrations (${tApply} ms)`,
    );
  }
});
