import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * The front door: Caddy terminates TLS for GENOS_PUBLIC_URL and proxies to
 * the web app on loopback (the tunnel's WebSocket upgrades included, so the
 * browser speaks wss://). A name the public DNS can reach gets a certificate
 * through ACME; a LAN name, an address or localhost gets one from Caddy's own
 * local CA, whose root the admin hands to browsers (caPath).
 */
export const frontDoorSettings = z.object({
  GENOS_PUBLIC_URL: z
    .string()
    .url()
    .refine((u) => new URL(u).protocol === 'https:', 'GENOS_PUBLIC_URL must start with https:// (leave it unset for plain HTTP on 127.0.0.1)')
    .refine((u) => ['', '/'].includes(new URL(u).pathname), 'GENOS_PUBLIC_URL is an origin: GenOS does not run under a path'),
  // Where plain HTTP is answered with a redirect to HTTPS (and ACME's HTTP challenge).
  GENOS_HTTP_PORT: z.coerce.number().int().min(1).max(65_535).default(80),
  // ACME account e-mail for public names (optional; Let's Encrypt or ZeroSSL warn about expiry there).
  GENOS_ACME_EMAIL: z.string().email().optional(),
  PORT: z.coerce.number().int().default(3000),
});
export type FrontDoorSettings = z.infer<typeof frontDoorSettings>;

/** Names no public CA can issue for: these get Caddy's local CA. */
export function needsLocalCa(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (net.isIP(h)) return true;
  if (!h.includes('.')) return true;
  return /(^|\.)(localhost|local|lan|internal|home\.arpa|test|example|invalid|intranet|corp)$/.test(h);
}

export interface FrontDoor {
  caddyfile: string;
  hostname: string;
  httpsPort: number;
  local: boolean;
  /** Caddy's home (XDG_DATA_HOME and XDG_CONFIG_HOME point inside it). */
  home: string;
  /** The local CA's root certificate, for browsers and `curl --cacert` (local names only). */
  caPath: string | null;
  /** The site certificate Caddy keeps for the name: its expiry is a metric. */
  certPath: string;
}

export function frontDoor(s: FrontDoorSettings, stateDir: string): FrontDoor {
  const url = new URL(s.GENOS_PUBLIC_URL);
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const httpsPort = Number(url.port || 443);
  const local = needsLocalCa(hostname);
  const home = path.join(stateDir, 'caddy');
  const data = path.join(home, 'data', 'caddy');
  const issuer = local ? 'local' : 'acme-v02.api.letsencrypt.org-directory';
  const site = net.isIPv6(hostname) ? `[${hostname}]` : hostname;
  const caddyfile = [
    '# Written by GenOS at every start (apps/web/src/front-door): edit the settings, not this file.',
    '{',
    // No admin API: nothing on this machine may reconfigure the front door, and two instances never collide on :2019.
    '\tadmin off',
    `\thttp_port ${s.GENOS_HTTP_PORT}`,
    `\thttps_port ${httpsPort}`,
    // The local CA's root is handed out by path; Caddy never edits the system's trust store.
    '\tskip_install_trust',
    ...(s.GENOS_ACME_EMAIL && !local ? [`\temail ${s.GENOS_ACME_EMAIL}`] : []),
    '}',
    '',
    `${site} {`,
    ...(local ? ['\ttls internal'] : []),
    '\theader Strict-Transport-Security "max-age=31536000; includeSubDomains"',
    // Caddy sets X-Forwarded-For/-Proto/-Host; the web app trusts them (GENOS_TRUST_PROXY=1) only behind this door.
    `\treverse_proxy 127.0.0.1:${s.PORT}`,
    '}',
    '',
    // Caddy's own redirect drops a non-default HTTPS port (it sends https://host/…): say it explicitly then.
    ...(httpsPort === 443 ? [] : [`http://${site} {`, `\tredir https://{host}:${httpsPort}{uri} 308`, '}', '']),
  ].join('\n');
  return {
    caddyfile,
    hostname,
    httpsPort,
    local,
    home,
    caPath: local ? path.join(data, 'pki', 'authorities', 'local', 'root.crt') : null,
    certPath: path.join(data, 'certificates', issuer, hostname, `${hostname}.crt`),
  };
}
