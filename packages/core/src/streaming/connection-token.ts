import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { AppError } from '../errors/app-error';
import type { DisplayEndpoint } from '../ports/store';

/**
 * Tokens in guacamole-lite's format: base64(JSON {iv, value}) with AES-256-CBC.
 * guacamole-lite decodes the iv and plaintext as ASCII, so the iv bytes are
 * kept below 0x80 and the JSON is ASCII-escaped; both ends then agree.
 */
export interface TunnelClaims {
  environmentId: string;
  userId: string;
  /** Unix ms after which the tunnel refuses the token. */
  exp: number;
  /** What the holder may do: the owner's 'control', or a share link's 'view' (input dropped) or 'collaborate'. */
  purpose: 'control' | 'view' | 'collaborate';
  /** The share link a 'view' or 'collaborate' token was minted from; the tunnel re-checks it. */
  shareId?: string;
  /** An admin observing someone's desktop (purpose 'view', read-only): the tunnel checks the holder is still an admin instead of the owner. */
  observer?: 'admin';
  /** guacd was told `read-only`: keyboard and mouse never reach the desktop. */
  readOnly?: boolean;
  /** Random id: the tunnel accepts each token once, so a leaked URL cannot be replayed. */
  jti: string;
}

export interface TunnelToken {
  connection: { type: 'vnc' | 'rdp'; settings: Record<string, string | number | boolean> };
  genos: TunnelClaims;
}

const CIPHER = 'aes-256-cbc';

function keyBytes(key: string): Buffer {
  const buf = Buffer.from(key, 'utf8');
  if (buf.length !== 32) throw new AppError('INTERNAL', 'the tunnel key must be exactly 32 bytes');
  return buf;
}

const asciiJson = (v: unknown) => JSON.stringify(v).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

export function encryptTunnelToken(token: TunnelToken, key: string): string {
  const iv = randomBytes(16).map((b) => b & 0x7f);
  const cipher = createCipheriv(CIPHER, keyBytes(key), iv);
  const value = Buffer.concat([cipher.update(asciiJson(token), 'utf8'), cipher.final()]);
  return Buffer.from(JSON.stringify({ iv: Buffer.from(iv).toString('base64'), value: value.toString('base64') })).toString('base64');
}

/** Throws AppError UNAUTHENTICATED for anything forged, malformed or expired. */
export function decryptTunnelToken(raw: string, key: string, now = Date.now()): TunnelToken {
  let token: TunnelToken;
  try {
    const outer = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { iv: string; value: string };
    const decipher = createDecipheriv(CIPHER, keyBytes(key), Buffer.from(outer.iv, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(outer.value, 'base64')), decipher.final()]).toString('utf8');
    token = JSON.parse(plain) as TunnelToken;
  } catch {
    throw new AppError('UNAUTHENTICATED', 'invalid tunnel token');
  }
  const g = token?.genos;
  if (!g || typeof g.exp !== 'number' || typeof g.environmentId !== 'string' || typeof g.userId !== 'string' || typeof g.jti !== 'string') {
    throw new AppError('UNAUTHENTICATED', 'invalid tunnel token');
  }
  if (g.exp < now) throw new AppError('UNAUTHENTICATED', 'tunnel token expired');
  return token;
}

/**
 * Keyboard layouts a user may pick. guacd passes `server-layout` to RDP only;
 * VNC carries keysyms, so there the browser's own layout already applies
 * (x11vnc -xkb maps each keysym to whatever key produces it on the desktop).
 */
export const SERVER_LAYOUTS = ['en-us-qwerty', 'en-gb-qwerty', 'de-de-qwertz', 'fr-fr-azerty', 'es-es-qwerty', 'it-it-qwerty', 'sv-se-qwerty', 'ja-jp-qwerty'] as const;
export type ServerLayout = (typeof SERVER_LAYOUTS)[number];

export function tunnelSettingsFor(endpoint: DisplayEndpoint, size: { width: number; height: number }, opts: { serverLayout?: ServerLayout } = {}): TunnelToken['connection'] {
  return {
    type: endpoint.protocol,
    settings: {
      hostname: endpoint.host,
      port: String(endpoint.port),
      ...(endpoint.password ? { password: endpoint.password } : {}),
      ...audioSettings(endpoint),
      width: size.width,
      height: size.height,
      dpi: 96,
      'color-depth': 24,
      ...(endpoint.protocol === 'rdp' ? rdpSettings(endpoint, opts.serverLayout) : VNC_SETTINGS),
    },
  };
}

/** guacd records the default sink's monitor of the desktop's PulseAudio server and streams it as audio/L16. */
function audioSettings(endpoint: DisplayEndpoint): Record<string, string> {
  const server = endpoint.audioSocket ? `unix:${endpoint.audioSocket}` : endpoint.audioPort ? `tcp:${endpoint.host}:${endpoint.audioPort}` : null;
  return server ? { 'enable-audio': 'true', 'audio-servername': server } : {};
}

/**
 * VNC encodings guacd asks for. guacd 1.3's default list leads with ZRLE, which
 * makes x11vnc compress every frame inside the sandbox's CPU share: 11.6 fps
 * on the full-screen benchmark. Raw costs the desktop nothing to encode (guacd
 * makes its own PNG/JPEG for the browser): 28 fps on a 30 fps full-screen
 * animation against 21 with tight. The price is bytes on the hop from the
 * desktop to guacd (up to ~100 MB/s in a full-screen animation), which is the
 * desktop's own unix socket on the same host here; a deployment whose guacd
 * sits on another machine should ask for 'tight copyrect' instead.
 */
const VNC_SETTINGS = { encodings: 'raw' };

/**
 * RDP to the desktop's xrdp: TLS only (xrdp makes a key per environment, so
 * there is no certificate to pin: the hop is loopback to a socket only this
 * host can open), the desktop user and its per-environment password, and no
 * sound or clipboard channel: both need xrdp's session manager (chansrv),
 * which the sandbox does not run. With the clipboard channel open, guacd's
 * first (empty) format list made xrdp log "Memory exhausted allocating 0
 * bytes for clip buffer" and fail the channel on every connection.
 */
function rdpSettings(endpoint: DisplayEndpoint, serverLayout?: ServerLayout): Record<string, string> {
  return {
    security: 'tls',
    'ignore-cert': 'true',
    'disable-audio': 'true',
    'disable-copy': 'true',
    'disable-paste': 'true',
    ...(endpoint.username ? { username: endpoint.username } : {}),
    ...(serverLayout ? { 'server-layout': serverLayout } : {}),
  };
}
