import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, tunnelSettingsFor, type EnvironmentSpec } from '@genos/core';
import { freshTestState } from '@genos/db/testing';
import { TRANSFER_MOUNT } from '../docker/container-config';
import { createDockerDriver } from '../docker/docker-driver';
import { parseInstructions } from './guacd-probe';

// Sound and file transfer of a real desktop: PulseAudio in the image, the worker's
// audio bridge, guacd 1.3 streaming it; the transfer folder seen from both sides.
const docker = new Dockerode({ socketPath: '/var/run/docker.sock' });
// A state dir and an instance of this run's own, removed at the end.
const state = await freshTestState('audio');
const { stateDir } = state;
const driver = createDockerDriver({ docker, stateDir, labels: state.labels });
const spec: EnvironmentSpec = { ...DEFAULT_SPEC, apps: ['xterm'], resources: { ...DEFAULT_SPEC.resources, memoryMiB: 512, cpu: 0.5 } };
const id = `audio${randomBytes(5).toString('hex')}`;
let ref = '';

const encode = (...parts: string[]) => parts.map((p) => `${p.length}.${p}`).join(',') + ';';

async function execIn(cmd: string[], env: string[] = []) {
  const exec = await docker.getContainer(ref).exec({ Cmd: cmd, Env: env, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  await new Promise((r) => stream.on('end', r).resume());
  return (await exec.inspect()).ExitCode;
}

/** Connects to guacd with the token's settings and counts audio stream blobs. */
function listen(settings: Record<string, string | number | boolean>) {
  const sock = net.connect(4822, '127.0.0.1');
  let buf = '';
  const audioStreams = new Set<string>();
  const state = { audioMime: '', audioBlobs: 0 };
  sock.setEncoding('utf8');
  sock.on('connect', () => sock.write(encode('select', 'vnc')));
  sock.on('error', () => undefined);
  sock.on('data', (chunk: string) => {
    const { instructions, rest } = parseInstructions(buf + chunk);
    buf = rest;
    for (const [op, ...args] of instructions) {
      if (op === 'args') {
        sock.write(encode('size', '1024', '768', '96') + encode('audio', 'audio/L16') + encode('video') + encode('image', 'image/png'));
        sock.write(encode('connect', ...args.map((n) => (n!.startsWith('VERSION_') ? n! : String(settings[n!] ?? '')))));
      } else if (op === 'audio') {
        audioStreams.add(args[0]!);
        state.audioMime = args[1]!;
      } else if (op === 'blob' && audioStreams.has(args[0]!)) {
        state.audioBlobs++;
        sock.write(encode('ack', args[0]!, 'OK', '0'));
      } else if (op === 'sync') {
        sock.write(encode('sync', args[0]!));
      }
    }
  });
  return { state, close: () => sock.destroy() };
}

afterAll(async () => {
  if (ref) await driver.terminate({ environmentId: id, runtimeRef: ref }).catch(() => undefined);
  await state.remove();
});

describe('desktop sound and file transfer', () => {
  it('streams the desktop\'s PulseAudio through guacd, and shares ~/Transfer with the host folder', async () => {
    ({ runtimeRef: ref } = await driver.create({ environmentId: id, spec }));
    await driver.start(ref);
    const endpoint = await driver.displayEndpoint(ref, { timeoutMs: 30_000 });
    // guacd opens the desktop's PulseAudio socket itself, pinned in root's folder (pinned-sockets.ts).
    expect(endpoint.audioSocket).toBe(path.join(stateDir, 'guacd', id, 'pulse.sock'));
    const connection = tunnelSettingsFor(endpoint, spec.display);
    expect(connection.settings).toMatchObject({ 'enable-audio': 'true', 'audio-servername': `unix:${endpoint.audioSocket}` });

    const guac = listen(connection.settings);
    const until = async (ok: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
      return ok();
    };
    expect(await until(() => guac.state.audioMime !== '', 15_000)).toBe(true);
    expect(guac.state.audioMime).toMatch(/^audio\/L16/);
    // Something plays inside the desktop: guacd streams it.
    await execIn(['sh', '-c', 'head -c 400000 /dev/urandom | pacat --rate=44100 --channels=2 --format=s16le'], ['PULSE_SERVER=unix:/run/genos/display/pulse.sock']);
    expect(await until(() => guac.state.audioBlobs > 0, 10_000)).toBe(true);
    guac.close();

    // ~/Transfer is the host folder <state>/transfer/<id>/files (plain: this driver has no key service), writable by the desktop user.
    const hostDir = path.join(stateDir, 'transfer', id, 'files');
    expect(await execIn(['sh', '-c', `echo from-desktop > ${TRANSFER_MOUNT}/out.txt`])).toBe(0);
    expect(await fs.readFile(path.join(hostDir, 'out.txt'), 'utf8')).toBe('from-desktop\n');

    await driver.terminate({ environmentId: id, runtimeRef: ref });
    ref = '';
    await expect(fs.stat(path.join(stateDir, 'transfer', id))).rejects.toThrow();
  });
});
