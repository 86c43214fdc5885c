import net from 'node:net';

/**
 * Whether a host name or address is this machine: loopback names and
 * addresses, or a unix socket path. Anything else may be another machine, and
 * a hop to it crosses a network someone else can read.
 */
export function isLocalHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  if (h === '' || h.startsWith('/')) return true;
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}
