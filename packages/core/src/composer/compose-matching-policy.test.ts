// Issue 15: safer matching, policy by runtime, host allow-lists and the team network.
import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_CAPABILITIES, FULL_CAPABILITIES } from '../spec/deployment-capabilities';
import { composeEnvironment } from './compose-environment';

const compose = (request: string, capabilities = FULL_CAPABILITIES) => composeEnvironment({ request, capabilities });

describe('safer matching', () => {
  it('asks about a name two edits from a catalog app instead of installing the other program', () => {
    const r = compose('install scriboz and gimp');
    expect(r.status).toBe('needs_clarification');
    expect(r.spec).toBeNull();
    expect(r.questions.join(' ')).toMatch(/"scriboz" is not in the catalog: did you mean Scribus/);
  });

  it('still reads a one-letter typo, and says so', () => {
    const r = compose('firefix please');
    expect(r.spec?.apps).toEqual(['firefox-esr']);
    expect(r.assumptions.join(' ')).toMatch(/"firefix" read as Firefox ESR/);
  });

  it('a display protocol adds no app and no network', () => {
    for (const request of ['vim, access over RDP', 'mousepad via remote desktop', 'gimp, I use an rdp client to connect']) {
      const r = compose(request);
      expect(r.status, request).toBe('ok');
      expect(r.spec!.apps, request).not.toContain('remmina');
      expect(r.spec!.network.mode, request).toBe('none');
    }
    expect(compose('gimp, I use an rdp client to connect').spec?.display.protocol).toBe('rdp');
  });
});

describe('policy by runtime', () => {
  it('allows a kernel module in a VM, with the reason, and refuses it in a container', () => {
    const vm = compose('a VM where I can load my own kernel module for testing');
    expect(vm.status).toBe('ok');
    expect(vm.spec?.runtime).toBe('vm');
    expect(vm.assumptions.join(' ')).toMatch(/Kernel modules can be loaded: a virtual machine has a kernel of its own/);
    const container = compose('container with modprobe access to load drivers');
    expect(container.status).toBe('rejected');
    expect(container.problems[0]?.message).toMatch(/shares the host kernel/);
  });

  it.each([
    'pass my USB stick through',
    'I want my webcam passed through so I can use cheese',
    'a VM with USB passthrough for my phone',
    'mount my home folder from my laptop',
    'share my Documents folder with the desktop',
    'meinen USB-Stick durchreichen',
    'mi chiavetta USB collegata alla macchina virtuale',
  ])('refuses host devices and folders in any phrasing: %s', (request) => {
    const r = compose(request);
    expect(r.status).toBe('rejected');
    expect(r.spec).toBeNull();
    expect(r.problems[0]?.kind).toBe('policy');
  });

  it('does not mistake a USB stick the user talks about for a pass-through ask', () => {
    expect(compose("A source handed me a USB stick with PDFs on it. I don't trust it at all, I just need to read them.").status).toBe('ok');
  });
});

describe('network asks', () => {
  it('"only allowed to reach" a host fills network.allowHosts', () => {
    const r = compose('firefox, only allowed to reach docs.example.org');
    expect(r.spec?.network).toEqual({ mode: 'egress', allowHosts: ['docs.example.org'] });
  });

  it('builds a host list on this deployment (containers sit behind a filtering proxy)', () => {
    const r = compose('firefox, only allowed to reach docs.example.org', DEPLOYMENT_CAPABILITIES);
    expect(r.status).toBe('ok');
    expect(r.spec?.network).toEqual({ mode: 'egress', allowHosts: ['docs.example.org'] });
  });

  it('refuses a host list where nothing enforces one, rather than opening the internet', () => {
    const r = compose('firefox, only allowed to reach docs.example.org', { ...DEPLOYMENT_CAPABILITIES, allowHosts: false });
    expect(r.status).toBe('unsatisfiable');
    expect(r.problems.map((p) => p.field)).toContain('network.allowHosts');
    const vm = compose('a virtual machine with firefox, only allowed to reach docs.example.org', { ...DEPLOYMENT_CAPABILITIES, runtimes: ['container', 'vm'] });
    expect(vm.status).toBe('unsatisfiable');
    expect(vm.problems.find((p) => p.field === 'network.allowHosts')?.message).toMatch(/container desktops only/);
  });

  it('"only my team\'s machines" is the team network', () => {
    expect(compose("only my team's machines, with thunderbird").spec?.network.mode).toBe('team');
  });
});
