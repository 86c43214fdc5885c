import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTestState, type FreshTestState, freePort } from '@genos/db/testing';
import { openGuacdEndpoint } from './guacd-endpoint';

/**
 * The TLS hop to a guacd on another machine, against Debian's real guacd
 * started with -C/-K: the tunnel's endpoint speaks guacd's protocol through it
 * when the certificate names the host it expects, and forwards nothing when
 * the name or the CA is wrong.
 */
let state: FreshTestState;
let guacd: ChildProcess;
let port: number;
let caPem: Buffer;
let otherCaPem: Buffer;
const NAME = 'guacd.genos.test';

function makeCa(dir: string, name: string) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', path.join(dir, `${name}.key`), '-out', path.join(dir, `${name}.pem`)], { stdio: 'ignore' });
}

beforeAll(async () => {
  state = await freshTestState('guacd-tls');
  const dir = path.join(state.stateDir, 'pki');
  fs.mkdirSync(dir);
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  // guacd's certificate for NAME, signed by 'ca'.
  execFileSync('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${NAME}`, '-keyout', path.join(dir, 'guacd.key'), '-out', path.join(dir, 'guacd.csr')], { stdio: 'ignore' });
  fs.writeFileSync(path.join(dir, 'san.ext'), `subjectAltName=DNS:${NAME}\n`);
  execFileSync('openssl', ['x509', '-req', '-in', path.join(dir, 'guacd.csr'), '-CA', path.join(dir, 'ca.pem'), '-CAkey', path.join(dir, 'ca.key'), '-CAcreateserial', '-days', '2', '-extfile', path.join(dir, 'san.ext'), '-out', path.join(dir, 'guacd.pem')], { stdio: 'ignore' });
  caPem = fs.readFileSync(path.join(dir, 'ca.pem'));
  otherCaPem = fs.readFileSync(path.join(dir, 'other-ca.pem'));
  port = await freePort();
  guacd = spawn('guacd', ['-f', '-b', '127.0.0.1', '-l', String(port), '-C', path.join(dir, 'guacd.pem'), '-K', path.join(dir, 'guacd.key'), '-L', 'error'], { stdio: 'ignore' });
  // Ready once it accepts a TCP connection.
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => net.connect(port, '127.0.0.1').once('connect', function (this: net.Socket) { this.destroy(); r(true); }).once('error', () => r(false)));
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
});

afterAll(async () => {
  guacd?.kill('SIGKILL');
  await state?.remove();
});

/** Opens a connection through the endpoint as guacamole-lite does and asks for VNC's arguments. */
async function handshake(endpoint: { guacd: { port: number | string } }): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect(endpoint.guacd.port as string);
    let text = '';
    s.on('connect', () => s.write('6.select,3.vnc;'));
    s.on('data', (d) => {
      text += d.toString();
      if (text.includes(';')) s.destroy();
    });
    s.on('close', () => resolve(text));
    s.on('error', () => resolve(text));
  });
}

describe('the display tunnel over TLS to guacd', () => {
  it('speaks guacd through TLS when the certificate names the expected host under the trusted CA', async () => {
    const logs: string[] = [];
    const endpoint = await openGuacdEndpoint({ kind: 'tls', host: '127.0.0.1', port, servername: NAME, ca: caPem }, (m) => logs.push(m));
    try {
      expect(await handshake(endpoint)).toMatch(/^4\.args,13\.VERSION_\d_\d_\d,/);
      expect(logs).toEqual([]);
    } finally {
      endpoint.close();
    }
  });

  it('refuses a certificate for another name: nothing reaches guacd, the reason is logged', async () => {
    const logs: string[] = [];
    const endpoint = await openGuacdEndpoint({ kind: 'tls', host: '127.0.0.1', port, servername: 'evil.genos.test', ca: caPem }, (m) => logs.push(m));
    try {
      expect(await handshake(endpoint)).toBe('');
      expect(logs.join('\n')).toMatch(/guacd over TLS \(127\.0\.0\.1:\d+\) failed: .*(evil\.genos\.test|altnames)/);
    } finally {
      endpoint.close();
    }
  });

  it('refuses a certificate from a CA it was not told to trust', async () => {
    const logs: string[] = [];
    const endpoint = await openGuacdEndpoint({ kind: 'tls', host: '127.0.0.1', port, servername: NAME, ca: otherCaPem }, (m) => logs.push(m));
    try {
      expect(await handshake(endpoint)).toBe('');
      expect(logs.join('\n')).toMatch(/failed: .*(unable to verify|self.signed|certificate)/i);
    } finally {
      endpoint.close();
    }
  });
});
