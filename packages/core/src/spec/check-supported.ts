import { findDesktop } from '../catalog/desktop-catalog';
import { findOs } from '../catalog/os-catalog';
import { TOR_BROWSER_APP } from '../catalog/tor-browser';
import type { ComposeProblem } from '../composer/compose-result';
import { DEPLOYMENT_CAPABILITIES, torBrowserAvailable, type DeploymentCapabilities, type ResourceBounds } from './deployment-capabilities';
import type { EnvironmentSpec } from './environment-spec';

/** Kept for callers that only need field and message. */
export type SpecProblem = Pick<ComposeProblem, 'field' | 'message'>;

const list = (xs: readonly string[]) => xs.join(', ');

/**
 * What this deployment can build. A spec may be valid and still not buildable
 * here; the composer and the create use-case both report these problems
 * instead of silently changing the spec.
 */
export function checkSpecSupported(spec: EnvironmentSpec, caps: DeploymentCapabilities = DEPLOYMENT_CAPABILITIES): ComposeProblem[] {
  const problems: ComposeProblem[] = [];
  const add = (field: string, message: string) => problems.push({ field, message, kind: 'unsupported' });
  const releases = caps.os[spec.os.distro];
  const os = findOs(spec.os.distro);
  const osName = `${os?.name ?? spec.os.distro} ${spec.os.release}`.trim();
  const offered = Object.entries(caps.os).map(([d, rs]) => `${findOs(d)?.name ?? d} ${rs.join('/')}`);
  if (!releases) add('os', `${osName} cannot be built here: ${os?.whyNot ?? 'no image for it'} (offered: ${list(offered)})`);
  else if (!releases.includes(spec.os.release)) add('os', `${osName} cannot be built here: only ${list(offered)} images are built by this deployment`);
  if (!caps.desktops.includes(spec.desktop)) {
    const d = findDesktop(spec.desktop);
    add('desktop', `the ${d?.name ?? spec.desktop} desktop is not offered${d?.whyNot ? `: ${d.whyNot}` : ''} (offered: ${list(caps.desktops)})`);
  }
  if (!caps.runtimes.includes(spec.runtime))
    add('runtime', spec.runtime === 'vm' ? 'virtual machines are not enabled on this deployment (containers only)' : `${spec.runtime} runtime is not enabled here`);
  if (!caps.isolation.includes(spec.isolation)) add('isolation', `the ${spec.isolation} sandbox profile is not enabled on this deployment`);
  if (!caps.networkModes.includes(spec.network.mode))
    add('network.mode', spec.network.mode === 'tor' ? 'Tor networking is not enabled on this deployment' : `network mode ${spec.network.mode} is not enabled here`);
  if (!caps.protocols.includes(spec.display.protocol))
    add('display.protocol', spec.display.protocol === 'spice'
      ? `SPICE is not offered: the streaming gateway (guacd) has no SPICE support; use ${list(caps.protocols.map((p) => p.toUpperCase()))}`
      : `${spec.display.protocol.toUpperCase()} is not offered here; the display is streamed over ${list(caps.protocols.map((p) => p.toUpperCase()))}`);
  else if (spec.runtime === 'vm' && caps.vmProtocols && !caps.vmProtocols.includes(spec.display.protocol))
    add('display.protocol', `${spec.display.protocol.toUpperCase()} is offered for container desktops only; virtual machines stream over ${list(caps.vmProtocols.map((p) => p.toUpperCase()))}`);
  if (spec.persistence.homeVolume && !caps.homeVolume) add('persistence.homeVolume', 'persistent home folders are not enabled on this deployment');
  else if (spec.runtime === 'vm' && spec.persistence.homeVolume && caps.vmHomeVolume === false)
    add('persistence.homeVolume', 'persistent home folders are offered for container desktops only, not for virtual machines yet');
  if (spec.runtime === 'vm' && caps.vmNetworkModes && caps.networkModes.includes(spec.network.mode) && !caps.vmNetworkModes.includes(spec.network.mode))
    add('network.mode', `network mode ${spec.network.mode} is offered for container desktops only; virtual machines have ${list(caps.vmNetworkModes)}`);
  if (spec.apps.includes(TOR_BROWSER_APP) && !torBrowserAvailable(caps, spec.runtime)) add('apps', torBrowserUnavailableReason(caps, spec.runtime));
  // Where host lists are not enforced such a desktop would reach the whole internet, so it is not built.
  const hosts = spec.network.allowHosts;
  if (hosts.length && spec.network.mode !== 'egress')
    add('network.allowHosts', `a list of hosts (${list(hosts)}) limits internet access, and network mode ${spec.network.mode} has none: choose egress or drop the list`);
  else if (hosts.length && !caps.allowHosts)
    add('network.allowHosts', `limiting a desktop to ${list(hosts)} is not enforced on this deployment: it would reach the whole internet, so it is not built`);
  else if (hosts.length && spec.runtime === 'vm' && !(caps.vmAllowHosts ?? caps.allowHosts))
    add('network.allowHosts', `limiting a desktop to ${list(hosts)} is enforced for container desktops only, not for virtual machines yet: it would reach the whole internet, so it is not built`);
  return problems;
}

/** Why this deployment cannot give a desktop of this runtime Tor Browser (torBrowserAvailable is false). */
export function torBrowserUnavailableReason(caps: DeploymentCapabilities, runtime: EnvironmentSpec['runtime']): string {
  return caps.torBrowser && runtime === 'vm'
    ? 'Tor Browser is installed in container desktops only on this deployment, not in virtual machines'
    : 'Tor Browser cannot be installed on this deployment (no Tor Browser source is configured)';
}

/** Resources above the caller's quota or the host's size. */
export function checkSpecBounds(spec: EnvironmentSpec, bounds: ResourceBounds): ComposeProblem[] {
  const problems: ComposeProblem[] = [];
  const r = spec.resources;
  const over = (field: string, message: string) => problems.push({ field, message, kind: 'quota' });
  if (r.cpu > bounds.cpu) over('resources.cpu', `${r.cpu} CPUs asked, the limit is ${bounds.cpu}`);
  if (r.memoryMiB > bounds.memoryMiB) over('resources.memoryMiB', `${fmtMiB(r.memoryMiB)} of memory asked, the limit is ${fmtMiB(bounds.memoryMiB)}`);
  if (r.diskGiB > bounds.diskGiB) over('resources.diskGiB', `${r.diskGiB} GiB of disk asked, the limit is ${bounds.diskGiB} GiB`);
  if (r.gpu > bounds.gpu) over('resources.gpu', bounds.gpu === 0 ? 'GPUs are not available: this deployment has none to give' : `${r.gpu} GPUs asked, the limit is ${bounds.gpu}`);
  return problems;
}

export const fmtMiB = (mib: number) => (mib >= 1024 ? `${+(mib / 1024).toFixed(2)} GiB` : `${mib} MiB`);
