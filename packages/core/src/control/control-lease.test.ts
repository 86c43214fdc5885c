import { describe, expect, it } from 'vitest';
import type { ControlLeaseRecord } from '../ports/control-store';
import { decideProgramCall, PROGRAM_LEASE_MS } from './control-lease';

const t0 = new Date('2026-12-07T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const lease = (l: Partial<ControlLeaseRecord>): ControlLeaseRecord => ({
  environmentId: 'e1', holderKind: null, tokenId: null, userId: null, suspendedTokenId: null, programsAllowed: true, expiresAt: null, updatedAt: t0, ...l,
});

describe('decideProgramCall', () => {
  it('grants a free desktop, keeps a fresh lease without writing, and renews one running low', () => {
    expect(decideProgramCall(null, 'a', t0)).toEqual({ kind: 'hold', expiresAt: at(PROGRAM_LEASE_MS), granted: true });
    const held = lease({ holderKind: 'program', tokenId: 'a', expiresAt: at(PROGRAM_LEASE_MS) });
    expect(decideProgramCall(held, 'a', at(1000))).toEqual({ kind: 'keep' });
    expect(decideProgramCall(held, 'a', at(60_000))).toEqual({ kind: 'hold', expiresAt: at(60_000 + PROGRAM_LEASE_MS), granted: false });
  });

  it('lets another program in only after 2 minutes without calls', () => {
    const held = lease({ holderKind: 'program', tokenId: 'a', expiresAt: at(PROGRAM_LEASE_MS) });
    expect(decideProgramCall(held, 'b', at(PROGRAM_LEASE_MS - 1))).toEqual({ kind: 'taken', by: { kind: 'program', tokenId: 'a' } });
    expect(decideProgramCall(held, 'b', at(PROGRAM_LEASE_MS))).toMatchObject({ kind: 'hold', granted: true });
  });

  it('refuses every program while a person holds control, and all of them when programs are forbidden', () => {
    const person = lease({ holderKind: 'person', userId: 'u1', suspendedTokenId: 'a' });
    expect(decideProgramCall(person, 'a', t0)).toEqual({ kind: 'taken', by: { kind: 'person', userId: 'u1' } });
    expect(decideProgramCall(lease({ programsAllowed: false }), 'a', t0)).toEqual({ kind: 'forbidden' });
  });
});
