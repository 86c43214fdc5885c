'use client';
import { useEffect, useRef, useState } from 'react';
import { installImageStreamReader } from './image-stream-reader';

export type PlayerState = 'loading' | 'ready' | 'playing' | 'paused' | 'error';
const SPEEDS = [1, 2, 4] as const;

const fmt = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * Plays a guacd session recording in the browser: guacamole-common-js's
 * SessionRecording reads the protocol dump through a StaticHTTPTunnel on
 * `src` and renders it with its own Guacamole.Display. SessionRecording has
 * no speed setting, so playback is clocked here: every tick seeks forward by
 * the elapsed time times the speed (1x, 2x, 4x); the slider seeks anywhere.
 * `marks` (a program's actions) show as ticks under the slider and as a list;
 * each seeks to its moment.
 */
export interface RecordingMark {
  /** Milliseconds from the recording's start. */
  atMs: number;
  label: string;
}

export function RecordingPlayer(props: { src: string; maxWidth?: number; marks?: RecordingMark[] }) {
  const host = useRef<HTMLDivElement>(null);
  const rec = useRef<{ seek(ms: number, cb?: () => void): void; getDuration(): number; getPosition(): number; abort(): void; disconnect(): void } | null>(null);
  const [state, setState] = useState<PlayerState>('loading');
  const [error, setError] = useState<string | null>(null);
  const [duration, setDuration] = useState(0);
  const [position, setPosition] = useState(0);
  const [speed, setSpeed] = useState<number>(1);
  const [loaded, setLoaded] = useState(false);
  const playing = useRef(false);
  const speedRef = useRef(1);
  speedRef.current = speed;
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const maxWidth = props.maxWidth ?? 1100;

  useEffect(() => {
    let disposed = false;
    void (async () => {
      const { default: Guacamole } = await import('guacamole-common-js');
      if (disposed || !host.current) return;
      installImageStreamReader(Guacamole);
      const tunnel = new Guacamole.StaticHTTPTunnel(props.src);
      const recording = new Guacamole.SessionRecording(tunnel);
      rec.current = recording;
      const display = recording.getDisplay();
      const el: HTMLElement = display.getElement();
      host.current.replaceChildren(el);
      display.onresize = (w: number) => {
        if (w > 0) display.scale(Math.min(1, maxWidth / w));
      };
      tunnel.onerror = (status: { message?: string; code?: number }) => {
        if (disposed) return;
        setState('error');
        setError(status?.message || `the recording could not be loaded (${status?.code ?? 'error'})`);
      };
      recording.onerror = (message: string) => {
        if (disposed) return;
        setState('error');
        setError(message);
      };
      recording.onprogress = (d: number) => {
        if (disposed) return;
        setDuration(d);
        setState((s) => (s === 'loading' ? 'ready' : s));
      };
      recording.onload = () => {
        if (disposed) return;
        setDuration(recording.getDuration());
        setLoaded(true);
        setState((s) => (s === 'loading' ? 'ready' : s));
        // Show the first frame rather than a black box.
        recording.seek(0);
      };
      recording.connect();
    })();
    return () => {
      disposed = true;
      playing.current = false;
      if (timer.current) clearTimeout(timer.current);
      rec.current?.abort();
      rec.current?.disconnect();
      rec.current = null;
    };
  }, [props.src, maxWidth]);

  const stop = (next: PlayerState) => {
    playing.current = false;
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    setState(next);
  };

  const play = () => {
    const r = rec.current;
    if (!r || playing.current) return;
    let pos = r.getPosition() >= r.getDuration() ? 0 : r.getPosition();
    let last = performance.now();
    playing.current = true;
    setState('playing');
    const tick = () => {
      if (!playing.current || !rec.current) return;
      const now = performance.now();
      const end = rec.current.getDuration();
      pos = Math.min(end, pos + (now - last) * speedRef.current);
      last = now;
      rec.current.seek(pos, () => {
        setPosition(pos);
        if (!playing.current) return;
        if (pos >= end && loaded) stop('paused');
        else timer.current = setTimeout(tick, 50);
      });
    };
    tick();
  };

  const seekTo = (ms: number) => {
    const r = rec.current;
    if (!r) return;
    const wasPlaying = playing.current;
    stop(wasPlaying ? 'playing' : state === 'loading' ? 'loading' : 'paused');
    r.seek(ms, () => {
      setPosition(r.getPosition());
      if (wasPlaying) play();
    });
    setPosition(ms);
  };

  return (
    <div data-testid="recording-player" data-state={state} data-position={Math.round(position)} data-duration={Math.round(duration)} data-loaded={loaded}>
      <div ref={host} data-testid="recording-display" style={{ display: 'inline-block', background: '#000', minHeight: 120, minWidth: 200, isolation: 'isolate' }} />
      <div style={{ display: 'flex', gap: '0.5rem', alignItems: 'center', marginTop: '0.5rem' }}>
        {state === 'playing' ? (
          <button type="button" onClick={() => stop('paused')}>Pause</button>
        ) : (
          <button type="button" onClick={play} disabled={state === 'loading' || state === 'error'}>Play</button>
        )}
        <input
          type="range"
          aria-label="Seek"
          min={0}
          max={Math.max(duration, 1)}
          step={100}
          value={Math.min(position, duration)}
          onChange={(e) => seekTo(Number(e.target.value))}
          style={{ flex: 1 }}
          disabled={state === 'loading' || state === 'error'}
        />
        <span className="muted" data-testid="recording-time">{fmt(position)} / {fmt(duration)}</span>
        <label>
          Speed{' '}
          <select aria-label="Speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>{s}x</option>
            ))}
          </select>
        </label>
      </div>
      {props.marks && props.marks.length > 0 && (
        <>
          <div data-testid="recording-marks" aria-hidden="true" style={{ position: 'relative', height: 10, margin: '0.25rem 0' }}>
            {props.marks.map((m, i) => (
              <span
                key={i}
                title={m.label}
                style={{ position: 'absolute', left: `${(Math.min(m.atMs, Math.max(duration, 1)) / Math.max(duration, 1)) * 100}%`, width: 2, height: 10, background: '#e8a33d' }}
              />
            ))}
          </div>
          <ol data-testid="recording-actions" style={{ maxHeight: 200, overflow: 'auto', fontSize: '0.85em' }}>
            {props.marks.map((m, i) => (
              <li key={i}>
                <button type="button" className="link" onClick={() => seekTo(m.atMs)} disabled={state === 'loading' || state === 'error'}>
                  {fmt(m.atMs)}
                </button>{' '}
                {m.label}
              </li>
            ))}
          </ol>
        </>
      )}
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}
