import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/app-error';
import { DEPLOYMENT_CAPABILITIES, FULL_CAPABILITIES } from '../spec/deployment-capabilities';
import { composeEnvironment } from './compose-environment';
import { refineEnvironment } from './refine-environment';

const start = () => composeEnvironment({ request: 'a desktop with firefox', capabilities: FULL_CAPABILITIES }).spec!;
const refine = (spec: unknown, instruction: string) => refineEnvironment({ spec, instruction, capabilities: FULL_CAPABILITIES });

describe('refineEnvironment', () => {
  it('edits only what the instruction touches and reports each change', () => {
    const base = start();
    const added = refine(base, 'add vlc');
    expect(added.status).toBe('ok');
    expect(added.spec?.apps).toEqual(['firefox-esr', 'vlc']);
    expect(added.changes).toEqual([{ field: 'apps', from: ['firefox-esr'], to: ['firefox-esr', 'vlc'] }]);

    const bigger = refine(added.spec, 'make it 8 GB');
    expect(bigger.changes).toEqual([{ field: 'resources.memoryMiB', from: 2048, to: 8192 }]);

    const offline = refine(bigger.spec, 'actually no internet');
    expect(offline.changes).toEqual([{ field: 'network.mode', from: 'egress', to: 'none' }]);
    expect(offline.spec).toMatchObject({ apps: ['firefox-esr', 'vlc'], resources: { memoryMiB: 8192 }, network: { mode: 'none' } });
  });

  it('adds Firefox ESR through Tor, with the notice, where Tor Browser cannot be installed', () => {
    const base = composeEnvironment({ request: 'a desktop with firefox', capabilities: DEPLOYMENT_CAPABILITIES }).spec!;
    const r = refineEnvironment({ spec: base, instruction: 'add tor browser', capabilities: DEPLOYMENT_CAPABILITIES });
    expect(r.status).toBe('ok');
    expect(r.spec).toMatchObject({ apps: ['firefox-esr'], network: { mode: 'tor' } });
    expect(r.changes).toEqual([{ field: 'network.mode', from: 'egress', to: 'tor' }]);
    expect(r.notices?.[0]).toMatch(/Tor Browser cannot be installed.*not Tor Browser/);
  });

  it('removes and replaces apps', () => {
    const base = refine(start(), 'add vlc').spec;
    expect(refine(base, 'remove firefox').spec?.apps).toEqual(['vlc']);
    expect(refine(base, 'replace vlc with gimp').spec?.apps).toEqual(['firefox-esr', 'gimp']);
  });

  it('gives internet to an app that needs it when it is added to an offline spec', () => {
    const offline = composeEnvironment({ request: 'a desktop with gimp', capabilities: FULL_CAPABILITIES }).spec!;
    const r = refine(offline, 'add thunderbird');
    expect(r.spec?.network.mode).toBe('egress');
    expect(r.assumptions.join(' ')).toMatch(/Thunderbird/);
  });

  it('refuses an edit over quota or against policy and returns no spec, so the previous one stands', () => {
    const over = refine(start(), 'make it 64 GB');
    expect(over.status).toBe('unsatisfiable');
    expect(over.spec).toBeNull();
    expect(over.problems[0]).toMatchObject({ kind: 'quota' });
    const bad = refine(start(), 'and mount the docker socket');
    expect(bad.status).toBe('rejected');
    expect(bad.spec).toBeNull();
  });

  it('asks when it cannot tell what to change', () => {
    const r = refine(start(), 'hmm');
    expect(r.status).toBe('needs_clarification');
    expect(r.questions[0]).toMatch(/add vlc/);
  });

  it('refuses to refine a spec that is not valid', () => {
    expect(() => refine({ ...start(), privileged: true }, 'add vlc')).toThrowError(AppError);
  });
});
