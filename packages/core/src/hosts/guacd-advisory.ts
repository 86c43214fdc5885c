/**
 * guacd releases before 1.5.4 have published vulnerabilities that a hostile
 * VNC or RDP server (a desktop its user controls) can reach; 1.5.4 and later
 * (1.6.0 is current) have none known. Debian ships only 1.3.0, so GenOS
 * contains it (scripts/start-guacd.sh) and tells admins to use a current one
 * where a registry is reachable (the official guacamole/guacd image).
 */
export const FIRST_GUACD_WITHOUT_KNOWN_VULNERABILITIES = '1.5.4';

const parse = (v: string): number[] | null => {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : null;
};

/**
 * What an admin should be told about a host's guacd: null when it is current
 * enough, else a sentence saying why and what to do. `version` is what the
 * worker read at start ("1.3.0", or "protocol 1.3.0" when only guacd's
 * handshake could tell, which names the protocol, not the release).
 */
export function guacdAdvisory(version: string | null): string | null {
  if (!version) return 'guacd version unknown: the worker could not read it at start';
  const v = parse(version);
  const safe = parse(FIRST_GUACD_WITHOUT_KNOWN_VULNERABILITIES)!;
  if (!v) return `guacd version "${version}" could not be read`;
  const older = v[0]! < safe[0]! || (v[0] === safe[0] && (v[1]! < safe[1]! || (v[1] === safe[1] && v[2]! < safe[2]!)));
  // The handshake only names the protocol: 1.5.0 is spoken by 1.5.0 to 1.5.3 as well as by safe releases.
  if (version.startsWith('protocol') && v[0] === 1 && v[1] === 5) return null;
  if (!older) return null;
  return `guacd ${version} is older than ${FIRST_GUACD_WITHOUT_KNOWN_VULNERABILITIES}, the first release without known vulnerabilities: a hostile desktop could reach them. GenOS runs it contained (its own user, no network, no other files); use guacd ${FIRST_GUACD_WITHOUT_KNOWN_VULNERABILITIES} or later (the official guacamole/guacd image) where you can.`;
}
