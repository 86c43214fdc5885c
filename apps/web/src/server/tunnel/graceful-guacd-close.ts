import { createRequire } from 'node:module';
import type { Socket } from 'node:net';

const require = createRequire(import.meta.url);

/** The parts of guacamole-lite's GuacdClient this touches (CommonJS, untyped). */
interface GuacdClientLike {
  state: number;
  STATE_OPEN: number;
  guacdConnection: Socket;
}

/** A stand-in the library's own close() may end and destroy: the real socket lives on until guacd hangs up. */
const detached = { closed: true, destroyed: true, removeAllListeners: () => detached } as unknown as Socket;

/**
 * guacd 1.3's connection processes inherit every other connection's sockets
 * (GUACAMOLE-1625, fixed upstream only in 2026). When a tunnel just drops its
 * guacd socket (a closed tab, a lost network), that connection's process
 * never sees the end, blocks writing its next frame and stops reading the
 * desktop's VNC server, which, single-threaded, then stalls for every other
 * viewer of the desktop: a reopened tab got 1 frame/s. So a tunnel closing
 * on guacd tells it `disconnect` first and keeps reading (and discarding)
 * what guacd still sends until guacd hangs up, at most `graceMs`.
 */
export function closeGuacdGracefully(graceMs = 3000): void {
  const GuacdClient = require('guacamole-lite/lib/GuacdClient.js') as { prototype: GuacdClientLike & { close(error?: Error): void; __genosGraceful?: true } };
  const proto = GuacdClient.prototype;
  if (proto.__genosGraceful) return;
  const close = proto.close;
  proto.close = function (this: GuacdClientLike, error?: Error) {
    const sock = this.guacdConnection;
    // Only a live, open connection that guacd did not end itself needs the goodbye.
    if (this.state === this.STATE_OPEN && !error && sock && !sock.destroyed && sock.writable) {
      this.guacdConnection = detached;
      for (const event of ['data', 'close', 'error', 'end']) sock.removeAllListeners(event);
      sock.on('data', () => undefined).on('error', () => sock.destroy());
      const timer = setTimeout(() => sock.destroy(), graceMs);
      sock.once('close', () => clearTimeout(timer));
      sock.write('10.disconnect;');
    }
    close.call(this, error);
  };
  proto.__genosGraceful = true;
}
