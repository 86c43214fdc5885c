'use client';
import type { PointerMode, TunnelStats } from './session';

export const KEYBOARD_LAYOUTS = [
  ['en-us-qwerty', 'English (US)'],
  ['en-gb-qwerty', 'English (UK)'],
  ['de-de-qwertz', 'German'],
  ['fr-fr-azerty', 'French'],
  ['es-es-qwerty', 'Spanish'],
  ['it-it-qwerty', 'Italian'],
  ['sv-se-qwerty', 'Swedish'],
  ['ja-jp-qwerty', 'Japanese'],
] as const;
export type KeyboardLayout = (typeof KEYBOARD_LAYOUTS)[number][0];

/** Resize the desktop's screen to the window, or keep its size and scale the picture. */
export type ScreenFit = 'resize' | 'scale';

/**
 * The bar above the live desktop: connection state (with the reconnect
 * attempt), round trip and bandwidth, and quick actions. Wraps onto several
 * lines on a phone.
 */
export function DisplayOverlay(props: {
  label: string;
  tone: 'ok' | 'wait' | 'bad';
  stats: TunnelStats | null;
  pointerMode: PointerMode;
  onPointerMode: (m: PointerMode) => void;
  layout: KeyboardLayout;
  onLayout: (l: KeyboardLayout) => void;
  /** VNC carries keysyms: the device's own layout applies and the choice matters for RDP only. */
  protocol?: 'vnc' | 'rdp';
  keyboardOpen: boolean;
  onToggleKeyboard: () => void;
  clipboardOpen: boolean;
  onToggleClipboard: () => void;
  onCtrlAltDel: () => void;
  onFullscreen: () => void;
  /** Desktops whose screen can follow the window: the choice between that and scaling. */
  fit?: ScreenFit;
  onFit?: (f: ScreenFit) => void;
  onSuspend?: () => void;
  onTerminate?: () => void;
}) {
  const colour = props.tone === 'ok' ? '#3a3' : props.tone === 'wait' ? '#c90' : '#c33';
  const s = props.stats;
  return (
    <div data-testid="display-overlay" style={{ display: 'flex', flexWrap: 'wrap', gap: 6, alignItems: 'center', padding: '4px 6px', background: '#2a2a2a', color: '#eee', fontSize: 13, borderRadius: 6, marginBottom: 4 }}>
      <span data-testid="connection-state" role="status" style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
        <span style={{ width: 8, height: 8, borderRadius: 4, background: colour, display: 'inline-block' }} />
        {props.label}
      </span>
      {s && (
        <span data-testid="display-stats" className="muted" title="Round trip through the tunnel; data received; frames per second">
          {s.rttMs === null ? '… ms' : `${s.rttMs} ms`} · {s.kbps >= 1000 ? `${(s.kbps / 1000).toFixed(1)} Mbit/s` : `${s.kbps} kbit/s`} · {s.fps} fps
        </span>
      )}
      <span style={{ flex: 1 }} />
      <button type="button" onClick={props.onCtrlAltDel} title="Send Ctrl+Alt+Delete">
        Ctrl+Alt+Del
      </button>
      <button type="button" onClick={props.onFullscreen}>
        Fullscreen
      </button>
      <button type="button" aria-pressed={props.clipboardOpen} onClick={props.onToggleClipboard}>
        Clipboard
      </button>
      <button type="button" aria-pressed={props.keyboardOpen} onClick={props.onToggleKeyboard}>
        Keyboard
      </button>
      {props.fit && props.onFit && (
        <select aria-label="Screen size" value={props.fit} onChange={(e) => props.onFit!(e.target.value as ScreenFit)} title="Resize the desktop to this window, or keep its size and scale the picture">
          <option value="resize">Fit window</option>
          <option value="scale">Scale</option>
        </select>
      )}
      <select aria-label="Pointer mode" value={props.pointerMode} onChange={(e) => props.onPointerMode(e.target.value as PointerMode)}>
        <option value="mouse">Mouse</option>
        <option value="touchpad">Touchpad</option>
        <option value="touchscreen">Touchscreen</option>
      </select>
      <select
        aria-label="Keyboard layout"
        value={props.layout}
        onChange={(e) => props.onLayout(e.target.value as KeyboardLayout)}
        title={props.protocol === 'rdp' ? 'Sent to the desktop as its keyboard layout' : 'VNC desktops receive characters: the layout of this device applies'}
      >
        {KEYBOARD_LAYOUTS.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
      {props.onSuspend && (
        // Not "Suspend": the page already has a button by that name (and tests find it by name).
        <button type="button" onClick={props.onSuspend} aria-label="Pause this desktop" title="Suspend: keeps its state, frees the host">
          Pause
        </button>
      )}
      {props.onTerminate && (
        <button type="button" className="danger" onClick={props.onTerminate} aria-label="Shut down this desktop" title="Terminate: removes the desktop">
          Shut down
        </button>
      )}
    </div>
  );
}
