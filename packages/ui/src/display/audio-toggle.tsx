'use client';
import { useEffect, useState } from 'react';

/**
 * Mute for the desktop's sound. guacamole-common-js plays every audio stream
 * through one shared AudioContext (Guacamole.AudioContextFactory), so
 * suspending it mutes the display without touching the connection; resuming
 * it from this click also satisfies the browser's autoplay rule.
 */
export function AudioToggle() {
  const [muted, setMuted] = useState(false);
  const [available, setAvailable] = useState(true);

  useEffect(() => {
    void import('guacamole-common-js').then(({ default: Guacamole }) => {
      const ctx: AudioContext | null = Guacamole.AudioContextFactory.getAudioContext();
      if (!ctx) setAvailable(false);
      else setMuted(ctx.state === 'suspended');
    });
  }, []);

  const toggle = async () => {
    const { default: Guacamole } = await import('guacamole-common-js');
    const ctx: AudioContext | null = Guacamole.AudioContextFactory.getAudioContext();
    if (!ctx) return setAvailable(false);
    if (muted) await ctx.resume();
    else await ctx.suspend();
    setMuted(ctx.state === 'suspended');
  };

  if (!available) return <span className="muted">No audio in this browser</span>;
  return (
    <button type="button" className="secondary" data-testid="audio-toggle" data-muted={muted} aria-pressed={muted} onClick={() => void toggle()}>
      {muted ? 'Unmute sound' : 'Mute sound'}
    </button>
  );
}
