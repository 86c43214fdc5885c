// Seeding: import from '@genos/db/seed'.
export { seed, DEFAULT_ADMIN_EMAIL, DEFAULT_TEAM_SLUG, type SeedOptions, type SeedResult } from './seed.ts';
export { defaultSeedHooks, type SeedHook, type SeedContext } from './hooks.ts';
export { hashPassword, verifyPassword, generatePassword } from './password.ts';
