// Pure builders for the libvirt XML a GenOS VM needs, so a unit test can read
// the sandbox profile: KVM, default CPU model, no network unless egress, VNC
// on a unix socket only, metadata naming the environment, instance and host.
import { launchCommandsForSpec, type AppLookup, type EnvironmentSpec } from '@genos/core';
import { xmlEscape } from './virsh';

export const DOMAIN_PREFIX = 'genos-vm-';
export const METADATA_NS = 'https://genos.dev/libvirt/1';
export const domainName = (environmentId: string) => `${DOMAIN_PREFIX}${environmentId}`;
export const environmentIdOfDomain = (name: string) => (name.startsWith(DOMAIN_PREFIX) ? name.slice(DOMAIN_PREFIX.length) : name);
/** Each egress VM gets its own libvirt NAT network. */
export const vmNetworkName = (environmentId: string) => `genos-vmnet-${environmentId}`;

export interface DomainXmlOptions {
  environmentId: string;
  spec: EnvironmentSpec;
  /** The environment's catalog (provisioning resolved it); the built-in one when not given. */
  apps?: AppLookup;
  disk: string;
  kernel: string;
  initrd: string;
  vncSocket: string;
  vncPassword: string;
  consoleLog: string;
  /** genos.instance, genos.host …: stored in <metadata>, `list` filters on them. */
  labels: Record<string, string>;
  /** kvm (default) or QEMU's TCG emulator where KVM cannot boot stock kernels (see accel.ts). */
  accel?: 'kvm' | 'tcg';
  /** Egress only: the network and the guest's static address on it. */
  network?: { name: string; address: string; gateway: string };
}

/** Kernel command line: the tiny init, the screen size, the apps (base64url, one per line). */
export function kernelCmdline(spec: EnvironmentSpec, network?: DomainXmlOptions['network'], lookup?: AppLookup): string {
  const size = `${spec.display.width}x${spec.display.height}`;
  const apps = Buffer.from(launchCommandsForSpec(spec, lookup).join('\n')).toString('base64url');
  return [
    'root=/dev/vda rw console=ttyS0 loglevel=3',
    'init=/usr/local/sbin/genos-vm-init',
    `video=${size} genos.size=${size}`,
    apps ? `genos.apps=${apps}` : '',
    network ? `genos.net=${network.address},${network.gateway}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}

export function domainXml(o: DomainXmlOptions): string {
  const { spec } = o;
  const vcpus = Math.max(1, Math.ceil(spec.resources.cpu));
  // Fractional CPU shares (0.5 of a core) through a CFS quota per vCPU.
  const quota = spec.resources.cpu < vcpus ? Math.round((spec.resources.cpu / vcpus) * 100_000) : 0;
  const labels = Object.entries(o.labels)
    .map(([k, v]) => `<genos:label name="${xmlEscape(k)}" value="${xmlEscape(v)}"/>`)
    .join('');
  return `<domain type="${o.accel === 'tcg' ? 'qemu' : 'kvm'}">
  <name>${domainName(o.environmentId)}</name>
  <metadata>
    <genos:env xmlns:genos="${METADATA_NS}" id="${xmlEscape(o.environmentId)}">${labels}</genos:env>
  </metadata>
  <memory unit="MiB">${spec.resources.memoryMiB}</memory>
  <vcpu placement="static">${vcpus}</vcpu>
  ${quota ? `<cputune><period>100000</period><quota>${quota}</quota></cputune>` : ''}
  <os>
    <type arch="x86_64" machine="pc">hvm</type>
    <kernel>${xmlEscape(o.kernel)}</kernel>
    <initrd>${xmlEscape(o.initrd)}</initrd>
    <cmdline>${xmlEscape(kernelCmdline(spec, o.network, o.apps))}</cmdline>
  </os>
  <features><acpi/></features>
  <clock offset="utc"/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <disk type="file" device="disk">
      <driver name="qemu" type="qcow2" discard="unmap"/>
      <source file="${xmlEscape(o.disk)}"/>
      <target dev="vda" bus="virtio"/>
    </disk>
    <controller type="usb" model="none"/>
    <serial type="file">
      <source path="${xmlEscape(o.consoleLog)}" append="on"/>
      <target port="0"/>
    </serial>
    <input type="tablet" bus="virtio"/>
    <input type="keyboard" bus="ps2"/>
    <graphics type="vnc" socket="${xmlEscape(o.vncSocket)}" passwd="${xmlEscape(o.vncPassword)}"/>
    <video><model type="vga" vram="16384" heads="1"/></video>
    <memballoon model="none"/>
${o.network ? `    <interface type="network"><source network="${xmlEscape(o.network.name)}"/><model type="virtio"/></interface>\n` : ''}  </devices>
</domain>
`;
}

/** A NAT network of the worker's own: one /24, no DHCP (the guest's address is on its cmdline). */
export function networkXml(o: { name: string; subnet: number; labels?: Record<string, string> }): string {
  return `<network>
  <name>${xmlEscape(o.name)}</name>
  <forward mode="nat"/>
  <ip address="10.213.${o.subnet}.1" netmask="255.255.255.0"/>
</network>
`;
}

/** Parses `<genos:env id=… ><genos:label name value/>…` back out of `virsh metadata`. */
export function parseMetadata(xml: string): { environmentId: string; labels: Record<string, string> } | undefined {
  const id = /<(?:\w+:)?env\b[^>]*\bid="([^"]*)"/.exec(xml)?.[1];
  if (!id) return undefined;
  const labels: Record<string, string> = {};
  for (const m of xml.matchAll(/<(?:\w+:)?label\s+name="([^"]*)"\s+value="([^"]*)"/g)) labels[unescape(m[1]!)] = unescape(m[2]!);
  return { environmentId: unescape(id), labels };
}

const unescape = (s: string) =>
  s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
