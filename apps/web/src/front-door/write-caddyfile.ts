// Run by scripts/run-stack.sh when GENOS_PUBLIC_URL is set: writes Caddy's
// configuration under the state dir and prints shell assignments for the
// script (eval). Exits 2 with the reason when a setting is wrong.
import fs from 'node:fs';
import { ensurePassablePath } from '@genos/db/state-dir';
import { frontDoor, frontDoorSettings } from './caddyfile';

const parsed = frontDoorSettings.safeParse(process.env);
if (!parsed.success) {
  console.error(`[genos] the front door's settings are invalid:\n${parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  process.exit(2);
}
const stateDir = process.env.GENOS_STATE_DIR || `/var/lib/genos/${process.env.GENOS_INSTANCE || 'default'}`;
const door = frontDoor(parsed.data, stateDir);
// Caddy runs as its own user: it passes through the state dir (0711, as guacd does) into data and config folders
// of its own (run-stack.sh hands them over); the Caddyfile holds no secret.
await ensurePassablePath(stateDir, 'caddy');
for (const sub of ['data', 'config']) fs.mkdirSync(`${door.home}/${sub}`, { recursive: true, mode: 0o700 });
fs.writeFileSync(`${door.home}/Caddyfile`, door.caddyfile, { mode: 0o644 });
const q = (v: string) => `'${v.replace(/'/g, `'\\''`)}'`;
console.log(
  [
    `CADDY_HOME=${q(door.home)}`,
    `CADDY_CA=${q(door.caPath ?? '')}`,
    `CADDY_CERT=${q(door.certPath)}`,
    `CADDY_HTTPS_PORT=${door.httpsPort}`,
  ].join('\n'),
);
