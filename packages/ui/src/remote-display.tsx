'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { ClipboardPanel, type ClipboardPolicy } from './display/clipboard-panel';
import { DisplayOverlay, type KeyboardLayout, type ScreenFit } from './display/display-overlay';
import { KEYSYM } from './display/keysyms';
import { OnScreenKeyboard } from './display/on-screen-keyboard';
import {
  attachPointer,
  fitScale,
  isFinalTokenError,
  measureTunnel,
  receiveClipboard,
  reconnectDelay,
  sendClipboard,
  type PointerMode,
  type TunnelStats,
} from './display/session';
import { installImageStreamReader } from './display/image-stream-reader';

export type DisplayStatus = 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'error';

const CLIENT_STATES: Record<number, DisplayStatus> = { 0: 'connecting', 1: 'connecting', 2: 'connecting', 3: 'connected', 4: 'disconnected', 5: 'disconnected' };

/** What getToken may return: the token alone, or with the team's clipboard policy. */
export type DisplayToken = string | { token: string; policy?: ClipboardPolicy };

/** Attempts after which the display stops retrying by itself (about two minutes). */
const MAX_ATTEMPTS = 30;
/** Where the Fit window / Scale choice is kept (per browser). */
const FIT_KEY = 'genos.display.fit';

/**
 * The live desktop: guacamole-common-js over a websocket to our own origin.
 * Mouse and keyboard go to the remote only while the display has focus, so
 * typing in the rest of the page stays local. Tunnel tokens are single-use,
 * so every connection — and every reconnect after a network drop or a guacd
 * restart — asks `getToken` for a fresh one.
 *
 * Screen size: a `resizable` desktop (containers over VNC) follows the
 * window, the phone's orientation and fullscreen: the browser sends
 * Guacamole `size` and the tunnel has the desktop's screen resized (guacd
 * 1.3 cannot pass it on itself), within 640×480 and the desktop's maximum;
 * whatever is left is scaled. Other desktops, or the "Scale" choice, keep
 * their size and are scaled to fit.
 */
export function RemoteDisplay(props: {
  tunnelUrl: string;
  getToken: (opts?: { serverLayout?: KeyboardLayout }) => Promise<DisplayToken>;
  onStatus?: (s: DisplayStatus, message?: string) => void;
  /** The desktop's protocol (VNC ignores the keyboard layout choice). */
  protocol?: 'vnc' | 'rdp';
  onSuspend?: () => void;
  onTerminate?: () => void;
  /** The screen can follow the window (container desktops over VNC). */
  resizable?: boolean;
  /** The desktop's own size, which "Scale" goes back to. */
  size?: { width: number; height: number };
  /** The page's main content: the screen takes the window below the display's top, not the whole window's height. */
  fill?: boolean;
}) {
  const root = useRef<HTMLDivElement>(null);
  const host = useRef<HTMLDivElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<DisplayStatus>('connecting');
  const [message, setMessage] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [stats, setStats] = useState<TunnelStats | null>(null);
  const [policy, setPolicy] = useState<ClipboardPolicy>({ allowCopy: true, allowPaste: true });
  const [remoteClip, setRemoteClip] = useState('');
  const [clipboardOpen, setClipboardOpen] = useState(false);
  const [keyboardOpen, setKeyboardOpen] = useState(false);
  const [pointerMode, setPointerMode] = useState<PointerMode>('mouse');
  const [layout, setLayout] = useState<KeyboardLayout>('en-us-qwerty');
  const [fullscreen, setFullscreen] = useState(false);
  const [fit, setFit] = useState<ScreenFit>(() => (typeof localStorage !== 'undefined' && localStorage.getItem(FIT_KEY) === 'scale' ? 'scale' : 'resize'));
  const [remoteSize, setRemoteSize] = useState<string | null>(null);
  /** The last size asked of the desktop, and the pending ask (debounced: a window drag asks once). */
  const asked = useRef<string | null>(null);
  const askTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const fitRef = useRef(fit);
  fitRef.current = fit;
  const resizable = useRef(props.resizable);
  resizable.current = props.resizable;
  const fill = useRef(props.fill);
  fill.current = props.fill;
  const onStatus = useRef(props.onStatus);
  onStatus.current = props.onStatus;
  const getToken = useRef(props.getToken);
  getToken.current = props.getToken;
  /** The open session's actions, for the overlay and the keyboard. */
  const session = useRef<{ G: any; client: any; display: any; setPointer: (m: PointerMode) => void } | null>(null);
  const pointerRef = useRef(pointerMode);
  pointerRef.current = pointerMode;
  const policyRef = useRef(policy);
  policyRef.current = policy;

  /**
   * Scales the remote screen into the space it has: the frame's width (never
   * wider than the window) and the window's height, wherever the page is
   * scrolled; with `fill`, the window below the frame's place in the page, less
   * what is shown under the frame; in fullscreen, the whole screen below the overlay.
   */
  const rescale = useCallback(() => {
    const s = session.current;
    const box = frame.current;
    if (!s || !box) return;
    const w = s.display.getWidth();
    const h = s.display.getHeight();
    const rect = box.getBoundingClientRect();
    const left = Math.max(0, rect.left);
    const availW = Math.min(box.clientWidth, document.documentElement.clientWidth - left);
    // The status line and the on-screen keyboard under the frame, for fill.
    const below = root.current ? root.current.getBoundingClientRect().bottom - rect.bottom : 0;
    const availH = fullscreen ? window.innerHeight - rect.top : fill.current ? window.innerHeight - (rect.top + window.scrollY) - below - 16 : window.innerHeight - 16;
    s.display.scale(fitScale(w, h, availW, availH, fullscreen));
    if (resizable.current && fitRef.current === 'resize' && w > 0) askSize(Math.floor(availW), Math.floor(availH));
  }, [fullscreen]);

  /** Asks the desktop for a screen of `width`×`height` once the window has settled (300 ms). */
  const askSize = (width: number, height: number) => {
    const key = `${width}x${height}`;
    if (asked.current === key) return;
    if (askTimer.current) clearTimeout(askTimer.current);
    askTimer.current = setTimeout(() => {
      asked.current = key;
      session.current?.client.sendSize(width, height);
    }, 300);
  };
  const chooseFit = (f: ScreenFit) => {
    setFit(f);
    fitRef.current = f;
    localStorage.setItem(FIT_KEY, f);
    asked.current = null;
    // Scale: the desktop goes back to its own size; Fit window: to this window's.
    if (f === 'scale' && props.size) askSize(props.size.width, props.size.height);
    else rescaleRef.current();
  };
  const rescaleRef = useRef(rescale);
  rescaleRef.current = rescale;

  useEffect(() => {
    let disposed = false;
    let cleanup = () => {};
    let retry: ReturnType<typeof setTimeout> | undefined;
    let attempts = 0;
    const report = (s: DisplayStatus, m?: string) => {
      if (disposed) return;
      setStatus(s);
      setMessage(m ?? null);
      setAttempt(attempts);
      onStatus.current?.(s, m);
    };
    /** One connection; when it drops, schedule the next with a fresh token. */
    const open = async () => {
      let G: any;
      let token: string;
      try {
        const [mod, t] = await Promise.all([import('guacamole-common-js'), getToken.current({ serverLayout: layout })]);
        G = mod.default;
        token = typeof t === 'string' ? t : t.token;
        if (typeof t !== 'string' && t.policy && !disposed) setPolicy(t.policy);
      } catch (e) {
        return lost(e instanceof Error ? e.message : 'could not open the display', isFinalTokenError(e));
      }
      if (disposed || !host.current || !G) return;
      installImageStreamReader(G);
      const tunnel = new G.WebSocketTunnel(props.tunnelUrl);
      const client = new G.Client(tunnel);
      const display = client.getDisplay();
      const displayEl: HTMLElement = display.getElement();
      host.current.replaceChildren(displayEl);
      let done = false;
      const stopStats = measureTunnel(G, tunnel, (st) => !disposed && setStats(st));
      client.onstatechange = (s: number) => {
        if (done) return;
        if (s === 3) {
          attempts = 0;
          asked.current = null; // a new connection: ask again
          report('connected');
          rescaleRef.current();
        } else if (s === 5) drop('the connection closed');
        else if (attempts === 0) report(CLIENT_STATES[s] ?? 'connecting');
      };
      client.onerror = (err: { message?: string }) => drop(err?.message ?? 'connection failed');
      tunnel.onerror = (err: { message?: string }) => drop(err?.message ?? 'tunnel failed');
      display.onresize = () => {
        setRemoteSize(`${display.getWidth()}x${display.getHeight()}`);
        rescaleRef.current();
      };
      client.onclipboard = (stream: unknown, mimetype: string) => {
        // The tunnel already drops these when the team forbids copying; this is belt and braces.
        if (!policyRef.current.allowCopy) return;
        receiveClipboard(G, stream, mimetype, (text) => {
          if (disposed) return;
          setRemoteClip(text);
          // Best effort: browsers allow this only with focus (and may ask first).
          void navigator.clipboard?.writeText(text).catch(() => undefined);
        });
      };

      let detachPointer = attachPointer(G, client, displayEl, pointerRef.current);
      const setPointer = (m: PointerMode) => {
        detachPointer();
        detachPointer = attachPointer(G, client, displayEl, m);
      };

      const keyboard = new G.Keyboard(host.current);
      keyboard.onkeydown = (keysym: number) => {
        client.sendKeyEvent(1, keysym);
        return false;
      };
      keyboard.onkeyup = (keysym: number) => client.sendKeyEvent(0, keysym);

      session.current = { G, client, display, setPointer };
      client.connect(`token=${encodeURIComponent(token)}`);

      const close = () => {
        done = true;
        stopStats();
        detachPointer();
        keyboard.onkeydown = keyboard.onkeyup = null;
        keyboard.reset();
        client.onstatechange = client.onerror = tunnel.onerror = null;
        client.disconnect();
        if (session.current?.client === client) session.current = null;
      };
      cleanup = close;
      function drop(why: string) {
        if (done || disposed) return;
        close();
        lost(why, false);
      }
    };
    /** Retries with a fresh token unless retrying cannot help. */
    function lost(why: string, final: boolean) {
      if (disposed) return;
      attempts++;
      if (final || attempts > MAX_ATTEMPTS) {
        report('error', why);
        return;
      }
      report('reconnecting', `attempt ${attempts}`);
      retry = setTimeout(() => void open(), reconnectDelay(attempts));
    }
    void open();
    return () => {
      disposed = true;
      clearTimeout(retry);
      cleanup();
    };
    // The layout only changes the token for RDP (server-layout); a VNC desktop keeps its connection.
  }, [props.tunnelUrl, props.protocol === 'rdp' ? layout : null]);

  useEffect(() => session.current?.setPointer(pointerMode), [pointerMode]);

  // Follow the window: resizes, phone rotation, fullscreen, the keyboard opening.
  useEffect(() => {
    const again = () => rescaleRef.current();
    again();
    window.addEventListener('resize', again);
    window.addEventListener('orientationchange', again);
    const ro = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(again);
    if (frame.current) ro?.observe(frame.current);
    const onFs = () => setFullscreen(document.fullscreenElement === frame.current?.parentElement);
    document.addEventListener('fullscreenchange', onFs);
    return () => {
      window.removeEventListener('resize', again);
      window.removeEventListener('orientationchange', again);
      ro?.disconnect();
      document.removeEventListener('fullscreenchange', onFs);
    };
  }, [rescale, keyboardOpen, clipboardOpen]);

  const sendKey = (pressed: boolean, keysym: number) => session.current?.client.sendKeyEvent(pressed ? 1 : 0, keysym);
  const ctrlAltDel = () => {
    for (const k of [KEYSYM.Control_L, KEYSYM.Alt_L, KEYSYM.Delete]) sendKey(true, k);
    for (const k of [KEYSYM.Delete, KEYSYM.Alt_L, KEYSYM.Control_L]) sendKey(false, k);
  };
  const toggleFullscreen = () => {
    const el = frame.current?.parentElement;
    if (!el) return;
    if (document.fullscreenElement) void document.exitFullscreen();
    else void el.requestFullscreen?.().catch(() => undefined);
  };

  const label =
    status === 'connected'
      ? 'Connected'
      : status === 'reconnecting'
        ? `Reconnecting… attempt ${attempt}`
        : status === 'connecting'
          ? 'Connecting…'
          : status === 'error'
            ? 'Disconnected'
            : status;

  return (
    <div ref={root} style={{ position: 'relative', minWidth: 0, background: fullscreen ? '#000' : undefined }}>
      <DisplayOverlay
        label={label}
        tone={status === 'connected' ? 'ok' : status === 'error' || status === 'disconnected' ? 'bad' : 'wait'}
        stats={status === 'connected' ? stats : null}
        pointerMode={pointerMode}
        onPointerMode={setPointerMode}
        layout={layout}
        onLayout={setLayout}
        protocol={props.protocol}
        keyboardOpen={keyboardOpen}
        onToggleKeyboard={() => setKeyboardOpen((o) => !o)}
        clipboardOpen={clipboardOpen}
        onToggleClipboard={() => setClipboardOpen((o) => !o)}
        onCtrlAltDel={ctrlAltDel}
        onFullscreen={toggleFullscreen}
        fit={props.resizable ? fit : undefined}
        onFit={props.resizable ? chooseFit : undefined}
        onSuspend={props.onSuspend}
        onTerminate={props.onTerminate}
      />
      {clipboardOpen && (
        <ClipboardPanel
          policy={policy}
          remoteText={remoteClip}
          onSend={(text) => {
            const s = session.current;
            if (s && policy.allowPaste) sendClipboard(s.G, s.client, text);
          }}
        />
      )}
      {/* contain: the remote screen's own width must not widen the page (the frame's width decides the scale). */}
      <div ref={frame} data-testid="display-frame" style={{ width: '100%', overflow: 'hidden', contain: 'inline-size' }}>
        <div
          ref={host}
          data-testid="remote-display"
          data-status={status}
          data-attempt={attempt}
          data-remote-size={remoteSize ?? undefined}
          tabIndex={0}
          onClick={() => host.current?.focus()}
          // isolation: Guacamole's layers use negative z-indexes and must not fall behind our background.
          // touch-action none: touch gestures drive the remote pointer, not the page.
          style={{ outline: 'none', display: 'inline-block', background: '#000', cursor: 'default', isolation: 'isolate', touchAction: pointerMode === 'mouse' ? undefined : 'none' }}
        />
      </div>
      {keyboardOpen && <OnScreenKeyboard sendKey={sendKey} />}
      <div className="muted" data-testid="display-status" style={{ marginTop: 4, fontSize: '0.85rem' }}>
        {status === 'connected' ? 'Connected — click the desktop to type into it.' : label}
        {message && status !== 'reconnecting' ? `: ${message}` : ''}
      </div>
    </div>
  );
}
