// Names of what the network modes create. Pure, shared by the config and the driver.

/** The tor mode's inner network: `internal: true`, the environment and its gateway only. */
export const torNetworkName = (environmentId: string) => `genos-tor-${environmentId}`;
/** The named-hosts mode's inner network (egress limited to network.allowHosts): the environment and its proxy only. */
export const hostsNetworkName = (environmentId: string) => `genos-hosts-${environmentId}`;
/** The environment a GenOS network belongs to (genos-net-<id>, genos-tor-<id>, genos-hosts-<id>), if it is one. */
export function environmentOfNetwork(name: string): string | undefined {
  return /^genos-(?:net|tor|hosts)-(.+)$/.exec(name)?.[1];
}
/** The team mode's network: internal, shared by that team's team-mode desktops and nothing else. */
export const teamNetworkName = (teamId: string) => `genos-team-${teamId}`;
export const TEAM_LABEL = 'genos.team';
/** The per-environment Tor client: the only thing of a tor environment with a route out. */
export const torGatewayName = (environmentId: string) => `genos-torgw-${environmentId}`;
/** The DNS name the environment reaches its gateway by (a network alias). */
export const TOR_GATEWAY_ALIAS = 'tor-gateway';
export const TOR_SOCKS_PORT = 9050;
export const TOR_TRANS_PORT = 9040;
export const TOR_DNS_PORT = 5353;
/** Marks helper containers (not environments: no genos.env label, so reconcile never lists them as one). */
export const ROLE_LABEL = 'genos.role';
export const GATEWAY_FOR_LABEL = 'genos.gateway-for';

/** The per-environment filtering proxy of the named-hosts mode: the only thing of it with a route out. */
export const hostsProxyName = (environmentId: string) => `genos-hostsgw-${environmentId}`;
export const HOSTS_PROXY_ALIAS = 'hosts-proxy';
export const HOSTS_PROXY_PORT = 3128;

/** Proxy settings every app in a tor environment gets: names resolve at the gateway too (socks5h). */
export const torProxyEnv = () => proxyEnv(`socks5h://${TOR_GATEWAY_ALIAS}:${TOR_SOCKS_PORT}`);
/** Proxy settings every app in a named-hosts environment gets: the proxy resolves names and checks them. */
export const hostsProxyEnv = () => proxyEnv(`http://${HOSTS_PROXY_ALIAS}:${HOSTS_PROXY_PORT}`);

function proxyEnv(url: string): string[] {
  return [
    `ALL_PROXY=${url}`,
    `all_proxy=${url}`,
    `http_proxy=${url}`,
    `https_proxy=${url}`,
    `HTTP_PROXY=${url}`,
    `HTTPS_PROXY=${url}`,
    'no_proxy=localhost,127.0.0.1',
    'NO_PROXY=localhost,127.0.0.1',
  ];
}
