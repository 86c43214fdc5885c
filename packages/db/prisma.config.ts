// Prisma 7 reads its settings from this file (the schema no longer holds a URL).
// Only `prisma generate` is run through the CLI here; migrations go through
// our own offline driver of the WASM schema engine (src/migrate), which reads
// the same paths from src/paths.ts.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Not env('DATABASE_URL'): that throws when the variable is unset, and
  // `prisma generate` must work without any database.
  datasource: { url: process.env.DATABASE_URL },
});
