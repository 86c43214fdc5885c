// Offline migrations through Prisma's WASM schema engine.
export { applyMigrations, type ApplyMigrationsOptions } from './apply-migrations.ts';
export { createMigration, type CreateMigrationOptions, type CreateMigrationResult } from './create-migration.ts';
