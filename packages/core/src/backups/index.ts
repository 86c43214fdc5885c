export * from './backup-manifest';
export * from './backup-ports';
export * from './backup-due';
export * from './get-backup-status';
export * from './set-backup-schedule';
