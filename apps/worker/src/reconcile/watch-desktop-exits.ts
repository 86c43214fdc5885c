import type Dockerode from 'dockerode';
import type { Logger } from '../logger';

/**
 * Follows Docker's event stream for this host's containers and calls `onExit`
 * (debounced) when one dies, is killed for memory, or is removed: the
 * reconciler then fails its environment and removes what was made for it
 * within a second instead of at the next periodic run. The stream is
 * re-opened if Docker restarts; the periodic run stays the safety net.
 */
export function watchDesktopExits(opts: { docker: Dockerode; labels: Record<string, string>; onExit: () => void; log: Logger }): { stop(): void } {
  let stopped = false;
  let stream: NodeJS.ReadableStream | null = null;
  let timer: NodeJS.Timeout | null = null;
  const soon = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      opts.onExit();
    }, 300);
  };
  const open = async () => {
    if (stopped) return;
    try {
      const label = Object.entries(opts.labels).map(([k, v]) => `${k}=${v}`);
      stream = (await opts.docker.getEvents({ filters: { type: ['container'], event: ['die', 'oom', 'destroy'], label } })) as NodeJS.ReadableStream;
      stream.on('data', soon);
      stream.on('error', () => undefined);
      stream.on('close', () => {
        if (!stopped) setTimeout(() => void open(), 2000);
      });
    } catch (err) {
      opts.log.warn({ err }, 'cannot follow Docker events; relying on periodic reconcile');
      if (!stopped) setTimeout(() => void open(), 5000);
    }
  };
  void open();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      (stream as unknown as { destroy?: () => void } | null)?.destroy?.();
    },
  };
}
