import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// The escape suite from a compromised guacd's position: a shell as guacd's user inside
// guacd's own sandbox (its namespaces, entered with nsenter), as a hostile VNC or RDP
// server that took guacd over would have. From there the database, the web app, the
// Docker API, other processes and the host's private files must be out of reach.
const PORT = Number(process.env.GUACD_PORT ?? 4822);
const jailPid = Number(readFileSync(`/run/genos-guacd-${PORT}/jail.pid`, 'utf8').trim());

/** The guacd daemon inside the jail: a descendant of the jail's bwrap named guacd. */
function guacdPid(): number {
  const children = (pid: number): number[] => {
    const out = execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).trim();
    return out ? out.split('\n').map(Number) : [];
  };
  const queue = [jailPid];
  while (queue.length) {
    const pid = queue.shift()!;
    if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'guacd') return pid;
    try {
      queue.push(...children(pid));
    } catch {
      // no children
    }
  }
  throw new Error(`no guacd under the jail (pid ${jailPid})`);
}

/** Runs a bash script as guacd's user inside guacd's namespaces (mount, network, PID, IPC, UTS). */
function inJail(script: string): string {
  const pid = guacdPid();
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const uid = /^Uid:\s+(\d+)/m.exec(status)![1]!;
  const gid = /^Gid:\s+(\d+)/m.exec(status)![1]!;
  // Entered as guacd runs: its user, no capabilities, no new privileges.
  const drop = ['setpriv', '--reuid', uid, '--regid', gid, '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs'];
  return execFileSync('nsenter', ['-t', String(pid), '-m', '-n', '-p', '-i', '-u', '--', ...drop, 'bash', '-c', script], { encoding: 'utf8', timeout: 20_000 }).trim();
}

/** "open" or "closed" for a TCP connection tried from inside the jail (bash's /dev/tcp: no client tools needed). */
const tcpFromJail = (host: string, port: number) => inJail(`timeout 3 bash -c 'exec 3<>/dev/tcp/${host}/${port}' 2>/dev/null && echo open || echo closed`);

describe('a shell as guacd inside its sandbox', () => {
  it('guacd runs as its own unprivileged user, with no capabilities and no way to gain any', () => {
    const status = readFileSync(`/proc/${guacdPid()}/status`, 'utf8');
    expect(inJail('id -un')).toBe('genos-guacd');
    for (const cap of ['CapEff', 'CapPrm', 'CapBnd', 'CapInh']) expect(new RegExp(`^${cap}:\\s+(\\w+)`, 'm').exec(status)?.[1], cap).toBe('0000000000000000');
    expect(/^NoNewPrivs:\s+(\d)/m.exec(status)?.[1]).toBe('1');
  });

  it('reaches guacd itself, and no other port: not the database, not the web app', () => {
    expect(tcpFromJail('127.0.0.1', 4822)).toBe('open');
    for (const port of [54329, 3000, 3100, 2375, 5432]) expect(tcpFromJail('127.0.0.1', port), `port ${port}`).toBe('closed');
  });

  it('has no network but its loopback: no route to the host or anywhere else', () => {
    expect(inJail("tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '")).toBe('lo');
    expect(inJail('cat /proc/net/route | tail -n +2 | wc -l')).toBe('0');
    // The host's own addresses on its Docker bridge (this machine): unreachable without a route.
    const bridgeIp = execFileSync('ip', ['-4', '-o', 'addr', 'show', 'docker0'], { encoding: 'utf8' }).match(/inet (\d+\.\d+\.\d+\.\d+)/)?.[1];
    if (bridgeIp) expect(tcpFromJail(bridgeIp, 54329)).toBe('closed');
  });

  it('cannot see the Docker socket, other processes, home folders, volumes or the database files', () => {
    expect(inJail('ls -d /var/run/docker.sock /run/docker.sock /var/lib/docker /root /home 2>/dev/null | wc -l')).toBe('0');
    // Only the jail's own processes: its init, guacd (and its connections), the socket relay, this shell.
    const pids = inJail("ls /proc | grep -E '^[0-9]+$' | wc -l");
    expect(Number(pids)).toBeLessThan(20);
    expect(inJail("cat /proc/[0-9]*/comm 2>/dev/null | sort -u | tr '\\n' ' '")).not.toMatch(/dockerd|postgres|node|libvirtd|containerd/);
    expect(inJail('ls -A /var/lib/genos/postgres 2>/dev/null | wc -l')).toBe('0');
    // The repository and its secrets are not in its world at all.
    const repoSecrets = `${process.cwd()}/.data/genos.env`;
    expect(inJail(`test -e '${repoSecrets}' && echo present || echo absent`)).toBe('absent');
  });

  it('cannot write outside its own folders', () => {
    expect(inJail('touch /usr/x 2>/dev/null && echo wrote || echo refused')).toBe('refused');
    expect(inJail('touch /etc/x 2>/dev/null && echo wrote || echo refused')).toBe('refused');
    expect(inJail('touch /var/lib/genos/x 2>/dev/null && echo wrote || echo refused')).toBe('refused');
    // Its FreeRDP home is its own.
    expect(inJail('touch /var/lib/genos/guacd-home/.probe && rm /var/lib/genos/guacd-home/.probe && echo wrote')).toBe('wrote');
  });

  it('outside, the host sees guacd under its own user in its own namespaces', () => {
    const pid = guacdPid();
    for (const ns of ['net', 'pid', 'mnt']) {
      expect(execFileSync('readlink', [`/proc/${pid}/ns/${ns}`], { encoding: 'utf8' })).not.toBe(execFileSync('readlink', [`/proc/self/ns/${ns}`], { encoding: 'utf8' }));
    }
    expect(readdirSync(`/run/genos-guacd-${PORT}`)).toContain('guacd.sock');
  });
});
