import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, environmentSpecSchema } from './environment-spec';

const withHosts = (allowHosts: string[]) => environmentSpecSchema.safeParse({ ...DEFAULT_SPEC, network: { mode: 'egress', allowHosts } });

describe('network.allowHosts', () => {
  it('takes host names, IPv4 addresses and *. for every name below a domain', () => {
    expect(withHosts(['docs.example.org', 'Docs.Example.ORG.', '*.python.org', '10.1.2.3', 'localhost']).success).toBe(true);
  });

  it('refuses what could match more than was asked, or is not a host, with a message saying what fits', () => {
    for (const bad of ['*', '*.', 'docs.*.org', 'exa?ple.org', 'https://docs.example.org', 'docs.example.org/path', 'a b.org', '-x.org', 'x'.repeat(254)]) {
      const r = withHosts([bad]);
      expect(r.success, bad).toBe(false);
      expect(r.error?.issues.map((i) => i.message).join('; ')).toMatch(bad.length > 253 ? /too big/i : /docs\.example\.org/);
    }
  });
});
