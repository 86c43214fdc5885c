'use client';
import { useEffect, useRef, useState } from 'react';

export type DisplayStatus = 'connecting' | 'connected' | 'disconnected' | 'error';

const CLIENT_STATES: Record<number, DisplayStatus> = { 0: 'connecting', 1: 'connecting', 2: 'connecting', 3: 'connected', 4: 'disconnected', 5: 'disconnected' };

/**
 * The live desktop: guacamole-common-js over a websocket to our own origin.
 * Mouse and keyboard go to the remote only while the display has focus, so
 * typing in the rest of the page stays local. Tunnel tokens are single-use,
 * so every connection asks `getToken` for a fresh one.
 */
export function RemoteDisplay(props: { tunnelUrl: string; getToken: () => Promise<string>; onStatus?: (s: DisplayStatus, message?: string) => void }) {
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<DisplayStatus>('connecting');
  const [message, setMessage] = useState<string | null>(null);
  const onStatus = useRef(props.onStatus);
  onStatus.current = props.onStatus;
  const getToken = useRef(props.getToken);
  getToken.current = props.getToken;

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    const report = (s: DisplayStatus, m?: string) => {
      if (disposed) return;
      setStatus(s);
      setMessage(m ?? null);
      onStatus.current?.(s, m);
    };
    void (async () => {
      const [{ default: Guacamole }, token] = await Promise.all([import('guacamole-common-js'), getToken.current()]).catch((e: unknown) => {
        report('error', e instanceof Error ? e.message : 'could not open the display');
        return [{ default: null }, ''] as const;
      });
      if (disposed || !host.current || !Guacamole) return;
      const tunnel = new Guacamole.WebSocketTunnel(props.tunnelUrl);
      const client = new Guacamole.Client(tunnel);
      const displayEl: HTMLElement = client.getDisplay().getElement();
      host.current.replaceChildren(displayEl);
      client.onstatechange = (s: number) => report(CLIENT_STATES[s] ?? 'connecting');
      client.onerror = (err: { message?: string }) => report('error', err?.message ?? 'connection failed');
      tunnel.onerror = (err: { message?: string }) => report('error', err?.message ?? 'tunnel failed');

      const mouse = new Guacamole.Mouse(displayEl);
      const sendMouse = (state: unknown) => client.sendMouseState(state);
      mouse.onmousedown = mouse.onmouseup = mouse.onmousemove = sendMouse;

      const keyboard = new Guacamole.Keyboard(host.current);
      keyboard.onkeydown = (keysym: number) => {
        client.sendKeyEvent(1, keysym);
        return false;
      };
      keyboard.onkeyup = (keysym: number) => client.sendKeyEvent(0, keysym);

      client.connect(`token=${encodeURIComponent(token)}`);
      cleanup = () => {
        keyboard.onkeydown = keyboard.onkeyup = null;
        keyboard.reset();
        client.disconnect();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [props.tunnelUrl]);

  return (
    <div style={{ position: 'relative' }}>
      <div
        ref={host}
        data-testid="remote-display"
        data-status={status}
        tabIndex={0}
        onClick={() => host.current?.focus()}
        // isolation: Guacamole's layers use negative z-indexes and must not fall behind our background.
        style={{ outline: 'none', display: 'inline-block', background: '#000', cursor: 'default', isolation: 'isolate' }}
      />
      <div className="muted" data-testid="display-status" style={{ marginTop: 4, fontSize: '0.85rem' }}>
        {status === 'connected' ? 'Connected — click the desktop to type into it.' : status}
        {message ? `: ${message}` : ''}
      </div>
    </div>
  );
}
