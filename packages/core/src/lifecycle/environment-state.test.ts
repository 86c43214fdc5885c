import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error';
import { assertTransition, canTransition, ENVIRONMENT_STATES } from './environment-state';

describe('environment lifecycle', () => {
  it('follows requested → provisioning → running ⇄ suspended → terminated', () => {
    expect(canTransition('requested', 'provisioning')).toBe(true);
    expect(canTransition('provisioning', 'running')).toBe(true);
    expect(canTransition('running', 'suspended')).toBe(true);
    expect(canTransition('suspended', 'running')).toBe(true);
    expect(canTransition('running', 'terminated')).toBe(true);
  });

  it('refuses illegal moves with a typed error', () => {
    expect(() => assertTransition('terminated', 'running')).toThrowError(AppError);
    try {
      assertTransition('requested', 'running');
      expect.unreachable();
    } catch (e) {
      expect((e as AppError).code).toBe('ILLEGAL_TRANSITION');
      expect((e as AppError).message).toContain('requested to running');
    }
  });

  it('lets nothing leave terminated, and every other state reach it', () => {
    for (const s of ENVIRONMENT_STATES) {
      expect(canTransition('terminated', s)).toBe(false);
      if (s !== 'terminated') expect(canTransition(s, 'terminated')).toBe(true);
    }
  });
});
