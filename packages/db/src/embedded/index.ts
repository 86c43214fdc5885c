// Embedded PostgreSQL: import from '@genos/db/embedded'.
export {
  ensurePostgres,
  DEFAULT_PG_PORT,
  DEFAULT_PG_DATA_DIR,
  type EnsurePostgresOptions,
  type EnsurePostgresResult,
} from './ensure-postgres.ts';
export { databaseUrlForScripts } from './database-url.ts';
