// Point-in-time recovery: import from '@genos/db/pitr'.
export { BASE_BACKUP_INFO, enableWalArchiving, freeLoopbackPort, pgServerTools, serverDataDirectory, recoverToTime, takeBaseBackup, type BaseBackupInfo } from './point-in-time.ts';
