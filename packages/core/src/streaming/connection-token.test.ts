import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { decryptTunnelToken, encryptTunnelToken, tunnelSettingsFor, type TunnelToken } from './connection-token';

const KEY = 'k'.repeat(32);
const token = (exp: number): TunnelToken => ({
  connection: { type: 'vnc', settings: { hostname: '127.0.0.1', port: '5901' } },
  genos: { environmentId: 'env1', userId: 'u1', exp, purpose: 'control', jti: 'j1' },
});

describe('tunnel tokens', () => {
  it('round-trips and is readable by guacamole-lite itself', () => {
    const raw = encryptTunnelToken(token(Date.now() + 60_000), KEY);
    expect(decryptTunnelToken(raw, KEY).genos.environmentId).toBe('env1');
    // guacamole-lite's own decoder (ASCII iv) must agree with ours.
    const require = createRequire(import.meta.url);
    const Crypt = require('guacamole-lite/lib/Crypt.js');
    for (let i = 0; i < 20; i++) {
      const t = encryptTunnelToken(token(Date.now() + 60_000), KEY);
      expect(new Crypt('AES-256-CBC', KEY).decrypt(t).connection.settings.hostname).toBe('127.0.0.1');
    }
  });

  it('refuses expired, forged and tampered tokens', () => {
    expect(() => decryptTunnelToken(encryptTunnelToken(token(Date.now() - 1), KEY), KEY)).toThrow(/expired/);
    expect(() => decryptTunnelToken(encryptTunnelToken(token(Date.now() + 60_000), 'x'.repeat(32)), KEY)).toThrow(/invalid/);
    const raw = encryptTunnelToken(token(Date.now() + 60_000), KEY);
    const outer = JSON.parse(Buffer.from(raw, 'base64').toString());
    const v = Buffer.from(outer.value, 'base64');
    v[v.length - 20]! ^= 0xff;
    const tampered = Buffer.from(JSON.stringify({ ...outer, value: v.toString('base64') })).toString('base64');
    expect(() => decryptTunnelToken(tampered, KEY)).toThrow(/invalid/);
    expect(() => decryptTunnelToken('not-a-token', KEY)).toThrow(/invalid/);
  });
});

describe('tunnel settings per protocol', () => {
  it('signs RDP in as the desktop user over TLS, without sound; VNC gets neither', () => {
    const rdp = tunnelSettingsFor({ protocol: 'rdp', host: '127.0.0.1', port: 4000, username: 'genos', password: 'pw123456' }, { width: 1280, height: 800 }, { serverLayout: 'de-de-qwertz' });
    expect(rdp.type).toBe('rdp');
    expect(rdp.settings).toMatchObject({ hostname: '127.0.0.1', port: '4000', username: 'genos', password: 'pw123456', security: 'tls', 'ignore-cert': 'true', 'disable-audio': 'true', 'disable-copy': 'true', 'disable-paste': 'true', 'server-layout': 'de-de-qwertz' });
    const vnc = tunnelSettingsFor({ protocol: 'vnc', host: '127.0.0.1', port: 4001, password: 'pw123456' }, { width: 1280, height: 800 }, { serverLayout: 'de-de-qwertz' });
    expect(vnc.type).toBe('vnc');
    expect(vnc.settings).not.toHaveProperty('security');
    expect(vnc.settings).not.toHaveProperty('server-layout');
    expect(vnc.settings).not.toHaveProperty('username');
    // Not guacd's ZRLE-first default: x11vnc would compress every frame (see VNC_SETTINGS).
    expect(vnc.settings).toMatchObject({ encodings: 'raw' });
    expect(rdp.settings).not.toHaveProperty('encodings');
  });

  it('points guacd at the desktop\'s own sockets, or at loopback bridges', () => {
    const direct = tunnelSettingsFor({ protocol: 'vnc', host: '/d/e1/vnc.sock', port: 0, audioSocket: '/d/e1/pulse.sock' }, { width: 1280, height: 800 });
    expect(direct.settings).toMatchObject({ hostname: '/d/e1/vnc.sock', 'enable-audio': 'true', 'audio-servername': 'unix:/d/e1/pulse.sock' });
    const bridged = tunnelSettingsFor({ protocol: 'vnc', host: '127.0.0.1', port: 4001, audioPort: 4002 }, { width: 1280, height: 800 });
    expect(bridged.settings).toMatchObject({ hostname: '127.0.0.1', port: '4001', 'audio-servername': 'tcp:127.0.0.1:4002' });
    expect(tunnelSettingsFor({ protocol: 'vnc', host: '127.0.0.1', port: 4001 }, { width: 1280, height: 800 }).settings).not.toHaveProperty('enable-audio');
  });
});
