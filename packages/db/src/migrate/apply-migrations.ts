// Applies pending migrations from prisma/migrations, exactly like
// `prisma migrate deploy`: the engine creates/reads `_prisma_migrations`,
// takes Prisma's advisory lock, checks checksums, and records each migration.
import type { ApplyMigrationsOutput } from '@prisma/schema-engine-wasm';
import { migrationsDir as defaultMigrationsDir } from '../paths.ts';
import { withSchemaEngine } from './engine-session.ts';
import { listMigrations } from './migrations-list.ts';

export interface ApplyMigrationsOptions {
  migrationsDir?: string;
  /** Told the name of each migration applied (default: silent). */
  log?: (message: string) => void;
}

export async function applyMigrations(url: string, options: ApplyMigrationsOptions = {}): Promise<ApplyMigrationsOutput> {
  const migrationsList = await listMigrations(options.migrationsDir ?? defaultMigrationsDir);
  const result = await withSchemaEngine(url, undefined, (engine) =>
    engine.applyMigrations({ migrationsList, filters: { externalTables: [], externalEnums: [] } }),
  );
  for (const name of result.appliedMigrationNames) options.log?.(`applied migration ${name}`);
  return result;
}
