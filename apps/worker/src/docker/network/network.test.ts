import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC } from '@genos/core';
import { containerConfig, networkName } from '../container-config';
import { BLOCKED_DESTINATIONS, bridgeName, chainNames, firewallRules } from './firewall';
import { torNetworkName } from './names';

const host = { nameservers: ['10.255.255.53'], lanSubnets: ['192.0.2.0/24'] };
const text = (rules: string[][]) => rules.map((r) => r.join(' '));

describe('firewall rules of a GenOS network', () => {
  it('names bridges and chains deterministically, within Linux and iptables limits', () => {
    expect(bridgeName('genos-net-abc')).toMatch(/^gn-[0-9a-f]{11}$/);
    expect(bridgeName('genos-net-abc').length).toBeLessThanOrEqual(15);
    expect(bridgeName('genos-net-abc')).toBe(bridgeName('genos-net-abc'));
    expect(bridgeName('genos-net-abc')).not.toBe(bridgeName('genos-tor-abc'));
    const { forward, input } = chainNames('genos-net-abc');
    expect(forward.length).toBeLessThanOrEqual(28);
    expect(input).not.toBe(forward);
  });

  it('egress: the host only answers, private ranges, other bridges and the LAN are dropped, the rest returns to Docker (NAT)', () => {
    const r = firewallRules({ networkName: 'genos-net-abc', profile: 'egress', host });
    const { forward: F, input: I } = chainNames('genos-net-abc');
    const iface = bridgeName('genos-net-abc');
    // Jumps only for traffic coming from this bridge.
    expect(r.jumps.map((j) => [j.chain, ...j.rule].join(' '))).toEqual([
      expect.stringMatching(new RegExp(`^DOCKER-USER -i ${iface} .* -j ${F}$`)),
      expect.stringMatching(new RegExp(`^INPUT -i ${iface} .* -j ${I}$`)),
    ]);
    // To the host: established replies, then DROP, nothing else.
    expect(text(r.input)).toEqual([expect.stringMatching(/ctstate RELATED,ESTABLISHED .*-j RETURN$/), expect.stringMatching(/-j DROP$/)]);
    const fwd = text(r.forward);
    // First replies, last the internet; every private range, link-local and the LAN dropped before it.
    expect(fwd[0]).toMatch(/RELATED,ESTABLISHED .*-j RETURN$/);
    expect(fwd.at(-1)).toMatch(/internet via NAT -j RETURN$/);
    for (const d of [...BLOCKED_DESTINATIONS, '192.0.2.0/24']) expect(fwd).toContainEqual(expect.stringMatching(new RegExp(`-d ${d.replace(/\./g, '\\.')} .*-j DROP$`)));
    for (const d of ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '169.254.0.0/16']) expect(BLOCKED_DESTINATIONS).toContain(d);
    for (const o of ['docker0', 'gn-+', 'br-+']) expect(fwd).toContainEqual(expect.stringMatching(new RegExp(`-o ${o.replace('+', '\\+')} .*-j DROP$`)));
    // The only private exception: DNS to the host's resolver, udp and tcp port 53, before the drops.
    const dns = fwd.filter((l) => l.includes('10.255.255.53'));
    expect(dns).toEqual([expect.stringMatching(/-p udp --dport 53 .*-j RETURN$/), expect.stringMatching(/-p tcp --dport 53 .*-j RETURN$/)]);
    expect(fwd.indexOf(dns[1]!)).toBeLessThan(fwd.findIndex((l) => l.includes('10.0.0.0/8')));
    // Every rule is commented with its network.
    for (const l of [...fwd, ...text(r.input)]) expect(l).toContain('--comment genos genos-net-abc:');
  });

  it('internal: members of the bridge only', () => {
    const r = firewallRules({ networkName: 'genos-tor-abc', profile: 'internal', host });
    expect(text(r.forward)).toEqual([expect.stringMatching(new RegExp(`-o ${bridgeName('genos-tor-abc')} .*-j RETURN$`)), expect.stringMatching(/-j DROP$/)]);
    expect(text(r.input).at(-1)).toMatch(/-j DROP$/);
  });
});

describe('network modes and home volume in the container config', () => {
  const base = { environmentId: 'abc', image: 'genos/desktop-base:1', socketDir: '/var/lib/genos/x/displays/abc' };

  it('tor: joins only the internal network and points every app at the gateway', () => {
    const c = containerConfig({ ...base, spec: { ...DEFAULT_SPEC, network: { mode: 'tor', allowHosts: [] } } });
    expect(c.HostConfig?.NetworkMode).toBe(torNetworkName('abc'));
    expect(c.HostConfig?.NetworkMode).not.toBe(networkName('abc'));
    expect(c.Env).toEqual(expect.arrayContaining(['ALL_PROXY=socks5h://tor-gateway:9050', 'https_proxy=socks5h://tor-gateway:9050', 'http_proxy=socks5h://tor-gateway:9050']));
  });

  it('no proxy variables outside tor mode', () => {
    const c = containerConfig({ ...base, spec: { ...DEFAULT_SPEC, network: { mode: 'egress', allowHosts: [] } } });
    expect((c.Env ?? []).filter((e) => /proxy/i.test(e))).toEqual([]);
  });

  it("home volume: the encrypted home's mountpoint replaces the tmpfs home; no other host path appears", () => {
    const c = containerConfig({ ...base, spec: { ...DEFAULT_SPEC, persistence: { homeVolume: true } }, home: { ownerId: 'u1', mountpoint: '/var/lib/genos/x/home-mounts/abc' } });
    expect(c.HostConfig?.Tmpfs?.['/home/genos']).toBeUndefined();
    expect(c.HostConfig?.Tmpfs?.['/tmp']).toBeDefined();
    expect(c.HostConfig?.Mounts).toEqual([{ Type: 'bind', Source: '/var/lib/genos/x/home-mounts/abc', Target: '/home/genos', ReadOnly: false }]);
    expect(c.Labels?.['genos.home-owner']).toBe('u1');
    expect(c.HostConfig?.Binds).toEqual(['/var/lib/genos/x/displays/abc:/run/genos/display']);
    const plain = containerConfig({ ...base, spec: DEFAULT_SPEC });
    expect(plain.HostConfig?.Mounts).toBeUndefined();
    expect(plain.Labels?.['genos.home-owner']).toBeUndefined();
    expect(plain.HostConfig?.Tmpfs?.['/home/genos']).toMatch(/uid=1000/);
  });
});
