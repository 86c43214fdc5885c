// Host firewall for GenOS's own bridge networks (iptables, the nf_tables
// backend on Debian 12). Docker's bridge gives NAT to the internet, but on its
// own it also lets a container reach the host (the bridge gateway IP and every
// other host address: PostgreSQL, guacd, the web app, anything on 0.0.0.0) and
// any private address the host can route to. These rules close that.
//
// Each network gets two chains of its own, so creating is "ensure chains,
// flush, refill, ensure one jump" and removing is "drop the jumps, flush,
// delete": both idempotent, and nothing is ever left half-written because a
// refill replaces the whole chain.
//
//   DOCKER-USER -i <bridge> -j GNF-<hash>   forwarded traffic from the network
//   INPUT       -i <bridge> -j GNI-<hash>   traffic from the network to the host
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * - egress:   NAT'd internet only (no host, no private ranges, no other bridge).
 * - internal: members of the bridge talk to each other, and to nothing else
 *             (a Docker `internal: true` network: the tor mode's inner side).
 */
export type FirewallProfile = 'egress' | 'internal';

/** Destinations an egress environment never reaches, whatever the host routes to. */
export const BLOCKED_DESTINATIONS = [
  '0.0.0.0/8', // "this network"
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // carrier-grade NAT (cloud internals live here too)
  '127.0.0.0/8', // loopback (martian from a bridge, dropped anyway)
  '169.254.0.0/16', // link-local, including cloud metadata 169.254.169.254
  '172.16.0.0/12', // RFC 1918: every Docker bridge by default, other environments
  '192.168.0.0/16', // RFC 1918: Docker's second pool, libvirt's virbr0
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved and broadcast
];

/** Interface-name prefixes of other bridges an environment must never be forwarded to. */
export const BLOCKED_OUT_INTERFACES = ['docker0', 'gn-+', 'br-+', 'virbr+'];

/** Linux bridge name for one GenOS network: deterministic, at most 15 characters. */
export const bridgeName = (networkName: string) => `gn-${hash(networkName)}`;

function hash(s: string): string {
  return createHash('sha256').update(s).digest('hex').slice(0, 11);
}

export function chainNames(networkName: string): { forward: string; input: string } {
  const h = hash(networkName);
  return { forward: `GNF-${h}`, input: `GNI-${h}` };
}

export interface HostFacts {
  /** IPv4 nameservers from the host's resolv.conf (Docker's DNS forwards to them from the container's namespace). */
  nameservers: string[];
  /** IPv4 subnets directly attached to the host's uplinks (its LAN), e.g. 192.0.2.0/24. */
  lanSubnets: string[];
}

/**
 * The rules for one network, as iptables argument lists (pure, for the unit
 * test). Order matters: first match wins inside each chain.
 */
export function firewallRules(opts: { networkName: string; profile: FirewallProfile; host: HostFacts }): {
  forward: string[][];
  input: string[][];
  jumps: { chain: 'DOCKER-USER' | 'INPUT'; rule: string[] }[];
} {
  const iface = bridgeName(opts.networkName);
  const { forward: F, input: I } = chainNames(opts.networkName);
  const c = (text: string) => ['-m', 'comment', '--comment', `genos ${opts.networkName}: ${text}`];

  // To the host itself (any of its addresses, via the bridge): only replies to
  // connections the host opened. Nothing in GenOS opens one today, but a reply
  // must never be what breaks.
  const input = [
    ['-A', I, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...c('replies only'), '-j', 'RETURN'],
    ['-A', I, ...c('no environment reaches the host'), '-j', 'DROP'],
  ];

  let forward: string[][];
  if (opts.profile === 'internal') {
    forward = [
      // Bridged traffic between members (br_netfilter sends it through FORWARD).
      ['-A', F, '-o', iface, ...c('members of this network only'), '-j', 'RETURN'],
      ['-A', F, ...c('an internal network goes nowhere else'), '-j', 'DROP'],
    ];
  } else {
    forward = [
      ['-A', F, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', ...c('replies'), '-j', 'RETURN'],
      // Docker's embedded DNS (127.0.0.11 inside the container) forwards to the
      // host's nameservers from the container's own namespace: allow DNS, and
      // only DNS, to exactly those addresses, even when they are private.
      ...opts.host.nameservers.flatMap((ns) =>
        ['udp', 'tcp'].map((p) => ['-A', F, '-d', `${ns}/32`, '-p', p, '--dport', '53', ...c('DNS to the host resolver'), '-j', 'RETURN']),
      ),
      // Other bridges (docker0, other environments, libvirt), whatever their addresses.
      ...BLOCKED_OUT_INTERFACES.map((o) => ['-A', F, '-o', o, ...c('no other bridge'), '-j', 'DROP']),
      ...BLOCKED_DESTINATIONS.map((d) => ['-A', F, '-d', d, ...c('no private or special range'), '-j', 'DROP']),
      // The host's LAN, even when it is not an RFC 1918 range.
      ...opts.host.lanSubnets.map((d) => ['-A', F, '-d', d, ...c('not the host LAN'), '-j', 'DROP']),
      // Everything else is the internet: back to Docker's chains (ACCEPT + MASQUERADE).
      ['-A', F, ...c('internet via NAT'), '-j', 'RETURN'],
    ];
  }
  return {
    forward,
    input,
    jumps: [
      { chain: 'DOCKER-USER', rule: ['-i', iface, ...c('jump'), '-j', F] },
      { chain: 'INPUT', rule: ['-i', iface, ...c('jump'), '-j', I] },
    ],
  };
}

async function iptables(args: string[]): Promise<void> {
  // -w: wait for the xtables lock (dockerd edits the same tables).
  await run('iptables', ['-w', '10', ...args]);
}
function restore(script: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = execFile('iptables-restore', ['-w', '10', '--noflush'], (e) => (e ? reject(e) : resolve()));
    child.stdin!.end(script);
  });
}
async function succeeds(args: string[]): Promise<boolean> {
  return iptables(args).then(
    () => true,
    () => false,
  );
}

/** What the rules need to know about the host: read fresh each time (cheap). */
export async function readHostFacts(): Promise<HostFacts> {
  const resolv = await fs.readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const nameservers = [...resolv.matchAll(/^\s*nameserver\s+(\d+\.\d+\.\d+\.\d+)\s*$/gm)]
    .map((m) => m[1]!)
    // A loopback resolver is reached by dockerd from the host namespace, not by the container.
    .filter((ip) => !ip.startsWith('127.'));
  // Subnets on the interfaces that carry the default route.
  const { stdout: defaults } = await run('ip', ['-4', '-o', 'route', 'show', 'default']).catch(() => ({ stdout: '' }));
  const uplinks = new Set([...defaults.matchAll(/\bdev\s+(\S+)/g)].map((m) => m[1]!));
  const lanSubnets: string[] = [];
  for (const dev of uplinks) {
    const { stdout } = await run('ip', ['-4', '-o', 'route', 'show', 'dev', dev, 'scope', 'link']).catch(() => ({ stdout: '' }));
    for (const line of stdout.split('\n')) {
      const dest = line.trim().split(/\s+/)[0];
      if (dest && /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(dest)) lanSubnets.push(dest);
    }
  }
  return { nameservers: [...new Set(nameservers)], lanSubnets: [...new Set(lanSubnets)] };
}

/** Installs (or refreshes) the rules of one network. Idempotent. */
export async function applyFirewall(opts: { networkName: string; profile: FirewallProfile; host?: HostFacts }): Promise<void> {
  const rules = firewallRules({ ...opts, host: opts.host ?? (await readHostFacts()) });
  const { forward: F, input: I } = chainNames(opts.networkName);
  // One iptables-restore transaction: declaring a chain creates or empties it, then the rules
  // refill it. Two workers (or a team's first two desktops) refreshing the same chains at once
  // can never interleave their flushes and appends into a wrong order.
  const quote = (a: string) => (/[\s"]/.test(a) ? `"${a.replace(/(["\\])/g, '\\$1')}"` : a);
  const script = ['*filter', `:${F} - [0:0]`, `:${I} - [0:0]`, ...[...rules.forward, ...rules.input].map((r) => r.map(quote).join(' ')), 'COMMIT', ''].join('\n');
  await restore(script);
  for (const { chain, rule } of rules.jumps) {
    // At the top, so nothing earlier in the chain accepts the traffic first.
    if (!(await succeeds(['-C', chain, ...rule]))) await iptables(['-I', chain, '1', ...rule]);
  }
}

/** Removes the rules of one network. Idempotent; safe when they never existed. */
export async function removeFirewall(networkName: string): Promise<void> {
  const rules = firewallRules({ networkName, profile: 'egress', host: { nameservers: [], lanSubnets: [] } });
  for (const { chain, rule } of rules.jumps) {
    // Delete every copy (a crash between -C and -I elsewhere could have left two).
    while (await succeeds(['-D', chain, ...rule]));
  }
  const { forward: F, input: I } = chainNames(networkName);
  for (const chain of [F, I]) {
    if (await succeeds(['-F', chain])) await succeeds(['-X', chain]);
  }
}

/** The chains present on the host for GenOS networks (for tests and reconcile). */
export async function listFirewallChains(): Promise<string[]> {
  return chainsIn(await ruleset());
}

const ruleset = async () => (await run('iptables', ['-w', '10', '-S'])).stdout;
/** GenOS chains declared in an `iptables -S` listing. */
const chainsIn = (listing: string) => [...listing.matchAll(/^-N (GN[FI]-[0-9a-f]+)$/gm)].map((m) => m[1]!);

/**
 * Removes the chains (and their jumps) of every GenOS network that no longer
 * exists. `networks`: the names of the GenOS networks present now. Chains
 * are named by a hash of the network name, so the live ones are recomputed.
 */
export async function removeOrphanFirewallChains(networks: Set<string>): Promise<string[]> {
  const live = new Set([...networks].flatMap((n) => Object.values(chainNames(n))));
  const stdout = await ruleset();
  const orphans = chainsIn(stdout).filter((c) => !live.has(c));
  for (const chain of orphans) {
    // The jumps into it, as iptables printed them (-A …), deleted with -D.
    for (const line of stdout.split('\n').filter((l) => l.startsWith('-A ') && l.endsWith(`-j ${chain}`))) {
      await succeeds(['-D', ...splitRule(line.slice(3))]);
    }
    if (await succeeds(['-F', chain])) await succeeds(['-X', chain]);
  }
  return orphans;
}

/** Splits an `iptables -S` rule into arguments, keeping quoted comments whole. */
function splitRule(rule: string): string[] {
  return [...rule.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!));
}
