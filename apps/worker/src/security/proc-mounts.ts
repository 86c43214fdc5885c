// Pure readers of /proc: which gocryptfs mounts exist, and which gocryptfs
// process serves which mountpoint (for the clean-up of a desktop's home).
import path from 'node:path';

export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
}

/** /proc/<pid>/mounts escapes space, tab, newline and backslash as octal (\040). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

export function parseMounts(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const [source, target, fstype] = line.split(' ');
    if (source && target && fstype) out.push({ source: unescape(source), target: unescape(target), fstype });
  }
  return out;
}

const within = (p: string, root: string) => {
  const r = path.resolve(root);
  return p === r || p.startsWith(`${r}/`);
};

/** gocryptfs mountpoints at or under `root`. */
export function gocryptfsMountpoints(mounts: MountEntry[], root: string): string[] {
  return mounts.filter((m) => m.fstype === 'fuse.gocryptfs' && within(m.target, root)).map((m) => m.target);
}

/** Whether a process' argv (/proc/<pid>/cmdline split on NUL) is gocryptfs serving `mountpoint` (its last argument). */
export function servesMountpoint(argv: string[], mountpoint: string): boolean {
  const args = argv.at(-1) === '' ? argv.slice(0, -1) : argv;
  return args.length > 2 && path.basename(args[0]!) === 'gocryptfs' && !args.includes('-init') && args.at(-1) === mountpoint;
}
