import { describe, expect, it } from 'vitest';
import { hostsFilter, hostsProxyConfig } from './hosts-proxy-config';

describe('the named-hosts proxy', () => {
  it('lists exactly the hosts asked for, lower-cased, once each', () => {
    expect(hostsFilter(['Docs.Example.org', 'docs.example.org.', '*.python.org', '10.1.2.3'])).toBe('docs.example.org\n*.python.org\n10.1.2.3\n');
  });

  it('refuses anything that would match more than was asked, or is not a host name', () => {
    for (const bad of ['*', '*.', 'exa?ple.org', 'ex[a]mple.org', 'docs.*.org', 'https://docs.example.org', 'a b.org', '-bad.org', '', 'x'.repeat(254)]) {
      expect(() => hostsFilter([bad]), bad).toThrow(/not a host name/);
    }
    expect(() => hostsFilter([])).toThrow(/at least one host/);
  });

  it('answers only the inner network, tunnels to 443 only and denies every host not listed', () => {
    const conf = hostsProxyConfig({ innerSubnet: '172.30.0.0/24', filterFile: '/tmp/hosts' }).split('\n');
    expect(conf).toEqual(expect.arrayContaining(['Allow 172.30.0.0/24', 'ConnectPort 443', 'Filter "/tmp/hosts"', 'FilterType fnmatch', 'FilterDefaultDeny Yes', 'FilterURLs Off']));
    expect(conf.filter((l) => l.startsWith('Allow '))).toHaveLength(1);
  });
});
