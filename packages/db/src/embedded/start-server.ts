// Starts the cluster with the shipped pg_ctl, as the unprivileged user.
// pg_ctl forks the postmaster into its own session (setsid) with output sent
// to the log file, so the server survives the Node process that started it
// and keeps none of our file descriptors.
import { spawn } from 'node:child_process';
import { chownSync, closeSync, openSync } from 'node:fs';
import type { RunAs } from './os-user.ts';

export interface StartOptions {
  pgCtl: string;
  dataDir: string;
  logFile: string;
  port: number;
  runAs: RunAs | undefined;
}

export async function startServer(opts: StartOptions): Promise<void> {
  // The server (not root) appends to the log, so it must own the file.
  closeSync(openSync(opts.logFile, 'a', 0o640));
  if (opts.runAs) chownSync(opts.logFile, opts.runAs.uid, opts.runAs.gid);

  const args = ['-D', opts.dataDir, '-l', opts.logFile, '-o', `-p ${opts.port}`, '-w', '-t', '60', 'start'];
  const child = spawn(opts.pgCtl, args, {
    cwd: opts.dataDir, // the server user must be able to stat its cwd
    uid: opts.runAs?.uid,
    gid: opts.runAs?.gid,
    detached: true, // own process group: a Ctrl-C aimed at us does not reach it
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) {
    throw new Error(`pg_ctl start failed (exit ${code}):\n${output.trim()}\nSee ${opts.logFile}`);
  }
}
