/** Usage lines of `genos pitr` (pitr-command.ts). */
export const PITR_USAGE = `  genos pitr enable [--restart]          archive the database's WAL into GENOS_WAL_ARCHIVE_DIR (archive_mode needs a restart)
  genos pitr base-backup                 a base backup into GENOS_BASE_BACKUP_DIR/<time>
  genos pitr recover --to TIME --from BASE_BACKUP --into NEW_DATA_DIR
                                         start a copy of the database as it was at TIME, on a free port, and print its address`;
