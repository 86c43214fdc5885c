import { connectGuacd, describeGuacdHop, type GuacdHop } from './guacd-hop.ts';

/**
 * Whether guacd itself answers, not just something on its port: the socat
 * relay in front of the sandboxed guacd (scripts/start-guacd.sh) accepts TCP
 * even while guacd behind it is gone. Opens the hop as the tunnel does (TLS
 * with the name checked when guacd is elsewhere), asks for the VNC plugin's
 * arguments, waits for guacd's `args` reply, then says goodbye before
 * connecting anything. Resolves with that reply (its first argument names the
 * protocol version since 1.1). Used by readiness in both apps and the Hosts
 * page's version.
 */
export function guacdHandshake(hop: GuacdHop, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const where = describeGuacdHop(hop);
    const { socket, readyEvent } = connectGuacd(hop);
    let text = '';
    const done = (e?: Error) => {
      socket.destroy();
      if (e) reject(e);
      else resolve(text);
    };
    socket.setTimeout(timeoutMs, () => done(new Error(`guacd at ${where} did not answer the handshake`)));
    socket.on('error', (e) => done(e));
    socket.on('close', () => done(new Error(`guacd at ${where} closed the connection without answering`)));
    socket.on(readyEvent, () => socket.write('6.select,3.vnc;'));
    socket.on('data', (d: Buffer) => {
      text += d.toString('utf8');
      if (!text.includes(';')) return;
      if (!text.startsWith('4.args,')) return done(new Error(`guacd at ${where} answered something other than args`));
      socket.write('10.disconnect;');
      done();
    });
  });
}
