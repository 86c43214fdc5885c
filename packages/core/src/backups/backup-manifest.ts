import { z } from 'zod';

/** What each backed-up folder is, so a restore knows where it goes. */
export const BACKUP_SOURCE_ROLES = ['home', 'recordings', 'transfer', 'recipes', 'settings'] as const;
export type BackupSourceRole = (typeof BACKUP_SOURCE_ROLES)[number];

export const backupTableSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  columns: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).min(1),
  rows: z.number().int().min(0),
  /** File in the backup's db folder, and its sha256 (checked before anything is restored). */
  file: z.string().regex(/^[A-Za-z0-9_.-]+$/),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const backupSourceSchema = z.object({
  role: z.enum(BACKUP_SOURCE_ROLES),
  /** Where it was on the backed-up host (restic keeps absolute paths). */
  path: z.string().startsWith('/'),
  /** A home volume's owner (its user id). */
  owner: z.string().optional(),
  files: z.number().int().min(0),
  bytes: z.number().int().min(0),
});

/**
 * `manifest.json`, written into every backup: it says what the backup holds
 * and how to put it back, so a backup needs nothing but itself and the KEK.
 */
export const backupManifestSchema = z.object({
  format: z.literal('genos-backup'),
  version: z.literal(1),
  id: z.string().min(1),
  createdAt: z.string(),
  instance: z.string(),
  host: z.string(),
  /** Where the database dump and this manifest sat on the host (the folder restic stored). */
  stagingDir: z.string().startsWith('/'),
  database: z.object({
    /** Read in one REPEATABLE READ, READ ONLY transaction: one consistent snapshot. */
    consistency: z.literal('repeatable-read-snapshot'),
    serverVersion: z.string(),
    /** Applied Prisma migrations, oldest first; their SQL is in db/migrations. */
    migrations: z.array(z.string()),
    tables: z.array(backupTableSchema),
    /** What is deliberately left out (the job queue: desktops are re-created, not resumed). */
    excluded: z.array(z.string()),
  }),
  sources: z.array(backupSourceSchema),
});
export type BackupManifest = z.infer<typeof backupManifestSchema>;
export type BackupSource = z.infer<typeof backupSourceSchema>;
export type BackupTable = z.infer<typeof backupTableSchema>;
