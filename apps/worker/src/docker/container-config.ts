import type Dockerode from 'dockerode';
import { launchCommandsForSpec, type EnvironmentSpec } from '@genos/core';

export const MANAGED_LABEL = 'genos.managed';
export const ENV_LABEL = 'genos.env';
export const CONTAINER_PREFIX = 'genos-env-';
export const INSTANCE_LABEL = 'genos.instance';
/** Each egress environment gets its own bridge: no route to other environments. */
export const networkName = (environmentId: string) => `genos-net-${environmentId}`;
export const DISPLAY_MOUNT = '/run/genos/display';
export const DESKTOP_UID = 1000;
export const VNC_PASSWORD_ENV = 'GENOS_VNC_PASSWORD';

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
  image: string;
  socketDir: string;
  vncPassword?: string;
  labels?: Record<string, string>;
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
      `GENOS_APPS=${launchCommandsForSpec(spec).join('\n')}`,
      // Chromium's own sandbox needs privileges this container does not have.
      'CHROMIUM_FLAGS=--no-sandbox',
      ...(opts.vncPassword ? [`${VNC_PASSWORD_ENV}=${opts.vncPassword}`] : []),
    ],
    Labels: { [MANAGED_LABEL]: 'true', [ENV_LABEL]: opts.environmentId, ...opts.labels },
    StopTimeout: 2,
    HostConfig: {
      CapDrop: ['ALL'],
      SecurityOpt: ['no-new-privileges'],
      Privileged: false,
      ReadonlyRootfs: true,
      Tmpfs: {
        '/tmp': 'rw,nosuid,nodev,size=512m',
        '/home/genos': `rw,nosuid,nodev,size=${Math.max(256, spec.resources.diskGiB * 256)}m,uid=${DESKTOP_UID},gid=${DESKTOP_UID}`,
      },
      Binds: [`${opts.socketDir}:${DISPLAY_MOUNT}`],
      NetworkMode: spec.network.mode === 'none' ? 'none' : networkName(opts.environmentId),
      Memory: memory,
      MemorySwap: memory,
      NanoCpus: Math.round(spec.resources.cpu * 1e9),
      PidsLimit: 512,
      IpcMode: 'private',
      RestartPolicy: { Name: 'no' },
    },
  };
}
