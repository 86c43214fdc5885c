import type Dockerode from 'dockerode';
import { DISPLAY_RESIZE_MAX, launchCommandsForSpec, launchNamesForSpec, type AppLookup, type EnvironmentSpec } from '@genos/core';
import { hostsNetworkName, hostsProxyEnv, teamNetworkName, torNetworkName, torProxyEnv } from './network/names';

export const MANAGED_LABEL = 'genos.managed';
export const ENV_LABEL = 'genos.env';
export const CONTAINER_PREFIX = 'genos-env-';
export const INSTANCE_LABEL = 'genos.instance';
/** The host (worker) that made the sandbox: reconciliation looks only at its own. */
export const HOST_LABEL = 'genos.host';
/** Each egress environment gets its own bridge: no route to other environments. */
export const networkName = (environmentId: string) => `genos-net-${environmentId}`;
export const DISPLAY_MOUNT = '/run/genos/display';
/** On a desktop with an encrypted home: whose home its start mounts (security/encrypted-home.ts). */
export const HOME_OWNER_LABEL = 'genos.home-owner';
/** The file-transfer folder: the web app writes uploads into its host side and reads downloads from it. */
export const TRANSFER_MOUNT = '/home/genos/Transfer';
/**
 * The hardened profile's OCI runtime: gVisor (runsc) registered by
 * scripts/setup-host.sh with --network=none --host-uds=create, so the
 * display's unix socket still reaches the host through its bind mount.
 */
export const HARDENED_RUNTIME = 'runsc-genos';
export const DESKTOP_UID = 1000;
export const VNC_PASSWORD_ENV = 'GENOS_VNC_PASSWORD';
/** vnc or rdp (spec.display.protocol): genos-desktop starts xrdp for rdp. */
export const PROTOCOL_ENV = 'GENOS_PROTOCOL';

/** What every GenOS container runs with, desktops and their helpers alike: no capabilities, no way to gain any, read-only root. */
export const sandboxHostConfig = (): Dockerode.HostConfig => ({
  CapDrop: ['ALL'],
  SecurityOpt: ['no-new-privileges'],
  Privileged: false,
  ReadonlyRootfs: true,
});

export const containerName = (environmentId: string) => `${CONTAINER_PREFIX}${environmentId}`;
export const environmentIdOf = (runtimeRef: string) =>
  runtimeRef.startsWith(CONTAINER_PREFIX) ? runtimeRef.slice(CONTAINER_PREFIX.length) : runtimeRef;

/**
 * The standard sandbox profile, in one pure function so a unit test can read
 * it: unprivileged user, every capability dropped, no privilege escalation,
 * read-only root, limits from the spec, and no network unless asked for.
 */
export function containerConfig(opts: {
  environmentId: string;
  spec: EnvironmentSpec;
  /** The environment's catalog (provisioning resolved it); the built-in one when not given. */
  apps?: AppLookup;
  image: string;
  socketDir: string;
  vncPassword?: string;
  labels?: Record<string, string>;
  /**
   * The owner's encrypted home (spec.persistence.homeVolume): the environment's own host
   * mountpoint, where the plaintext view is mounted at start, bound at /home/genos instead of the tmpfs.
   */
  home?: { ownerId: string; mountpoint: string };
  /** This environment's own transfer folder on the host (bind-mounted at TRANSFER_MOUNT). */
  transferDir?: string;
  /** Network mode team: the team whose private network it joins. */
  teamId?: string | null;
}): Dockerode.ContainerCreateOptions {
  const { spec } = opts;
  const memory = spec.resources.memoryMiB * 1024 * 1024;
  return {
    name: containerName(opts.environmentId),
    Image: opts.image,
    User: `${DESKTOP_UID}:${DESKTOP_UID}`,
    Hostname: spec.name.slice(0, 63),
    Env: [
      `GENOS_WIDTH=${spec.display.width}`,
      `GENOS_HEIGHT=${spec.display.height}`,
      // How far the screen may follow the viewer's window (genos-resize).
      `GENOS_MAX_WIDTH=${Math.max(DISPLAY_RESIZE_MAX.width, spec.display.width)}`,
      `GENOS_MAX_HEIGHT=${Math.max(DISPLAY_RESIZE_MAX.height, spec.display.height)}`,
      `${PROTOCOL_ENV}=${spec.display.protocol}`,
      `GENOS_APPS=${launchCommandsForSpec(spec, opts.apps).join('\n')}`,
      // Their names, line for line, for the desktop's menu and launcher bar (genos-desktop).
      `GENOS_APP_NAMES=${launchNamesForSpec(spec, opts.apps).join('\n')}`,
      // Chromium's own sandbox needs privileges this container does not have.
      'CHROMIUM_FLAGS=--no-sandbox',
      ...(opts.vncPassword ? [`${VNC_PASSWORD_ENV}=${opts.vncPassword}`] : []),
      // tor: every app is pointed at the gateway; nothing else is reachable anyway.
      ...(spec.network.mode === 'tor' ? torProxyEnv() : []),
      // named hosts: the same, pointed at the filtering proxy (a program that ignores it reaches nothing).
      ...(limitedToHosts(spec.network) ? hostsProxyEnv() : []),
    ],
    Labels: { [MANAGED_LABEL]: 'true', [ENV_LABEL]: opts.environmentId, ...(opts.home ? { [HOME_OWNER_LABEL]: opts.home.ownerId } : {}), ...opts.labels },
    StopTimeout: 2,
    HostConfig: {
      ...sandboxHostConfig(),
      Tmpfs: {
        '/tmp': 'rw,nosuid,nodev,size=512m',
        ...(opts.home
          ? {}
          : { '/home/genos': `rw,nosuid,nodev,size=${Math.max(256, spec.resources.diskGiB * 256)}m,uid=${DESKTOP_UID},gid=${DESKTOP_UID}` }),
      },
      // A bind Mount (unlike Binds) never creates a missing source: no mountpoint, no start.
      ...(opts.home ? { Mounts: [{ Type: 'bind' as const, Source: opts.home.mountpoint, Target: '/home/genos', ReadOnly: false }] } : {}),
      Binds: [`${opts.socketDir}:${DISPLAY_MOUNT}`, ...(opts.transferDir ? [`${opts.transferDir}:${TRANSFER_MOUNT}:rw`] : [])],
      NetworkMode: networkModeFor(spec.network, opts.environmentId, opts.teamId),
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(spec.resources.cpu * 1e9),
      PidsLimit: 512,
      IpcMode: 'private',
      RestartPolicy: { Name: 'no' },
      // hardened: the same profile, plus gVisor's user-space kernel between the apps and the host's.
      ...(spec.isolation === 'hardened' ? { Runtime: HARDENED_RUNTIME } : {}),
    },
  };
}

/** Egress limited to the hosts in network.allowHosts (the named-hosts path: hosts-gateway.ts). */
export const limitedToHosts = (network: EnvironmentSpec['network']) => network.mode === 'egress' && network.allowHosts.length > 0;

/**
 * none: no interface but lo; egress: its own firewalled bridge, or with named hosts the internal
 * network shared with its filtering proxy only; tor: the internal network shared with its gateway
 * only; team: the team's internal network.
 */
export function networkModeFor(network: EnvironmentSpec['network'], environmentId: string, teamId?: string | null): string {
  const { mode } = network;
  if (limitedToHosts(network)) return hostsNetworkName(environmentId);
  if (mode === 'egress') return networkName(environmentId);
  if (mode === 'team') {
    if (!teamId) throw new Error('network mode team needs the environment team');
    return teamNetworkName(teamId);
  }
  if (mode === 'tor') return torNetworkName(environmentId);
  return 'none';
}
