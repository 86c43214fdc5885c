// The named-hosts mode's proxy (tinyproxy, Debian's package): its settings
// and its list of hosts, made from the spec's network.allowHosts. Pure, so a
// unit test reads exactly what the proxy will be told.
import { ALLOW_HOST_RE, AppError } from '@genos/core';
import { HOSTS_PROXY_PORT } from './names';

/**
 * The proxy's filter file: one fnmatch pattern per line, matched by tinyproxy
 * against the whole host name of each request (FilterURLs off), CONNECT
 * included. Anything outside the set is refused (FilterDefaultDeny), so a
 * pattern that could match more than was asked (a `?`, `[` or a bare `*`) is
 * refused here instead of being passed on.
 */
export function hostsFilter(allowHosts: readonly string[]): string {
  if (!allowHosts.length) throw new AppError('VALIDATION', 'a named-hosts desktop needs at least one host');
  const lines = allowHosts.map((raw) => {
    const host = raw.trim().toLowerCase().replace(/\.$/, '');
    if (!ALLOW_HOST_RE.test(host)) {
      throw new AppError('VALIDATION', `"${raw}" is not a host name a desktop can be limited to (use names like docs.example.org or *.example.org)`);
    }
    return host;
  });
  return `${[...new Set(lines)].join('\n')}\n`;
}

/**
 * tinyproxy's settings: it answers the environment's inner network only,
 * tunnels (CONNECT) to port 443 only, passes plain HTTP, and refuses every
 * host not in the filter. Logs go to stderr (no LogFile, no Syslog), which
 * Docker keeps with the container.
 */
export function hostsProxyConfig(opts: { innerSubnet: string; filterFile: string }): string {
  return [
    `Port ${HOSTS_PROXY_PORT}`,
    'Listen 0.0.0.0',
    'Timeout 600',
    'MaxClients 64',
    `Allow ${opts.innerSubnet}`,
    'ConnectPort 443',
    `Filter "${opts.filterFile}"`,
    'FilterURLs Off',
    'FilterType fnmatch',
    'FilterDefaultDeny Yes',
    'DisableViaHeader Yes',
    'LogLevel Connect',
    '',
  ].join('\n');
}
