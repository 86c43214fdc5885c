// libvirt through its own CLI. `virsh` ships with libvirt-clients (installed
// with libvirt-daemon-system), speaks the same RPC as any binding, and needs
// no native Node module: domain XML in, XML or tables out.
import { execFile } from 'node:child_process';
import { AppError } from '@genos/core';

/** The system libvirtd; GENOS_LIBVIRT_URI overrides (tests point it at a dead socket). */
export const libvirtUri = () => process.env.GENOS_LIBVIRT_URI ?? 'qemu:///system';

export interface ExecResult {
  stdout: string;
  stderr: string;
}

/** Runs a command; rejects with its stderr (trimmed) on a non-zero exit. */
export function exec(cmd: string, args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 120_000, maxBuffer: 16 * 2 ** 20, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const e = new Error(`${cmd}: ${(stderr || err.message).trim()}`) as Error & { stderr?: string };
        e.stderr = stderr;
        reject(e);
      } else resolve({ stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

const DOWN = /Failed to connect socket|failed to connect to the hypervisor|libvirt-sock': No such file|Connection refused/i;
const MISSING_DOMAIN = /failed to get domain|Domain not found|no domain with matching name/i;
const MISSING_NETWORK = /failed to get network|Network not found|no network with matching name/i;

/** virsh against qemu:///system; "libvirtd is down" becomes a clear AppError. */
export async function virsh(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  try {
    return (await exec('virsh', ['--quiet', '-c', libvirtUri(), ...args], opts)).stdout;
  } catch (e) {
    const msg = (e as Error).message;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT' || /spawn virsh ENOENT/.test(msg)) {
      throw new AppError('UNAVAILABLE', 'libvirt is not installed (virsh missing): run scripts/setup-host.sh');
    }
    if (DOWN.test(msg)) throw new AppError('UNAVAILABLE', 'libvirt is not running (start virtlogd and libvirtd: scripts/setup-host.sh)');
    throw e;
  }
}

export const isMissingDomain = (e: unknown) => MISSING_DOMAIN.test((e as Error)?.message ?? '');
export const isMissingNetwork = (e: unknown) => MISSING_NETWORK.test((e as Error)?.message ?? '');

/** Runs a virsh call where "no such domain/network" is success (idempotent teardown). */
export async function virshIgnoringMissing(args: string[]): Promise<void> {
  try {
    await virsh(args);
  } catch (e) {
    if (!isMissingDomain(e) && !isMissingNetwork(e) && !/domain is not running|network is not active/i.test((e as Error).message)) throw e;
  }
}

/** Escapes text for XML element content and attribute values. */
export const xmlEscape = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
