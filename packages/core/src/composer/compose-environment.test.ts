import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error';
import { environmentSpecSchema } from '../spec/environment-spec';
import { composeEnvironment } from './compose-environment';

describe('composeEnvironment', () => {
  it('turns "a Linux desktop with xterm" into a valid offline spec', () => {
    const r = composeEnvironment({ request: 'I need a Linux desktop with xterm' });
    expect(r.status).toBe('ok');
    expect(r.spec?.apps).toEqual(['xterm']);
    expect(r.spec?.network.mode).toBe('none');
    expect(environmentSpecSchema.parse(r.spec)).toEqual(r.spec);
    expect(r.assumptions.join(' ')).toMatch(/No network/);
  });

  it('maps firefox to firefox-esr and explains why it gets internet', () => {
    const r = composeEnvironment({ request: 'a Linux desktop with firefox' });
    expect(r.status).toBe('ok');
    expect(r.spec?.apps).toEqual(['firefox-esr']);
    expect(r.spec?.network.mode).toBe('egress');
    expect(r.assumptions.some((a) => a.includes('Firefox'))).toBe(true);
  });

  it('keeps firefox offline when the user says so', () => {
    const r = composeEnvironment({ request: 'firefox without internet' });
    expect(r.spec?.network.mode).toBe('none');
  });

  it('reads resources and resolution', () => {
    const r = composeEnvironment({ request: 'debian desktop with 2 vcpus, 4 GB and 1920x1080' });
    expect(r.spec?.resources.cpu).toBe(2);
    expect(r.spec?.resources.memoryMiB).toBe(4096);
    expect(r.spec?.display).toMatchObject({ width: 1920, height: 1080 });
  });

  it('asks questions for a vague request', () => {
    const r = composeEnvironment({ request: 'something for work' });
    expect(r.status).toBe('needs_clarification');
    expect(r.questions.length).toBeGreaterThan(0);
    expect(r.spec).toBeNull();
  });

  it('reports what this deployment cannot build instead of hiding it', () => {
    const r = composeEnvironment({ request: 'a windows desktop with tor' });
    expect(r.status).toBe('unsatisfiable');
    expect(r.problems.map((p) => p.field)).toEqual(expect.arrayContaining(['os.family', 'network.mode']));
  });

  it('refuses a 20,000 character request with a clear error', () => {
    expect(() => composeEnvironment({ request: 'x'.repeat(20_000) })).toThrowError(/limited to 2000 characters/);
    try {
      composeEnvironment({ request: 'x'.repeat(20_000) });
    } catch (e) {
      expect((e as AppError).code).toBe('TOO_LARGE');
    }
  });
});
