import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type Dockerode from 'dockerode';
import { AppError, catalogLookup, packagesForSpec, type RuntimeDriver, type RuntimeSandbox, type RuntimeStatus } from '@genos/core';
import { DisplayBridges } from '../display/display-bridge';
import { audioBridgeKey, waitForAudioSocket } from '../display/audio-bridge';
import { findAgentSocket } from '../display/agent-socket';
import { guacdAddress, guacdGroupOf, prepareDisplayFolder, removeDisplayFolder } from '../display/guacd-access';
import { pinSocket, RefusedSocketError } from '../display/pinned-sockets';
import { displaySocketName, waitForDisplay } from '../display/wait-for-vnc';
import { ensureAppLayer } from '../images/build-app-layer';
import { execInContainer } from './exec-in-container';
import { inspectImage } from '../images/docker-stream';
import { dockerStatus, ignoreStatus } from './docker-status';
import { createEgressNetwork, removeEgressNetwork } from './egress-network';
import { createHostsPath, removeHostsPath } from './network/hosts-gateway';
import { createTorPath, removeTorPath } from './network/tor-gateway';
import { removeOrphanFirewallChains } from './network/firewall';
import { ensureTeamNetwork, removeEmptyTeamNetworks, removeTeamNetworkIfEmpty, teamNetworksOf, withTeamNetwork } from './network/team-network';
import { environmentOfNetwork, GATEWAY_FOR_LABEL, teamNetworkName } from './network/names';
import { encryptedHomes, type HomeKeySource } from '../security/encrypted-home';
import { transferFilesDirOf, transferFolders, type TransferKeySource } from '../security/encrypted-transfer';
import { containerConfig, containerName, limitedToHosts, DESKTOP_UID, ENV_LABEL, environmentIdOf, HOME_OWNER_LABEL, MANAGED_LABEL, PROTOCOL_ENV, TRANSFER_MOUNT, VNC_PASSWORD_ENV } from './container-config';


export interface DockerDriverOptions {
  docker: Dockerode;
  /** Host folder holding one display-socket folder per environment. */
  stateDir: string;
  bridges?: DisplayBridges;
  /** Extra labels on everything created (tests mark their own); `list` returns only sandboxes carrying all of them (genos.instance, genos.host). */
  labels?: Record<string, string>;
  /** Told about every image an environment runs on, so the catalog reflects the engine. */
  onImageReady?: (img: { kind: 'base' | 'apps'; tag: string; packages: string[]; digest: string }) => Promise<void>;
  /**
   * tor and named-hosts modes: give the gateway (Tor client, filtering proxy) its outside network
   * (default). Tests pass false so nothing sends a packet off the machine.
   */
  gatewayEgress?: boolean;
  /**
   * The user guacd runs as on this host (default genos-guacd): guacd then opens
   * each desktop's sockets itself. null, or a user this host lacks: loopback bridges.
   */
  guacdUser?: string | null;
  /**
   * The data key of a user's home volume (the key service's 'home-volume' key): homes are
   * gocryptfs directories under the state dir. Without it a desktop with a home volume is refused.
   */
  homeKeys?: HomeKeySource;
  /**
   * The data keys of Transfer folders (the key service's 'transfer-folder' keys): each desktop's
   * folder is a gocryptfs directory of its own. Without them Transfer folders are plain.
   */
  transferKeys?: TransferKeySource;
}

export function createDockerDriver(opts: DockerDriverOptions): RuntimeDriver & { bridges: DisplayBridges; socketDirFor(id: string): string } {
  const { docker } = opts;
  const bridges = opts.bridges ?? new DisplayBridges();
  const guacdGid = guacdGroupOf(opts.guacdUser);
  const socketDirFor = (environmentId: string) => path.join(opts.stateDir, 'displays', environmentId);
  // Uploads and downloads (apps/web's files routes): the environment's own encrypted folder, nothing else of the host.
  const transfers = transferFolders({ stateDir: opts.stateDir, keys: opts.transferKeys ?? null });
  // Image ids already reported: the catalog hears of each image once per process, not on every create.
  const reported = new Set<string>();
  const homes = encryptedHomes({ stateDir: opts.stateDir, keyFor: opts.homeKeys, docker });

  /**
   * Transfer folders with no desktop container at all. The state dir may be shared by several
   * hosts' workers on one machine (list() sees only this host's containers), so a folder whose
   * container another host runs is not a leftover of this one.
   */
  async function transferLeftovers(): Promise<string[]> {
    const ids = await transfers.leftovers();
    if (!ids.length) return [];
    const anyHost = await docker.listContainers({ all: true, filters: { label: [`${MANAGED_LABEL}=true`] } });
    const withContainer = new Set(anyHost.map((c) => c.Labels?.[ENV_LABEL]));
    return ids.filter((id) => !withContainer.has(id));
  }

  return {
    kind: 'docker',
    bridges,
    socketDirFor,

    async create({ environmentId, spec, onProgress, ownerId, teamId, apps }) {
      const lookup = catalogLookup(apps ?? []);
      // Checked before anything is built: a home volume is per user, so no owner, no volume.
      if (spec.persistence.homeVolume && !ownerId) throw new AppError('VALIDATION', 'a home volume needs the environment owner');
      // gVisor runs with --network=none here: a hardened desktop is air-gapped (network modes under gVisor are not built yet).
      if (spec.isolation === 'hardened' && spec.network.mode !== 'none') throw new AppError('UNSUPPORTED', 'hardened containers run without network for now');
      if (spec.network.mode === 'team' && !teamId) throw new AppError('VALIDATION', 'the team network is for environments of a team: this one belongs to no team');
      const packages = packagesForSpec(spec, lookup);
      const { tag } = await ensureAppLayer({ docker, packages, onProgress });
      if (opts.onImageReady) {
        const image = await inspectImage(docker, tag);
        if (image && !reported.has(image.id)) {
          await opts.onImageReady({ kind: packages.length ? 'apps' : 'base', tag, packages, digest: image.id });
          reported.add(image.id);
        }
      }
      const socketDir = await prepareDisplayFolder({ stateDir: opts.stateDir, environmentId, owner: { uid: DESKTOP_UID, gid: DESKTOP_UID }, guacdGid });
      // Only root (the web app) and the desktop itself use transfers: the roots above stay 0700, so
      // the desktop, which may put anything inside its own folder, can never put a link in its place.
      const transferDir = await transfers.open(environmentId);
      if (limitedToHosts(spec.network)) {
        await createHostsPath(docker, { environmentId, allowHosts: spec.network.allowHosts, labels: opts.labels, egress: opts.gatewayEgress, onProgress });
      } else if (spec.network.mode === 'egress') await createEgressNetwork(docker, environmentId, opts.labels);
      if (spec.network.mode === 'tor') await createTorPath(docker, { environmentId, labels: opts.labels, egress: opts.gatewayEgress, onProgress });
      // The encrypted home is made (or an old plain volume moved into it) now; it is mounted only at start.
      let home: { ownerId: string; mountpoint: string } | undefined;
      if (spec.persistence.homeVolume && ownerId) {
        await homes.ensure(ownerId);
        home = { ownerId, mountpoint: await homes.prepare(environmentId) };
      }
      // VNC passwords are at most 8 characters; 48 random bits, on top of loopback-only and the token.
      const vncPassword = randomBytes(6).toString('base64url');
      const config = containerConfig({ environmentId, spec, apps: lookup, image: tag, socketDir, vncPassword, labels: opts.labels, home, transferDir, teamId });
      let container: Dockerode.Container;
      if (spec.network.mode === 'team' && teamId) {
        // Joined under the team network's lock: its removal (last member gone) cannot run in between.
        container = await withTeamNetwork(teamNetworkName(teamId), async () => {
          await ensureTeamNetwork(docker, teamId, opts.labels);
          return docker.createContainer(config);
        });
      } else container = await docker.createContainer(config);
      const info = await container.inspect();
      return { runtimeRef: info.Name.replace(/^\//, '') };
    },

    async start(runtimeRef) {
      const container = docker.getContainer(runtimeRef);
      const info = await container.inspect();
      const owner = info.Config.Labels?.[HOME_OWNER_LABEL];
      const environmentId = info.Config.Labels?.[ENV_LABEL] ?? environmentIdOf(runtimeRef);
      // Its Transfer folder's plaintext view, mounted again if a reboot took it (before Docker binds it).
      // Only for this layout (<id>/files): a desktop from before it keeps its plain folder as it is.
      const transferBind = `${transferFilesDirOf(opts.stateDir, environmentId)}:${TRANSFER_MOUNT}:rw`;
      if (!info.State.Running && !info.State.Paused && info.HostConfig?.Binds?.includes(transferBind)) await transfers.open(environmentId);
      // Running or paused already (a redelivered job): its home is in its own mount namespace.
      if (!owner || info.State.Running || info.State.Paused) {
        // 304: already started.
        await ignoreStatus(container.start(), [304]);
        return;
      }
      await homes.mount(owner, environmentId);
      try {
        await ignoreStatus(container.start(), [304]);
      } finally {
        // Started: the container holds its own reference to the mount, which lives as long as it
        // does. Failed: nothing may stay decrypted. Either way the host no longer sees the plaintext.
        await homes.detach(environmentId);
      }
    },

    async suspend(runtimeRef) {
      await docker.getContainer(runtimeRef).pause();
    },

    async resume(runtimeRef) {
      await docker.getContainer(runtimeRef).unpause();
    },

    async terminate({ environmentId, runtimeRef }) {
      await bridges.close(environmentId);
      await bridges.close(audioBridgeKey(environmentId));
      const ref = runtimeRef ?? containerName(environmentId);
      const before = await docker.getContainer(ref).inspect().catch(() => undefined);
      // 404: already gone; 409: removal already in progress.
      await ignoreStatus(docker.getContainer(ref).remove({ force: true, v: true }), [404, 409]);
      for (const name of teamNetworksOf(before)) await removeTeamNetworkIfEmpty(docker, name, before?.Id);
      // tor and named hosts: the gateway and its internal network (idempotent, a no-op for other modes).
      await removeTorPath(docker, environmentId);
      await removeHostsPath(docker, environmentId);
      // Then the egress network, which those gateways were the way out on. The home volume stays.
      await removeEgressNetwork(docker, environmentId);
      // Folders the desktop wrote: removed without following anything it planted there.
      await removeDisplayFolder(opts.stateDir, environmentId);
      // Its Transfer folder: unmounted, the ciphertext removed and its key destroyed. A legacy plain one goes too.
      await transfers.remove(environmentId);
      // Its decrypted home: unmounted if a crash left it mounted, its gocryptfs ended, the mountpoint removed.
      await homes.release(environmentId);
    },

    async inspect(runtimeRef): Promise<RuntimeStatus> {
      try {
        const info = await docker.getContainer(runtimeRef).inspect();
        const s = info.State;
        const state = s.Paused ? 'paused' : s.Running ? 'running' : s.Status === 'created' ? 'created' : 'exited';
        return { exists: true, state, detail: s.Status, ...(state === 'exited' ? { reason: exitReason(s, info.HostConfig?.Memory) } : {}) };
      } catch (e) {
        if (dockerStatus(e) === 404) return { exists: false, state: 'missing', reason: 'its container was removed outside GenOS' };
        throw e;
      }
    },

    async list() {
      const label = [`${MANAGED_LABEL}=true`, ...Object.entries(opts.labels ?? {}).map(([k, v]) => `${k}=${v}`)];
      const containers = await docker.listContainers({ all: true, filters: { label } });
      const sandboxes: RuntimeSandbox[] = containers
        .filter((c) => c.Labels?.[ENV_LABEL])
        .map((c) => ({
          environmentId: c.Labels[ENV_LABEL]!,
          runtimeRef: (c.Names[0] ?? containerName(c.Labels[ENV_LABEL]!)).replace(/^\//, ''),
          state: c.State === 'running' ? 'running' : c.State === 'paused' ? 'paused' : c.State === 'created' ? 'created' : 'exited',
        }));
      // What a crash between steps can leave without its desktop container: an environment's own
      // networks and Tor gateway. Listed as a missing sandbox, so reconciliation's terminate removes them.
      const seen = new Set(sandboxes.map((s) => s.environmentId));
      const leftovers = [
        ...(await docker.listNetworks({ filters: { label } })).map((n) => environmentOfNetwork(n.Name)),
        ...containers.map((c) => c.Labels?.[GATEWAY_FOR_LABEL]),
        // Home mountpoints (a crash after create made one, or before terminate removed it).
        ...(await homes.leftovers()),
        // Transfer folders whose desktop is gone (a crash between create's steps, or an outside docker rm).
        ...(await transferLeftovers()),
      ];
      for (const id of leftovers) {
        if (!id || seen.has(id)) continue;
        seen.add(id);
        sandboxes.push({ environmentId: id, runtimeRef: containerName(id), state: 'missing' });
      }
      return sandboxes;
    },

    async sweep() {
      await removeEmptyTeamNetworks(docker, opts.labels);
      // Firewall chains whose network is gone (a crash between removing the two): nobody else would remove them.
      const networks = await docker.listNetworks({ filters: { name: ['genos-'] } });
      await removeOrphanFirewallChains(new Set(networks.map((n) => n.Name)));
      await homes.sweep();
    },

    async displayEndpoint(runtimeRef, o) {
      const environmentId = environmentIdOf(runtimeRef);
      const env = (await docker.getContainer(runtimeRef).inspect()).Config.Env ?? [];
      const setting = (name: string) => env.find((e) => e.startsWith(`${name}=`))?.slice(name.length + 1);
      const protocol = setting(PROTOCOL_ENV) === 'rdp' ? 'rdp' : 'vnc';
      const socketDir = socketDirFor(environmentId);
      // The desktop's sockets are pinned out of its reach before anything opens them (pinned-sockets.ts).
      let socketPath: string;
      try {
        socketPath = await waitForDisplay(() => pinSocket({ socketDir, name: displaySocketName(protocol), guacdGid }), o?.timeoutMs ?? 30_000, protocol);
      } catch (e) {
        if (e instanceof RefusedSocketError) throw new AppError('UNAVAILABLE', `the desktop's display cannot be shown: ${e.message}`);
        const status = await this.inspect(runtimeRef);
        const logs = status.exists ? await tailLogs(docker, runtimeRef) : '';
        throw new AppError('UNAVAILABLE', `${(e as Error).message}; container ${status.state}${logs ? `: ${logs}` : ''}`);
      }
      const where = await guacdAddress({ socketPath, guacdGid, bridges, bridgeKey: environmentId });
      const password = setting(VNC_PASSWORD_ENV);
      // The agent (windows, focus, close), for the web process on this host; none in images from before it.
      // Anything else under its name is treated as no agent: the display itself is still fine.
      const agentSocket = await findAgentSocket(socketDir, guacdGid).catch((e: unknown) => {
        if (e instanceof RefusedSocketError) return null;
        throw e;
      });
      const agent = agentSocket ? { agentSocket } : {};
      // RDP: xrdp relays to x11vnc and takes the same password, sent as the RDP user's. No sound over
      // RDP: xrdp's sound channel needs its session manager, which this unprivileged desktop does not run.
      if (protocol === 'rdp') return { protocol, ...where, username: 'genos', ...(password ? { password } : {}), ...agent };
      // Sound: the image's PulseAudio exports a socket beside the display's, when the image has it.
      let audio: string | null;
      try {
        audio = await waitForAudioSocket(socketDir, guacdGid);
      } catch (e) {
        if (e instanceof RefusedSocketError) throw new AppError('UNAVAILABLE', `the desktop's sound cannot be played: ${e.message}`);
        throw e;
      }
      const sound = !audio ? {} : guacdGid !== null ? { audioSocket: audio } : { audioPort: await bridges.open(audioBridgeKey(environmentId), audio) };
      return { protocol: 'vnc', ...where, ...(password ? { password } : {}), ...sound, ...agent };
    },

    async resizeDisplay(runtimeRef, size) {
      // genos-resize (in the image) switches Xvfb's screen; x11vnc and guacd follow by themselves.
      const { exitCode, output } = await execInContainer(docker, runtimeRef, ['genos-resize', String(size.width), String(size.height)], `${DESKTOP_UID}:${DESKTOP_UID}`);
      if (exitCode !== 0) throw new AppError('UNAVAILABLE', `the desktop could not take ${size.width}x${size.height}: ${output.slice(-300) || `exit ${exitCode}`}`);
    },
  };
}

/** Why a desktop container stopped, as its owner would want it said. */
export function exitReason(s: { OOMKilled?: boolean; ExitCode?: number; Error?: string }, memoryBytes?: number): string {
  if (s.OOMKilled) return `the desktop ran out of memory${memoryBytes ? ` (its limit is ${Math.round(memoryBytes / 2 ** 20)} MiB)` : ''}`;
  if (s.Error) return `the desktop stopped: ${s.Error}`;
  // 137/143: killed by a signal from outside (docker kill/stop), not by the desktop itself.
  if (s.ExitCode === 137 || s.ExitCode === 143) return 'the desktop was stopped from outside GenOS';
  return `the desktop stopped (its display server exited with code ${s.ExitCode ?? 'unknown'})`;
}

async function tailLogs(docker: Dockerode, ref: string): Promise<string> {
  try {
    const buf = (await docker.getContainer(ref).logs({ stdout: true, stderr: true, tail: 5 })) as unknown as Buffer;
    // Strip docker's 8-byte multiplexing headers.
    return buf.toString('latin1').replace(/[\x00-\x08]/g, '').replace(/\s+/g, ' ').trim().slice(-400);
  } catch {
    return '';
  }
}
