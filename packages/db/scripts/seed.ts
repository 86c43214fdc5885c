// `npm run seed -w @genos/db`: idempotent seeding of DATABASE_URL (or the
// embedded server). See src/seed/seed.ts for what it creates.
import { createPrismaClient } from '../src/client.ts';
import { databaseUrlForScripts } from '../src/embedded/database-url.ts';
import { seed } from '../src/seed/seed.ts';
import { runScript } from './run-script.ts';

await runScript(async () => {
  const prisma = createPrismaClient(await databaseUrlForScripts());
  try {
    const t0 = performance.now();
    await seed(prisma);
    console.log(`seed done (${(performance.now() - t0).toFixed(0)} ms)`);
  } finally {
    await prisma.$disconnect();
  }
});
