// RuntimeDriver for KVM virtual machines through libvirt (`virsh`, see virsh.ts).
// One environment = one transient-free (persistent) domain named genos-vm-<id>:
//   <stateDir>/vms/<id>/disk.qcow2     overlay on the base/app layer (qemu-img create -b)
//   <stateDir>/vms/<id>/console.log    the guest's serial console (boot log, heartbeat)
//   <stateDir>/displays/<id>/vnc.sock  QEMU's VNC server, unix socket only, per-VM password
// suspend = `virsh managedsave` (memory to disk, QEMU exits), resume = `virsh start` (restores it).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError, catalogLookup, packagesForSpec, type RuntimeDriver, type RuntimeSandbox, type RuntimeStatus } from '@genos/core';
import { DisplayBridges } from '../display/display-bridge';
import { guacdAddress, guacdGroupOf, prepareDisplayFolder, removeDisplayFolder } from '../display/guacd-access';
import { pinSocket, RefusedSocketError } from '../display/pinned-sockets';
import { ensurePassablePath } from '@genos/db/state-dir';
import { waitForDisplay } from '../display/wait-for-vnc';
import { domainName, domainXml, environmentIdOfDomain, DOMAIN_PREFIX, METADATA_NS, networkXml, parseMetadata, vmNetworkName } from './domain-xml';
import { vmAccel, type VmAccel } from './accel';
import { ensureVmImage } from './vm-image';
import { exec, isMissingDomain, virsh, virshIgnoringMissing } from './virsh';

export interface LibvirtDriverOptions {
  /** Host folder: displays/<id> (VNC socket) and vms/<id> (overlay, console log). */
  stateDir: string;
  bridges?: DisplayBridges;
  /** Stored in each domain's <metadata>; `list` returns only domains carrying all of them (genos.instance, genos.host). */
  labels?: Record<string, string>;
  /** Host size for the "bigger than the host" check; defaults to this machine. */
  hostCpus?: number;
  hostMemoryMiB?: number;
  /** Default: vmAccel() (KVM, or TCG where this KVM cannot boot stock kernels). */
  accel?: VmAccel;
  /** The user guacd runs as (default genos-guacd): guacd then opens QEMU's VNC socket itself; null or unknown: a loopback bridge. */
  guacdUser?: string | null;
}

/** The user QEMU runs as under libvirt (Debian: libvirt-qemu), owner of the display folder. */
async function qemuUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await exec('id', ['-u', 'libvirt-qemu']).catch(() => ({ stdout: '' }));
  const uid = parseInt(stdout, 10);
  if (Number.isNaN(uid)) return { uid: 0, gid: 0 };
  const gid = parseInt((await exec('id', ['-g', 'libvirt-qemu'])).stdout, 10);
  return { uid, gid };
}

/** Last `genos-alive boot=… up=…` line of a VM's console: which boot is running, and for how long. */
export async function lastHeartbeat(consoleLog: string): Promise<{ boot: string; up: number } | undefined> {
  const text = await fs.readFile(consoleLog, 'latin1').catch(() => '');
  const tail = text.slice(-4096);
  const all = [...tail.matchAll(/genos-alive boot=([\w-]+) up=([\d.]+)/g)];
  const last = all[all.length - 1];
  return last ? { boot: last[1]!, up: Number(last[2]) } : undefined;
}

export function createLibvirtDriver(
  opts: LibvirtDriverOptions,
): RuntimeDriver & { accel: VmAccel; bridges: DisplayBridges; socketDirFor(id: string): string; vmDirFor(id: string): string; consoleLogFor(id: string): string } {
  const bridges = opts.bridges ?? new DisplayBridges();
  const guacdGid = guacdGroupOf(opts.guacdUser);
  const labels = opts.labels ?? {};
  const socketDirFor = (environmentId: string) => path.join(opts.stateDir, 'displays', environmentId);
  const vmDirFor = (environmentId: string) => path.join(opts.stateDir, 'vms', environmentId);
  const consoleLogFor = (environmentId: string) => path.join(vmDirFor(environmentId), 'console.log');
  const accel = opts.accel ?? vmAccel();
  const hostCpus = opts.hostCpus ?? os.cpus().length;
  const hostMemoryMiB = opts.hostMemoryMiB ?? Math.floor(os.totalmem() / 2 ** 20) - 1024;
  // Subnet choice and network creation, one at a time in this process.
  let netLock: Promise<unknown> = Promise.resolve();

  const domainState = async (ref: string): Promise<RuntimeStatus> => {
    let out: string;
    try {
      out = (await virsh(['domstate', '--reason', ref])).trim();
    } catch (e) {
      if (isMissingDomain(e)) return { exists: false, state: 'missing' };
      throw e;
    }
    // "running (booted)", "paused (user)", "shut off (saved)", "shut off (unknown)", "shut off (destroyed)"
    const [, state = '', reason = ''] = /^([a-z ]+?)(?: \((.*)\))?$/.exec(out) ?? [];
    if (state === 'running' || state === 'idle' || state === 'in shutdown') return { exists: true, state: 'running', detail: out };
    if (state === 'paused' || state === 'pmsuspended') return { exists: true, state: 'paused', detail: out };
    if (state === 'shut off' && reason === 'saved') return { exists: true, state: 'paused', detail: 'managed save' };
    if (state === 'shut off' && reason === 'unknown') {
      // Never started, or cleanly stopped: a console log tells which.
      const ran = await fs.stat(consoleLogFor(environmentIdOfDomain(ref))).then((s) => s.size > 0, () => false);
      return { exists: true, state: ran ? 'exited' : 'created', detail: out };
    }
    return { exists: true, state: 'exited', detail: out };
  };

  const createNetwork = async (environmentId: string): Promise<{ name: string; address: string; gateway: string }> => {
    const run = netLock.then(async () => {
      const name = vmNetworkName(environmentId);
      const taken = new Set<number>();
      // Subnets of every libvirt network (ours and anyone's) and every host route are off limits.
      const nets = (await virsh(['net-list', '--all', '--name'])).split('\n').map((s) => s.trim()).filter(Boolean);
      for (const n of nets) {
        const xml = await virsh(['net-dumpxml', n]).catch(() => '');
        for (const m of xml.matchAll(/address=["']10\.213\.(\d+)\./g)) taken.add(Number(m[1]));
      }
      const routes = (await exec('ip', ['-4', 'route', 'show']).catch(() => ({ stdout: '' }))).stdout;
      for (const m of routes.matchAll(/10\.213\.(\d+)\./g)) taken.add(Number(m[1]));
      if (/\b10\.213\.0\.0\/16\b|\b10\.0\.0\.0\/8\b/.test(routes)) throw new AppError('UNAVAILABLE', '10.213.0.0/16 is in use on this host: no subnet for a VM network');
      let subnet = -1;
      for (let i = 1; i < 255; i++) if (!taken.has(i)) { subnet = i; break; }
      if (subnet < 0) throw new AppError('UNAVAILABLE', 'no free 10.213.x.0/24 subnet for another VM network');
      if (nets.includes(name)) await removeNetwork(environmentId);
      await withXmlFile(networkXml({ name, subnet }), (file) => virsh(['net-define', file]));
      await virsh(['net-start', name]);
      return { name, address: `10.213.${subnet}.2/24`, gateway: `10.213.${subnet}.1` };
    });
    netLock = run.catch(() => undefined);
    return run;
  };

  const removeNetwork = async (environmentId: string) => {
    const name = vmNetworkName(environmentId);
    await virshIgnoringMissing(['net-destroy', name]);
    await virshIgnoringMissing(['net-undefine', name]);
  };

  const withXmlFile = async <T>(xml: string, fn: (file: string) => Promise<T>): Promise<T> => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'genos-virsh-'));
    const file = path.join(dir, 'def.xml');
    try {
      await fs.writeFile(file, xml, { mode: 0o600 });
      return await fn(file);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  };

  return {
    kind: 'libvirt',
    accel,
    bridges,
    socketDirFor,
    vmDirFor,
    consoleLogFor,

    async create({ environmentId, spec, onProgress, apps }) {
      const lookup = catalogLookup(apps ?? []);
      // Refuse what this host can never run before building anything.
      if (spec.resources.cpu > hostCpus || spec.resources.memoryMiB > hostMemoryMiB) {
        throw new AppError(
          'TOO_LARGE',
          `this VM needs ${spec.resources.cpu} vCPU and ${spec.resources.memoryMiB} MiB; the host has ${hostCpus} CPUs and ${hostMemoryMiB} MiB for VMs`,
        );
      }
      if (spec.network.mode !== 'none' && spec.network.mode !== 'egress') {
        throw new AppError('UNSUPPORTED', `network mode "${spec.network.mode}" is not available for VMs (none or egress)`);
      }
      if (spec.display.protocol !== 'vnc') {
        // The VM image has no xrdp yet, and QEMU's own display is VNC: say so rather than stream something else.
        throw new AppError('UNSUPPORTED', `${spec.display.protocol.toUpperCase()} is not available for VMs yet (VNC only); container desktops offer RDP`);
      }
      await virsh(['version']); // libvirtd down → a clear error before any work
      const image = await ensureVmImage({ packages: packagesForSpec(spec, lookup), onProgress });

      // QEMU (libvirt-qemu) must reach its disk and socket: passable folders, never listable.
      await ensurePassablePath(opts.stateDir, 'vms');
      const vmDir = vmDirFor(environmentId);
      await fs.rm(vmDir, { recursive: true, force: true });
      await fs.mkdir(vmDir, { mode: 0o711 });
      await fs.chmod(vmDir, 0o711);
      // The display folder belongs to QEMU's user alone; guacd opens the socket pinned beside it (pinned-sockets.ts).
      const socketDir = await prepareDisplayFolder({ stateDir: opts.stateDir, environmentId, owner: await qemuUser(), guacdGid });

      const disk = path.join(vmDir, 'disk.qcow2');
      const sizeBytes = Math.max(spec.resources.diskGiB * 2 ** 30, image.sizeBytes);
      await exec('qemu-img', ['create', '-q', '-f', 'qcow2', '-b', image.disk, '-F', 'qcow2', disk, String(sizeBytes)]);

      const network = spec.network.mode === 'egress' ? await createNetwork(environmentId) : undefined;
      // VNC passwords are at most 8 characters: 48 random bits, on top of the socket only QEMU, guacd and root may open, and the token.
      const vncPassword = randomBytes(6).toString('base64url');
      const xml = domainXml({
        apps: lookup,
        environmentId,
        spec,
        disk,
        kernel: image.kernel,
        initrd: image.initrd,
        vncSocket: path.join(socketDir, 'vnc.sock'),
        vncPassword,
        consoleLog: consoleLogFor(environmentId),
        labels,
        network,
        accel,
      });
      try {
        await withXmlFile(xml, (file) => virsh(['define', file]));
      } catch (e) {
        await this.terminate({ environmentId, runtimeRef: null });
        throw e;
      }
      return { runtimeRef: domainName(environmentId) };
    },

    async start(runtimeRef) {
      const s = await domainState(runtimeRef);
      if (s.state === 'running') return; // a redelivered job
      if (s.state === 'paused' && s.detail !== 'managed save') return void (await virsh(['resume', runtimeRef]));
      await virsh(['start', runtimeRef]);
    },

    async suspend(runtimeRef) {
      const s = await domainState(runtimeRef);
      if (s.state === 'paused') return;
      // Memory snapshot to disk; QEMU exits and frees the guest's RAM.
      await virsh(['managedsave', runtimeRef], { timeoutMs: 300_000 });
    },

    async resume(runtimeRef) {
      const s = await domainState(runtimeRef);
      if (s.state === 'running') return;
      if (s.state === 'paused' && s.detail !== 'managed save') await virsh(['resume', runtimeRef]);
      else await virsh(['start', runtimeRef]); // restores the managed save
    },

    async terminate({ environmentId, runtimeRef }) {
      await bridges.close(environmentId);
      const ref = runtimeRef ?? domainName(environmentId);
      await virshIgnoringMissing(['destroy', ref]);
      await virshIgnoringMissing(['undefine', '--managed-save', ref]);
      await removeNetwork(environmentId);
      await fs.rm(vmDirFor(environmentId), { recursive: true, force: true });
      // QEMU's folder: removed without following anything a compromised QEMU could have planted there.
      await removeDisplayFolder(opts.stateDir, environmentId);
    },

    inspect: domainState,

    async list(): Promise<RuntimeSandbox[]> {
      const names = (await virsh(['list', '--all', '--name'])).split('\n').map((s) => s.trim()).filter((n) => n.startsWith(DOMAIN_PREFIX));
      const out: RuntimeSandbox[] = [];
      for (const name of names) {
        const meta = parseMetadata(await virsh(['metadata', name, METADATA_NS]).catch(() => ''));
        if (!meta || !Object.entries(labels).every(([k, v]) => meta.labels[k] === v)) continue;
        const status = await domainState(name);
        if (status.exists) out.push({ environmentId: meta.environmentId, runtimeRef: name, state: status.state });
      }
      return out;
    },

    async displayEndpoint(runtimeRef, o) {
      const environmentId = environmentIdOfDomain(runtimeRef);
      const socketDir = socketDirFor(environmentId);
      const timeoutMs = o?.timeoutMs ?? 60_000;
      const deadline = Date.now() + timeoutMs;
      let socketPath: string;
      try {
        // QEMU's socket is pinned out of its folder before anything opens it (pinned-sockets.ts).
        socketPath = await waitForDisplay(() => pinSocket({ socketDir, name: 'vnc.sock', guacdGid }), timeoutMs);
        // The socket answers as soon as QEMU runs; the desktop is drawn when the init says so.
        while (!/genos-desktop-ready/.test(await fs.readFile(consoleLogFor(environmentId), 'latin1').catch(() => ''))) {
          if (Date.now() > deadline) throw new Error(`the VM's desktop did not come up within ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
      } catch (e) {
        if (e instanceof RefusedSocketError) throw new AppError('UNAVAILABLE', `the VM's display cannot be shown: ${e.message}`);
        const status = await domainState(runtimeRef);
        const log = (await fs.readFile(consoleLogFor(environmentId), 'latin1').catch(() => '')).replace(/\s+/g, ' ').trim().slice(-400);
        throw new AppError('UNAVAILABLE', `${(e as Error).message}; VM ${status.state}${log ? `: ${log}` : ''}`);
      }
      const where = await guacdAddress({ socketPath, guacdGid, bridges, bridgeKey: environmentId });
      const xml = await virsh(['dumpxml', '--security-info', runtimeRef]);
      const password = /<graphics[^>]*\bpasswd=['"]([^'"]+)['"]/.exec(xml)?.[1];
      return { protocol: 'vnc', ...where, ...(password ? { password } : {}) };
    },
  };
}
