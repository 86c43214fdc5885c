import { describe, expect, it } from 'vitest';
import { gocryptfsMountpoints, parseMounts, servesMountpoint } from './proc-mounts';

const MOUNTS = [
  'overlay / overlay rw,relatime 0 0',
  '/var/lib/genos/x/homes/u1 /var/lib/genos/x/home-mounts/e1 fuse.gocryptfs rw,nosuid,nodev,allow_other 0 0',
  '/srv/a\\040b /var/lib/genos/x/home-mounts/with\\040space fuse.gocryptfs rw 0 0',
  '/other /var/lib/genos/x-other/home-mounts/e2 fuse.gocryptfs rw 0 0',
  '/dev/fuse /var/lib/genos/x/home-mounts/e3 fuse.sshfs rw 0 0',
  '',
].join('\n');

describe('proc mounts', () => {
  it('reads mount lines and unescapes octal escapes', () => {
    const m = parseMounts(MOUNTS);
    expect(m).toHaveLength(5);
    expect(m[2]).toEqual({ source: '/srv/a b', target: '/var/lib/genos/x/home-mounts/with space', fstype: 'fuse.gocryptfs' });
  });

  it('finds gocryptfs mounts under one folder only (not a sibling sharing its prefix, not other FUSE file systems)', () => {
    expect(gocryptfsMountpoints(parseMounts(MOUNTS), '/var/lib/genos/x/home-mounts')).toEqual([
      '/var/lib/genos/x/home-mounts/e1',
      '/var/lib/genos/x/home-mounts/with space',
    ]);
    expect(gocryptfsMountpoints(parseMounts(MOUNTS), '/var/lib/genos/x/home-mounts/e1')).toEqual(['/var/lib/genos/x/home-mounts/e1']);
  });

  it('recognises the gocryptfs daemon serving a mountpoint', () => {
    const daemon = ['/usr/bin/gocryptfs', '-fg', '-notifypid=12', '-q', '-allow_other', '-sharedstorage', '--', '/h/u1', '/m/e1', ''];
    expect(servesMountpoint(daemon, '/m/e1')).toBe(true);
    expect(servesMountpoint(daemon, '/m/e2')).toBe(false);
    expect(servesMountpoint(['/usr/bin/gocryptfs', '-init', '-q', '--', '/m/e1'], '/m/e1')).toBe(false);
    expect(servesMountpoint(['/bin/cat', '/h/u1', '/m/e1'], '/m/e1')).toBe(false);
  });
});
