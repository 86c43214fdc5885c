/** Usage lines of the host commands (ops-commands.ts). */
export const OPS_USAGE = `  genos keys list                        the key-encryption keys (ids, which is active; never the keys)
  genos keys rotate                      new KEK; re-wrap every data key and the backup repository's key; retire the old KEK
  genos backup create                    one consistent, encrypted backup (database, homes, recordings, transfers, recipes, settings)
  genos backup list                      complete backups, oldest first
  genos backup verify                    read back every byte; names any corrupt file
  genos backup restore [ID] [--force]    restore the newest (or ID) backup; refuses a database or folders holding data unless --force
  host commands read DATABASE_URL, GENOS_KEK_FILE, GENOS_BACKUP_DIR or GENOS_BACKUP_REPOSITORY (source scripts/load-env.sh)`;
