import { describe, expect, it } from 'vitest';
import { TUNNEL_TOKEN_TTL_MS } from '@genos/core';
import { rememberTunnelRequest, takeTunnelRequest } from './tunnel-requests';

describe('tunnel request ids', () => {
  it('hands the minting call’s request id to the one connection that uses the token', () => {
    rememberTunnelRequest('tok-a', 'req-aaaaaaaa', 1000);
    expect(takeTunnelRequest('tok-b', 1001)).toBeUndefined();
    expect(takeTunnelRequest('tok-a', 1001)).toBe('req-aaaaaaaa');
    expect(takeTunnelRequest('tok-a', 1002)).toBeUndefined(); // single-use, as the token
  });

  it('forgets a token once it would have expired', () => {
    rememberTunnelRequest('tok-c', 'req-cccccccc', 0);
    expect(takeTunnelRequest('tok-c', TUNNEL_TOKEN_TTL_MS + 1)).toBeUndefined();
  });
});
