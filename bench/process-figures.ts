import fs from 'node:fs';

/**
 * Resident memory (MiB) of the processes whose command line matches, read
 * from /proc, among one process group (the bench's own stack): the compiled
 * web server and worker are single node processes, so this is what each costs
 * the host at rest.
 */
export function residentMiB(commandLine: RegExp, processGroup: number): number {
  let kib = 0;
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      // Field 5 of stat is the process group (after the parenthesised command name).
      const group = Number(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[2]);
      if (group !== processGroup || !commandLine.test(cmd)) continue;
      kib += Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      /* the process ended meanwhile */
    }
  }
  return Math.round(kib / 102.4) / 10;
}

/** Milliseconds from `since` until `url` answers 200 (polled every 50 ms), or throws after `timeoutMs`. */
export async function msUntilOk(url: string, since: number, timeoutMs = 300_000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    if (await fetch(url).then((r) => r.ok, () => false)) return Math.round(performance.now() - since);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}
