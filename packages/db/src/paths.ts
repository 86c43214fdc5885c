// Absolute locations inside @genos/db, resolved from this file so that
// scripts work from any working directory (npm -w runs them in packages/db,
// vitest runs them from the repo root).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(packageDir, '..', '..');
export const schemaPath = path.join(packageDir, 'prisma', 'schema.prisma');
export const migrationsDir = path.join(packageDir, 'prisma', 'migrations');
export const generatedDir = path.join(packageDir, 'src', 'generated', 'prisma');
