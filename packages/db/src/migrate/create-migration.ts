// Creates the next migration like `prisma migrate dev --create-only`: the
// engine replays prisma/migrations into a throwaway shadow database and diffs
// the result against schema.prisma. We write the folder and lockfile (the
// engine leaves file system work to its caller, as in Prisma's CLI).
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { migrationsDir as defaultMigrationsDir, schemaPath as defaultSchemaPath } from '../paths.ts';
import { withSchemaEngine } from './engine-session.ts';
import { LOCKFILE, listMigrations, lockfileContent, writeLockfile } from './migrations-list.ts';

export interface CreateMigrationOptions {
  /** Server used for the shadow database (created and dropped there). */
  url: string;
  /** Becomes <timestamp>_<name>; letters, digits and _ only. */
  name: string;
  schemaPath?: string;
  migrationsDir?: string;
}

export interface CreateMigrationResult {
  /** e.g. 20261126030000_init, or null when the schema matches the migrations. */
  migrationName: string | null;
  directory: string | null;
}

export async function createMigration(options: CreateMigrationOptions): Promise<CreateMigrationResult> {
  const migrationsDir = options.migrationsDir ?? defaultMigrationsDir;
  const schemaPath = options.schemaPath ?? defaultSchemaPath;
  const name = sanitizeName(options.name);
  const schema = { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
  const migrationsList = await listMigrations(migrationsDir);
  // The engine learns the connector of a migrations directory from its
  // lockfile; before the first migration there is none yet, so lend it one.
  const lockfile = migrationsList.lockfile.content ?? lockfileContent('postgresql');

  // Not engine.createMigration(): in the WASM engine that command has no
  // access to a shadow database (it only works after devDiagnostic filled an
  // internal cache). diff() from the migrations directory to the schema does
  // the same replay-and-compare through our factory's connectToShadowDb(),
  // i.e. `prisma migrate diff --from-migrations --to-schema --script`.
  const diff = await withSchemaEngine(options.url, schema, (engine) =>
    engine.diff({
      from: { tag: 'migrations', ...migrationsList, lockfile: { path: LOCKFILE, content: lockfile } },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: true, // 2 = there are differences, 0 = none
      filters: { externalTables: [], externalEnums: [] },
    }),
  );
  if (diff.exitCode !== 2 || !diff.stdout) return { migrationName: null, directory: null };

  const migrationName = `${timestamp(new Date())}_${name}`;
  const directory = path.join(migrationsDir, migrationName);
  if (existsSync(directory)) throw new Error(`The migration directory already exists: ${directory}`);
  await mkdir(directory, { recursive: true });
  await writeFile(path.join(directory, 'migration.sql'), diff.stdout, 'utf8');
  if (migrationsList.lockfile.content === null) await writeLockfile(migrationsDir, 'postgresql');
  return { migrationName, directory };
}

/** Prisma's folder prefix: UTC YYYYMMDDHHMMSS. */
function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** Prisma's CLI turns names into snake_case identifiers; keep it simple and safe. */
function sanitizeName(name: string): string {
  const clean = name
    .trim()
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  if (!clean) throw new Error(`Invalid migration name: ${JSON.stringify(name)}`);
  return clean.slice(0, 200);
}
