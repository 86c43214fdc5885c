// Test fixture: runs one backup in a child process (settings as JSON in argv),
// so a test can kill it midway like a crashed worker.
import { createPrismaClient } from '@genos/db';
import { backupContext, type BackupSettings } from './backup-context';
import { createBackup } from './backup-service';

const settings = JSON.parse(process.argv[2]!) as BackupSettings;
const prisma = createPrismaClient(settings.DATABASE_URL);
await createBackup(backupContext(settings, prisma), { trigger: 'scheduled', actor: { kind: 'worker' } });
await prisma.$disconnect();
