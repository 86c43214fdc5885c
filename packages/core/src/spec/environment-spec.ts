import { z } from 'zod';

/** Debian's package-name rule; also the shape of catalog ids (they are package names). */
/** One entry of network.allowHosts: a host name (any case, a trailing dot allowed) or IPv4 address, optionally `*.` first. */
export const ALLOW_HOST_RE = /^(\*\.)?(?=.{1,253}\.?$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

export const DEBIAN_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

const packageName = z.string().regex(DEBIAN_PACKAGE_NAME, 'must be a Debian package name');

/**
 * The environment spec, v1. Later versions extend it and never break it.
 * `.strict()` everywhere: a spec cannot smuggle in fields the sandbox does not
 * model (privileged, host mounts, capabilities...). Unknown keys are an error.
 */
export const environmentSpecSchema = z
  .object({
    apiVersion: z.literal('genos.dev/v1'),
    name: z
      .string()
      .min(1)
      .max(48)
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and dashes'),
    os: z
      .object({
        family: z.enum(['linux', 'windows']),
        distro: z.string().min(1).max(32),
        release: z.string().min(1).max(32),
      })
      .strict(),
    desktop: z.string().min(1).max(32),
    runtime: z.enum(['container', 'vm']),
    isolation: z.enum(['standard', 'hardened']),
    apps: z.array(packageName).max(32),
    packages: z.array(packageName).max(64),
    resources: z
      .object({
        cpu: z.number().positive().max(64),
        memoryMiB: z.number().int().min(256).max(262_144),
        diskGiB: z.number().int().min(1).max(2048),
        gpu: z.number().int().min(0).max(8),
      })
      .strict(),
    network: z
      .object({
        // team: a private network shared only with the same team's team-mode desktops (no internet).
        mode: z.enum(['none', 'egress', 'tor', 'team']),
        // Host names (or IPv4 addresses), `*.` for every name below a domain: nothing that could match more.
        allowHosts: z.array(z.string().min(1).max(253).regex(ALLOW_HOST_RE, 'a host name like docs.example.org or *.example.org')).max(64),
      })
      .strict(),
    display: z
      .object({
        protocol: z.enum(['vnc', 'rdp', 'spice']),
        width: z.number().int().min(640).max(3840),
        height: z.number().int().min(480).max(2160),
      })
      .strict(),
    lifetime: z
      .object({
        idleSuspendMinutes: z.number().int().min(1).max(1440),
        maxHours: z.number().min(0.25).max(720),
      })
      .strict(),
    persistence: z.object({ homeVolume: z.boolean() }).strict(),
  })
  .strict();

export type EnvironmentSpec = z.infer<typeof environmentSpecSchema>;

export const DEFAULT_SPEC: EnvironmentSpec = {
  apiVersion: 'genos.dev/v1',
  name: 'desktop',
  os: { family: 'linux', distro: 'debian', release: '12' },
  desktop: 'openbox',
  runtime: 'container',
  isolation: 'standard',
  apps: [],
  packages: [],
  resources: { cpu: 1, memoryMiB: 1024, diskGiB: 4, gpu: 0 },
  network: { mode: 'none', allowHosts: [] },
  display: { protocol: 'vnc', width: 1280, height: 800 },
  lifetime: { idleSuspendMinutes: 30, maxHours: 8 },
  persistence: { homeVolume: false },
};

/** Plain-language requests longer than this are refused before any parsing. */
export const MAX_REQUEST_LENGTH = 2000;
export const requestTextSchema = z
  .string()
  .trim()
  .min(1, 'say what you need')
  .max(MAX_REQUEST_LENGTH, `requests are limited to ${MAX_REQUEST_LENGTH} characters`);
