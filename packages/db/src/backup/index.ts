// Backups, database side: import from '@genos/db/backup'.
export { dumpDatabase, restoreDatabase, tablesWithData, verifyDatabaseDump } from './database-archive.ts';
export { prismaBackupRuns } from './prisma-backup-runs.ts';
