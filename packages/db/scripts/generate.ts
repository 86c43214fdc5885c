// `npm run generate -w @genos/db`: runs `prisma generate` offline and skips
// the work when nothing that affects the output changed.
//
// Prisma 7's CLI insists on a schema engine binary even for `generate`
// (which never runs it) and would try to download one from a host we cannot
// reach. Pointing PRISMA_SCHEMA_ENGINE_BINARY at an existing file avoids the
// download; scripts/no-schema-engine.sh explains itself if anything runs it.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { generatedDir, packageDir, schemaPath } from '../src/paths.ts';

const require = createRequire(import.meta.url);
const stampPath = path.join(generatedDir, '.schema-hash');
const force = process.argv.includes('--force');

// Whatever changes the generated code: the schema, the config, the generator version.
function inputsHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(schemaPath));
  hash.update(readFileSync(path.join(packageDir, 'prisma.config.ts')));
  hash.update(readFileSync(require.resolve('prisma/package.json')));
  return hash.digest('hex');
}

const started = performance.now();
const hash = inputsHash();
const upToDate =
  !force &&
  existsSync(path.join(generatedDir, 'client.ts')) &&
  existsSync(stampPath) &&
  readFileSync(stampPath, 'utf8').trim() === hash;

if (upToDate) {
  console.log(`prisma client up to date (${(performance.now() - started).toFixed(0)} ms)`);
} else {
  // The package's exports map hides build/, so go through package.json.
  const prismaCli = path.join(path.dirname(require.resolve('prisma/package.json')), 'build', 'index.js');
  execFileSync(process.execPath, [prismaCli, 'generate'], {
    cwd: packageDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: path.join(packageDir, 'scripts', 'no-schema-engine.sh'),
      // No update checks or telemetry: there is no internet here.
      CHECKPOINT_DISABLE: '1',
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
    },
  });
  writeFileSync(stampPath, hash + '\n');
  console.log(`prisma client generated (${(performance.now() - started).toFixed(0)} ms)`);
}
