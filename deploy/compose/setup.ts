// The compose stack's one-shot `setup` service, run before the web app and the
// worker start (and again at every `up`, changing nothing the second time):
// migrations, the seed (first admin, default team) and the key-encryption key
// file, as scripts/setup.ts does for `npm run up`. The host's parts of that
// script (embedded PostgreSQL, the desktop base image) are not here: the database
// is its own container, and the worker checks the base image when it starts.
import { z } from 'zod';
import { createPrismaClient } from '@genos/db';
import { encryptPlaintextSecrets, ensureKeyringFile, keyServiceFor } from '@genos/db/keys';
import { applyMigrations } from '@genos/db/migrate';
import { seed } from '@genos/db/seed';

const env = z
  .object({ DATABASE_URL: z.string().url(), GENOS_KEK_FILE: z.string().startsWith('/') })
  .parse(process.env);
const step = (m: string) => console.log(`[setup] ${m}`);

const { appliedMigrationNames } = await applyMigrations(env.DATABASE_URL);
step(`migrations applied: ${appliedMigrationNames.length ? appliedMigrationNames.join(', ') : 'none pending'}`);
const prisma = createPrismaClient(env.DATABASE_URL);
try {
  await seed(prisma, { log: step });
  if (await ensureKeyringFile(env.GENOS_KEK_FILE)) step(`made the key-encryption key file ${env.GENOS_KEK_FILE}: back it up apart from the database`);
  const { sealed } = await encryptPlaintextSecrets({ prisma, keys: keyServiceFor({ prisma, kekFile: env.GENOS_KEK_FILE }).keys });
  if (sealed) step(`sealed ${sealed} secret(s) stored in the clear`);
} finally {
  await prisma.$disconnect();
}
step('done');
