import type { EnvironmentSpec } from './environment-spec';

/**
 * What a deployment can build. The composer checks specs against this (not
 * against hard-coded facts) so the same language understanding serves a
 * container-only install and a full one with KVM, gVisor and Tor.
 */
export interface DeploymentCapabilities {
  /** distro → releases this deployment builds images for. */
  os: Record<string, string[]>;
  desktops: string[];
  runtimes: EnvironmentSpec['runtime'][];
  isolation: EnvironmentSpec['isolation'][];
  networkModes: EnvironmentSpec['network']['mode'][];
  protocols: EnvironmentSpec['display']['protocol'][];
  /** Protocols VMs stream over when fewer than `protocols` (absent: the same). */
  vmProtocols?: EnvironmentSpec['display']['protocol'][];
  /** Network modes VMs support when fewer than `networkModes` (absent: the same). */
  vmNetworkModes?: EnvironmentSpec['network']['mode'][];
  /** Whether VMs get the per-user home volume (absent: as `homeVolume`). */
  vmHomeVolume?: boolean;
  homeVolume: boolean;
  /**
   * Tor Browser can be installed: the deployment has a Tor Browser source
   * (GENOS_TOR_BROWSER_SOURCE, a tarball the app layer build unpacks into the
   * image). Absent or false: the composer offers Firefox ESR through the Tor
   * gateway instead, and says it is not Tor Browser.
   */
  torBrowser?: boolean;
  /** Whether VMs get Tor Browser (absent: as `torBrowser`). */
  vmTorBrowser?: boolean;
  /**
   * Whether an egress desktop can be limited to the hosts in `network.allowHosts`.
   * Absent or false: a spec naming hosts is reported as unsupported rather than
   * launched with the whole internet open.
   */
  allowHosts?: boolean;
  /** Whether VMs can be limited that way too (absent: as `allowHosts`). */
  vmAllowHosts?: boolean;
}

/** Hard limits for one request: the lower of the caller's quota and the host's size. */
export interface ResourceBounds {
  cpu: number;
  memoryMiB: number;
  diskGiB: number;
  gpu: number;
}

/** What this deployment builds today (containers on Docker; see README "Security defaults"). */
export const DEPLOYMENT_CAPABILITIES: DeploymentCapabilities = {
  os: { debian: ['12'] },
  desktops: ['openbox'],
  runtimes: ['container'],
  isolation: ['standard'],
  // egress: firewalled NAT only; tor: an internal network whose only way out is a per-environment Tor gateway;
  // team: an internal network shared by one team's desktops that ask for it, and nothing else.
  networkModes: ['none', 'egress', 'tor', 'team'],
  // rdp: xrdp in the container desktop, relaying to its x11vnc (docker/desktop-base/xrdp.ini).
  protocols: ['vnc', 'rdp'],
  // VMs (when a host offers libvirt, see capabilitiesForHosts): QEMU's display is VNC and the VM
  // image has no xrdp yet; their network is none or their own NAT; no home volume.
  vmProtocols: ['vnc'],
  vmNetworkModes: ['none', 'egress'],
  vmHomeVolume: false,
  // One Docker volume per user at /home/genos, kept across environments.
  homeVolume: true,
  // Only with a Tor Browser source (see capabilitiesForHosts); VM app layers install Debian packages only.
  torBrowser: false,
  vmTorBrowser: false,
  // Egress limited to named hosts: containers sit behind a filtering proxy of their own (the worker's
  // hosts-gateway.ts); a VM's NAT network has no such proxy yet.
  allowHosts: true,
  vmAllowHosts: false,
};

/**
 * Everything the design plans for on Debian-only machines: the composer's
 * evaluation runs against this so it measures understanding, not which
 * runtime a given install has switched on. SPICE is absent on purpose
 * (guacd has no SPICE), as is every non-Debian OS (no archive reachable).
 */
export const FULL_CAPABILITIES: DeploymentCapabilities = {
  os: { debian: ['12'] },
  desktops: ['openbox', 'xfce', 'lxqt', 'mate'],
  runtimes: ['container', 'vm'],
  isolation: ['standard', 'hardened'],
  networkModes: ['none', 'egress', 'tor', 'team'],
  protocols: ['vnc', 'rdp'],
  homeVolume: true,
  // A deployment with a Tor Browser source (the build host can fetch it).
  torBrowser: true,
  // Egress limited to named hosts (network.allowHosts), which the design plans for.
  allowHosts: true,
};

/** The default per-user quota until admins set one (issue: quotas). */
export const DEFAULT_QUOTA: ResourceBounds = { cpu: 8, memoryMiB: 16_384, diskGiB: 100, gpu: 0 };

/**
 * Bounds for a host of the given size: memory keeps 2 GiB for the host itself;
 * vCPUs may be overcommitted 4:1 as KVM and cloud hosts do (the Docker driver
 * caps a container's CPU share at the host's cores).
 */
export function boundsFor(opts: { quota?: ResourceBounds; hostCpus: number; hostMemoryMiB: number; hostGpus?: number }): ResourceBounds {
  const q = opts.quota ?? DEFAULT_QUOTA;
  return {
    cpu: Math.min(q.cpu, opts.hostCpus * 4),
    memoryMiB: Math.min(q.memoryMiB, Math.max(256, opts.hostMemoryMiB - 2048)),
    diskGiB: q.diskGiB,
    gpu: Math.min(q.gpu, opts.hostGpus ?? 0),
  };
}

/** Deployment settings the capabilities depend on (read by the app, passed in: this package reads no environment). */
export interface DeploymentSettings {
  /** A Tor Browser source is configured (GENOS_TOR_BROWSER_SOURCE). */
  torBrowser?: boolean;
}

/**
 * What this deployment can build right now: containers always (every worker
 * runs Docker), virtual machines while at least one live host offers libvirt,
 * Tor Browser when a source for it is configured.
 */
export function capabilitiesForHosts(hosts: readonly { runtimes: readonly string[]; state: string }[], settings: DeploymentSettings = {}): DeploymentCapabilities {
  const vm = hosts.some((h) => h.state === 'up' && h.runtimes.includes('libvirt'));
  return capabilitiesFor({ vm, torBrowser: settings.torBrowser });
}

/** DEPLOYMENT_CAPABILITIES with what this deployment has switched on. */
export function capabilitiesFor(opts: { vm?: boolean; torBrowser?: boolean }): DeploymentCapabilities {
  if (!opts.vm && !opts.torBrowser) return DEPLOYMENT_CAPABILITIES;
  return {
    ...DEPLOYMENT_CAPABILITIES,
    ...(opts.vm ? { runtimes: ['container', 'vm'] as DeploymentCapabilities['runtimes'] } : {}),
    ...(opts.torBrowser ? { torBrowser: true } : {}),
  };
}

/** Whether a desktop of this runtime can have Tor Browser here. */
export function torBrowserAvailable(caps: DeploymentCapabilities, runtime: EnvironmentSpec['runtime']): boolean {
  if (!caps.torBrowser) return false;
  return runtime === 'vm' ? (caps.vmTorBrowser ?? true) : true;
}
