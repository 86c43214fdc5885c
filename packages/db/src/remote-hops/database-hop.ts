import { isLocalHost } from './local-address.ts';

/**
 * Why a DATABASE_URL may not be used, or null when it may. A database on
 * another machine must be reached over TLS with its certificate checked
 * against its name (`sslmode=verify-full`, `sslrootcert=` for a private CA):
 * weaker modes either send everything in plain text or accept any
 * certificate, which a machine in the middle can present. An admin can allow
 * it anyway (GENOS_ALLOW_PLAINTEXT_REMOTE=1), knowingly.
 */
export function databaseHopProblem(url: string, opts: { allowPlaintextRemote: boolean }): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'DATABASE_URL is not a valid URL';
  }
  // libpq's host= parameter overrides the URL's host (a unix socket folder, typically).
  const host = parsed.searchParams.get('host') ?? decodeURIComponent(parsed.hostname);
  if (isLocalHost(host) || opts.allowPlaintextRemote) return null;
  const mode = parsed.searchParams.get('sslmode');
  if (mode === 'verify-full') return null;
  return (
    `DATABASE_URL points at ${host}, another machine, with sslmode=${mode ?? '(none)'}: the connection would not be ` +
    'encrypted and checked. Add sslmode=verify-full (and sslrootcert=/path/to/ca.pem for a private CA), ' +
    'or set GENOS_ALLOW_PLAINTEXT_REMOTE=1 to accept an unverified hop on purpose.'
  );
}
