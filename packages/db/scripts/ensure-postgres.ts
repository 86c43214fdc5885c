// `tsx scripts/ensure-postgres.ts [--port N] [--data-dir DIR]`
// Makes sure a PostgreSQL server is running (see src/embedded/ensure-postgres.ts)
// and prints `DATABASE_URL=...` on stdout, so shells can `eval` or `export` it.
import { parseArgs } from 'node:util';
import { ensurePostgres } from '../src/embedded/ensure-postgres.ts';
import { runScript } from './run-script.ts';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'data-dir': { type: 'string' } },
});

await runScript(async () => {
  const t0 = performance.now();
  const { url, started } = await ensurePostgres({
    port: values.port ? Number(values.port) : undefined,
    dataDir: values['data-dir'],
    log: (m) => console.error(`[ensure-postgres] ${m}`),
  });
  console.error(
    `[ensure-postgres] ${started ? 'started' : 'already running'} (${(performance.now() - t0).toFixed(0)} ms)`,
  );
  console.log(`DATABASE_URL=${url}`);
});
