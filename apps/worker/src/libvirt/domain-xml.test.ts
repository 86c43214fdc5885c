import { describe, expect, it } from 'vitest';
import { DEFAULT_SPEC, type EnvironmentSpec } from '@genos/core';
import { domainXml, kernelCmdline, networkXml, parseMetadata } from './domain-xml';

const spec: EnvironmentSpec = { ...DEFAULT_SPEC, runtime: 'vm', apps: ['xterm'], resources: { cpu: 0.5, memoryMiB: 768, diskGiB: 4, gpu: 0 } };
const base = {
  environmentId: 'abc',
  spec,
  disk: '/s/vms/abc/disk.qcow2',
  kernel: '/i/k',
  initrd: '/i/i',
  vncSocket: '/s/displays/abc/vnc.sock',
  vncPassword: 'pw123456',
  consoleLog: '/s/vms/abc/console.log',
  labels: { 'genos.instance': 'test', 'genos.host': 'h<1>' },
};

describe('VM sandbox profile (domain XML)', () => {
  it('is KVM with the default CPU model, sized by the spec, without any network', () => {
    const xml = domainXml(base);
    expect(xml).toContain('<domain type="kvm">');
    expect(xml).not.toMatch(/<cpu\b|host-passthrough/);
    expect(xml).toContain('<memory unit="MiB">768</memory>');
    expect(xml).toMatch(/<vcpu placement="static">1<\/vcpu>/);
    expect(xml).toContain('<quota>50000</quota>');
    expect(xml).not.toContain('<interface');
  });

  it('shows its display only on a unix socket with a password', () => {
    const xml = domainXml(base);
    expect(xml).toContain('<graphics type="vnc" socket="/s/displays/abc/vnc.sock" passwd="pw123456"/>');
    expect(xml).not.toMatch(/<graphics[^>]*(listen|port)=|<listen/);
  });

  it('boots the kernel directly into the tiny init with the apps', () => {
    const cmdline = kernelCmdline(spec);
    expect(cmdline).toContain('init=/usr/local/sbin/genos-vm-init');
    expect(cmdline).toContain(`genos.apps=${Buffer.from('xterm').toString('base64url')}`);
    expect(cmdline).not.toContain('genos.net');
  });

  it('joins its own network only for egress, and records who it belongs to', () => {
    const xml = domainXml({ ...base, network: { name: 'genos-vmnet-abc', address: '10.213.7.2/24', gateway: '10.213.7.1' } });
    expect(xml).toContain('<source network="genos-vmnet-abc"/>');
    expect(xml).toContain('genos.net=10.213.7.2/24,10.213.7.1');
    expect(parseMetadata(xml)).toEqual({ environmentId: 'abc', labels: { 'genos.instance': 'test', 'genos.host': 'h<1>' } });
    expect(networkXml({ name: 'genos-vmnet-abc', subnet: 7 })).toContain('<ip address="10.213.7.1" netmask="255.255.255.0"/>');
  });

  it('runs on QEMU TCG where KVM cannot boot stock kernels', () => {
    expect(domainXml({ ...base, accel: 'tcg' })).toContain('<domain type="qemu">');
  });
});
