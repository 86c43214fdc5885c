// The embedded server's password is generated once and kept next to the data
// directory (mode 600), so every tool on this machine derives the same URL.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function readOrCreatePassword(file: string, dataDirInitialised: boolean): string {
  if (existsSync(file)) {
    const password = readFileSync(file, 'utf8').trim();
    if (password) return password;
  }
  if (dataDirInitialised) {
    // The server already has a password we no longer know; inventing a new
    // one would only produce authentication failures later.
    throw new Error(
      `${file} is missing but the database cluster already exists. ` +
        'Restore the file, or delete the data directory to start from scratch.',
    );
  }
  mkdirSync(path.dirname(file), { recursive: true });
  // hex: safe in URLs without escaping.
  const password = randomBytes(18).toString('hex');
  writeFileSync(file, password + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return password;
}
