import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkHops, databaseHopProblem, hopSettingsShape, isLocalHost, resolveGuacdHop } from './index.ts';

const hops = z.object({ DATABASE_URL: z.string(), ...hopSettingsShape }).superRefine(checkHops);
const messages = (env: Record<string, string>) => {
  const r = hops.safeParse(env);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};
const localDb = 'postgresql://genos:pw@127.0.0.1:54329/genos';

describe('hops to other machines', () => {
  it('knows this machine from another one', () => {
    for (const h of ['127.0.0.1', '127.9.8.7', 'localhost', 'LOCALHOST', '::1', '[::1]', '/run/postgresql', 'db.localhost']) expect(isLocalHost(h), h).toBe(true);
    for (const h of ['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.1', 'db.example.org', 'localhost.example.org', '0.0.0.0']) expect(isLocalHost(h), h).toBe(false);
  });

  it('refuses a database on another machine unless its certificate is checked against its name', () => {
    expect(databaseHopProblem(localDb, { allowPlaintextRemote: false })).toBeNull();
    expect(databaseHopProblem('postgresql://u:p@db.example.org/genos', { allowPlaintextRemote: false })).toMatch(/db\.example\.org, another machine, with sslmode=\(none\).*sslmode=verify-full/);
    // require encrypts but accepts any certificate: a machine in the middle can present one.
    expect(databaseHopProblem('postgresql://u:p@db.example.org/genos?sslmode=require', { allowPlaintextRemote: false })).toMatch(/sslmode=require/);
    expect(databaseHopProblem('postgresql://u:p@db.example.org/genos?sslmode=verify-full&sslrootcert=/etc/ca.pem', { allowPlaintextRemote: false })).toBeNull();
    expect(databaseHopProblem('postgresql://u:p@db.example.org/genos', { allowPlaintextRemote: true })).toBeNull();
    // libpq's host= wins over the URL's host.
    expect(databaseHopProblem('postgresql://u:p@localhost/genos?host=10.1.1.1', { allowPlaintextRemote: false })).toMatch(/10\.1\.1\.1/);
    expect(databaseHopProblem('postgresql://u:p@x/genos?host=/run/postgresql', { allowPlaintextRemote: false })).toBeNull();
  });

  it('refuses plain-text guacd on another machine with the settings to change, in the app configuration', () => {
    expect(messages({ DATABASE_URL: localDb, GUACD_HOST: '10.20.30.40' })).toEqual([expect.stringMatching(/^GUACD_HOST: guacd at 10\.20\.30\.40:4822 is on another machine and GUACD_TLS is not set.*-C cert -K key/)]);
    expect(messages({ DATABASE_URL: localDb, GUACD_HOST: '10.20.30.40', GUACD_TLS: '1' })).toEqual([]);
    expect(messages({ DATABASE_URL: localDb, GUACD_HOST: '10.20.30.40', GENOS_ALLOW_PLAINTEXT_REMOTE: '1' })).toEqual([]);
    expect(messages({ DATABASE_URL: 'postgresql://u:p@10.0.0.9/genos', GUACD_HOST: '10.20.30.40' })).toHaveLength(2);
    expect(messages({ DATABASE_URL: localDb, GUACD_TLS: '1', GUACD_TLS_CA_FILE: '/nonexistent/ca.pem' })).toEqual([expect.stringMatching(/GUACD_TLS_CA_FILE \/nonexistent\/ca\.pem cannot be read/)]);
  });

  it("reaches a local guacd through its contained socket when there is one, skipping the relay", () => {
    const base = { ...hops.parse({ DATABASE_URL: localDb }) };
    expect(resolveGuacdHop(base, (p) => p === '/run/genos-guacd-4822/guacd.sock')).toEqual({ kind: 'unix', path: '/run/genos-guacd-4822/guacd.sock' });
    expect(resolveGuacdHop(base, () => false)).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 4822 });
    expect(resolveGuacdHop({ ...base, GUACD_SOCKET: '/srv/g.sock' }, () => false)).toEqual({ kind: 'unix', path: '/srv/g.sock' });
    expect(resolveGuacdHop({ ...base, GUACD_HOST: 'guacd.lan', GUACD_TLS: true, GUACD_TLS_SERVERNAME: 'guacd.example.org' })).toMatchObject({ kind: 'tls', host: 'guacd.lan', servername: 'guacd.example.org' });
  });
});
