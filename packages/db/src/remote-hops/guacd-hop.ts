import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { isLocalHost } from './local-address.ts';

/** How this process reaches guacd. */
export type GuacdHop =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'tls'; host: string; port: number; servername: string; ca?: Buffer };

export interface GuacdHopSettings {
  GUACD_HOST: string;
  GUACD_PORT: number;
  GUACD_SOCKET?: string;
  GUACD_TLS: boolean;
  GUACD_TLS_CA_FILE?: string;
  GUACD_TLS_SERVERNAME?: string;
  GENOS_ALLOW_PLAINTEXT_REMOTE: boolean;
}

/** Where scripts/start-guacd.sh leaves the contained guacd's own socket for a port. */
export const guacdJailSocket = (port: number) => `/run/genos-guacd-${port}/guacd.sock`;

export class GuacdHopError extends Error {}

/**
 * The hop to guacd from the settings. On this machine, the contained guacd's
 * unix socket when it exists: it skips the host-side socat relay, one copy of
 * every frame less. On another machine, TLS with guacd's certificate checked
 * against its name (guacd -C/-K); plain text there is refused unless an admin
 * opts out, since display traffic carries everything typed.
 */
export function resolveGuacdHop(s: GuacdHopSettings, exists: (p: string) => boolean = fs.existsSync): GuacdHop {
  if (s.GUACD_SOCKET) return { kind: 'unix', path: s.GUACD_SOCKET };
  const local = isLocalHost(s.GUACD_HOST);
  if (s.GUACD_TLS) {
    const ca = s.GUACD_TLS_CA_FILE ? readCa(s.GUACD_TLS_CA_FILE) : undefined;
    return { kind: 'tls', host: s.GUACD_HOST, port: s.GUACD_PORT, servername: s.GUACD_TLS_SERVERNAME ?? s.GUACD_HOST, ca };
  }
  if (local) {
    const jail = guacdJailSocket(s.GUACD_PORT);
    return exists(jail) ? { kind: 'unix', path: jail } : { kind: 'tcp', host: s.GUACD_HOST, port: s.GUACD_PORT };
  }
  if (s.GENOS_ALLOW_PLAINTEXT_REMOTE) return { kind: 'tcp', host: s.GUACD_HOST, port: s.GUACD_PORT };
  throw new GuacdHopError(
    `guacd at ${s.GUACD_HOST}:${s.GUACD_PORT} is on another machine and GUACD_TLS is not set: display traffic ` +
      '(everything typed, every screen) would cross the network in plain text. Start that guacd with -C cert -K key, ' +
      'set GUACD_TLS=1 (and GUACD_TLS_CA_FILE for a private CA), or set GENOS_ALLOW_PLAINTEXT_REMOTE=1 on purpose.',
  );
}

function readCa(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new GuacdHopError(`GUACD_TLS_CA_FILE ${file} cannot be read: ${(e as Error).message}`);
  }
}

/** Opens the hop; 'ready' fires once bytes may be written (after the TLS handshake and its name check). */
export function connectGuacd(hop: GuacdHop): { socket: net.Socket; readyEvent: 'connect' | 'secureConnect' } {
  switch (hop.kind) {
    case 'unix':
      return { socket: net.connect(hop.path), readyEvent: 'connect' };
    case 'tcp':
      return { socket: net.connect(hop.port, hop.host), readyEvent: 'connect' };
    case 'tls':
      // rejectUnauthorized with the default name check: a certificate for another name is refused.
      return {
        socket: tls.connect({ host: hop.host, port: hop.port, servername: net.isIP(hop.servername) ? undefined : hop.servername, ca: hop.ca, rejectUnauthorized: true, checkServerIdentity: (_h, cert) => tls.checkServerIdentity(hop.servername, cert) }),
        readyEvent: 'secureConnect',
      };
  }
}

/** A short description for logs and the Hosts page (never secrets). */
export const describeGuacdHop = (hop: GuacdHop) =>
  hop.kind === 'unix' ? `unix:${hop.path}` : `${hop.kind === 'tls' ? 'tls' : 'tcp'}://${hop.host}:${hop.port}`;
