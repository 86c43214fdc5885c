import { describe, expect, it } from 'vitest';
import { frontDoor, frontDoorSettings, needsLocalCa } from './caddyfile';

const settings = (env: Record<string, string>) => frontDoorSettings.parse({ PORT: '3000', ...env });

describe('the front door (Caddy)', () => {
  it('gives LAN names, addresses and localhost a local CA, public names ACME', () => {
    for (const h of ['localhost', 'genos', 'genos.lan', 'desk.home.arpa', 'a.internal', '10.0.0.4', '::1', 'x.local', 'ci.test']) expect(needsLocalCa(h), h).toBe(true);
    for (const h of ['genos.example.org', 'desktops.acme.io']) expect(needsLocalCa(h), h).toBe(false);
  });

  it('serves localhost on the URL port with the local CA, HSTS and a redirect port, proxying to the web app', () => {
    const door = frontDoor(settings({ GENOS_PUBLIC_URL: 'https://localhost:8443', GENOS_HTTP_PORT: '8080' }), '/var/lib/genos/x');
    expect(door).toMatchObject({ hostname: 'localhost', httpsPort: 8443, local: true, caPath: '/var/lib/genos/x/caddy/data/caddy/pki/authorities/local/root.crt' });
    expect(door.certPath).toBe('/var/lib/genos/x/caddy/data/caddy/certificates/local/localhost/localhost.crt');
    expect(door.caddyfile).toContain('\thttps_port 8443\n');
    expect(door.caddyfile).toContain('\thttp_port 8080\n');
    expect(door.caddyfile).toContain('\tadmin off\n');
    expect(door.caddyfile).toContain('http://localhost {\n\tredir https://{host}:8443{uri} 308\n}');
    expect(door.caddyfile).toMatch(/localhost \{\n\ttls internal\n\theader Strict-Transport-Security "max-age=31536000; includeSubDomains"\n\treverse_proxy 127\.0\.0\.1:3000\n\}/);
  });

  it('asks ACME for a public name, with the account e-mail, and no local CA', () => {
    const door = frontDoor(settings({ GENOS_PUBLIC_URL: 'https://genos.example.org', GENOS_ACME_EMAIL: 'ops@example.org' }), '/s');
    expect(door).toMatchObject({ httpsPort: 443, local: false, caPath: null });
    expect(door.caddyfile).not.toContain('tls internal');
    expect(door.caddyfile).toContain('\temail ops@example.org\n');
    expect(door.caddyfile).toContain('\thttp_port 80\n');
    expect(door.caddyfile).not.toContain('redir');
  });

  it('refuses a plain-http or pathed public URL with a clear reason', () => {
    expect(() => settings({ GENOS_PUBLIC_URL: 'http://genos.lan' })).toThrow(/must start with https:\/\//);
    expect(() => settings({ GENOS_PUBLIC_URL: 'https://genos.lan/portal' })).toThrow(/does not run under a path/);
  });
});
