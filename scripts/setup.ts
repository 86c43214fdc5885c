/**
 * Idempotent application setup, after setup-host.sh and npm install:
 * database (embedded unless DATABASE_URL), secrets, migrations, queues, seed,
 * and the base desktop image. A second run changes nothing and is quick.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Dockerode from 'dockerode';
import { createBoss, createPrismaClient, ensureQueues, recordImage } from '@genos/db';
import { ensurePostgres } from '@genos/db/embedded';
import { encryptPlaintextSecrets, ensureKeyringFile, keyServiceFor } from '@genos/db/keys';
import { applyMigrations } from '@genos/db/migrate';
import { seed } from '@genos/db/seed';
import { ensureBaseImage } from '../apps/worker/src/images/build-base-image';
import { ensureVmBaseImage } from '../apps/worker/src/libvirt/vm-image';

const root = path.resolve(import.meta.dirname, '..');
const dataDir = path.join(root, '.data');
const envFile = path.join(dataDir, 'genos.env');
const step = (msg: string) => console.log(`[setup] ${msg}`);
const t0 = Date.now();

mkdirSync(dataDir, { recursive: true });

const { url, started } = await ensurePostgres({ log: (m) => step(m) });
step(started ? 'PostgreSQL started' : 'PostgreSQL is running');

// Secrets are generated once and kept in .data/genos.env (mode 600).
const existing = existsSync(envFile) ? readFileSync(envFile, 'utf8') : '';
const has = (k: string) => new RegExp(`^${k}=`, 'm').test(existing);
const lines: string[] = [];
if (!has('AUTH_SECRET')) lines.push(`AUTH_SECRET=${randomBytes(32).toString('base64url')}`);
// guacamole-lite takes the key as a 32-character string.
if (!has('GENOS_TUNNEL_KEY')) lines.push(`GENOS_TUNNEL_KEY=${randomBytes(24).toString('base64url')}`);
if (!process.env.DATABASE_URL && !has('DATABASE_URL')) lines.push(`DATABASE_URL=${url}`);
// The key-encryption key lives in its own file (never in genos.env, never in a backup: README, "Keys").
const kekFile = process.env.GENOS_KEK_FILE ?? /^GENOS_KEK_FILE=(.+)$/m.exec(existing)?.[1] ?? path.join(dataDir, 'keys', 'kek.json');
if (!process.env.GENOS_KEK_FILE && !has('GENOS_KEK_FILE')) lines.push(`GENOS_KEK_FILE=${kekFile}`);
if (lines.length) {
  writeFileSync(envFile, existing + lines.join('\n') + '\n', { mode: 0o600 });
  step(`wrote ${lines.length} new setting(s) to .data/genos.env`);
}
chmodSync(envFile, 0o600);

const applied = await applyMigrations(url);
step(`migrations: ${JSON.stringify(applied)}`);

const boss = createBoss(url);
await boss.start();
await ensureQueues(boss);
await boss.stop({ graceful: false });
step('job queues ready');

const prisma = createPrismaClient(url);
await seed(prisma, { log: (m: string) => step(m) });
if (await ensureKeyringFile(kekFile)) step(`made the key-encryption key file ${kekFile} (mode 600): back it up separately`);
const { sealed } = await encryptPlaintextSecrets({ prisma, keys: keyServiceFor({ prisma, kekFile }).keys });
if (sealed) step(`sealed ${sealed} secret(s) stored in the clear`);

const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
const image = await ensureBaseImage({ docker, onProgress: (l) => process.stdout.write(`[image] ${l}\n`) });
await recordImage(prisma, { kind: 'base', tag: image.tag, packages: [], status: 'ready', digest: image.id });
// The VM desktop base (qcow2 + kernel + initrd) where this host can run VMs:
// about 2 minutes the first time, then present until docker/desktop-vm changes.
if (existsSync('/dev/kvm') && process.env.GENOS_VM !== 'off') {
  const tVm = Date.now();
  const vm = await ensureVmBaseImage({ onProgress: (l) => process.stdout.write(`[vm-image] ${l}\n`) });
  step(`VM base image ${vm.disk} ${vm.built ? `built in ${((Date.now() - tVm) / 1000).toFixed(1)} s` : 'present'}`);
}
await prisma.$disconnect();
step(`base desktop image ${image.tag} ${image.built ? 'built' : 'present'}`);
step(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
process.exit(0);
