import type { EnvironmentSpec } from './environment-spec';

export interface SpecProblem {
  field: string;
  message: string;
}

/**
 * What this deployment can build today. A spec may be valid and still not
 * buildable here; the composer and the create use-case both report these
 * problems instead of silently changing the spec.
 */
export function checkSpecSupported(spec: EnvironmentSpec): SpecProblem[] {
  const problems: SpecProblem[] = [];
  if (spec.os.family !== 'linux') problems.push({ field: 'os.family', message: `${spec.os.family} desktops are not offered by this deployment (Linux only)` });
  if (spec.os.distro !== 'debian' || spec.os.release !== '12')
    problems.push({ field: 'os', message: `only Debian 12 images are built here, not ${spec.os.distro} ${spec.os.release}` });
  if (spec.desktop !== 'openbox') problems.push({ field: 'desktop', message: `desktop "${spec.desktop}" is not available (openbox only)` });
  if (spec.runtime !== 'container') problems.push({ field: 'runtime', message: 'virtual machines are not enabled on this deployment yet' });
  if (spec.isolation !== 'standard') problems.push({ field: 'isolation', message: 'the hardened sandbox profile is not enabled on this deployment yet' });
  if (spec.display.protocol !== 'vnc') problems.push({ field: 'display.protocol', message: `${spec.display.protocol.toUpperCase()} is not offered yet; the display is streamed over VNC` });
  if (spec.network.mode === 'tor') problems.push({ field: 'network.mode', message: 'Tor networking is not enabled on this deployment yet' });
  if (spec.resources.gpu > 0) problems.push({ field: 'resources.gpu', message: 'this deployment has no GPUs' });
  if (spec.persistence.homeVolume) problems.push({ field: 'persistence.homeVolume', message: 'persistent home folders are not enabled yet' });
  return problems;
}
