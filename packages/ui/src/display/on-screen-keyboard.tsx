'use client';
import { useState } from 'react';
import { KEYSYM, keysymForChar } from './keysyms';

/**
 * A compact US keyboard in plain HTML for phones and tablets: each key sends
 * its keysym (press, release) to the desktop. Shift and Ctrl latch for one key.
 * Buttons never take focus, so the page does not scroll or open the phone's own keyboard.
 */
type Key = { label: string; ch?: string; shifted?: string; keysym?: number; grow?: number; mod?: 'shift' | 'ctrl' };

const row = (chars: string, shifted: string): Key[] => [...chars].map((ch, i) => ({ label: ch, ch, shifted: shifted[i] }));

const ROWS: Key[][] = [
  [...row('`1234567890-=', '~!@#$%^&*()_+'), { label: '⌫', keysym: KEYSYM.BackSpace, grow: 1.5 }],
  [{ label: 'Tab', keysym: KEYSYM.Tab, grow: 1.5 }, ...row('qwertyuiop[]\\', 'QWERTYUIOP{}|')],
  [{ label: 'Ctrl', mod: 'ctrl', grow: 1.5 }, ...row("asdfghjkl;'", 'ASDFGHJKL:"'), { label: 'Enter', keysym: KEYSYM.Return, grow: 2 }],
  [{ label: 'Shift', mod: 'shift', grow: 2 }, ...row('zxcvbnm,./', 'ZXCVBNM<>?'), { label: '↑', keysym: KEYSYM.Up }],
  [
    { label: 'Esc', keysym: KEYSYM.Escape, grow: 1.5 },
    { label: 'Space', ch: ' ', shifted: ' ', grow: 6 },
    { label: '←', keysym: KEYSYM.Left },
    { label: '↓', keysym: KEYSYM.Down },
    { label: '→', keysym: KEYSYM.Right },
  ],
];

export function OnScreenKeyboard(props: { sendKey: (pressed: boolean, keysym: number) => void }) {
  const [shift, setShift] = useState(false);
  const [ctrl, setCtrl] = useState(false);

  const press = (k: Key) => {
    if (k.mod === 'shift') return setShift((s) => !s);
    if (k.mod === 'ctrl') return setCtrl((c) => !c);
    const keysym = k.keysym ?? keysymForChar(shift ? (k.shifted ?? k.ch ?? ' ') : (k.ch ?? ' '));
    if (ctrl) props.sendKey(true, KEYSYM.Control_L);
    props.sendKey(true, keysym);
    props.sendKey(false, keysym);
    if (ctrl) props.sendKey(false, KEYSYM.Control_L);
    setShift(false);
    setCtrl(false);
  };

  return (
    <div data-testid="on-screen-keyboard" role="group" aria-label="On-screen keyboard" style={{ display: 'flex', flexDirection: 'column', gap: 3, padding: 4, background: '#222', borderRadius: 6, userSelect: 'none', touchAction: 'manipulation' }}>
      {ROWS.map((keys, r) => (
        <div key={r} style={{ display: 'flex', gap: 3 }}>
          {keys.map((k) => {
            const label = !k.mod && !k.keysym && shift && k.shifted && k.ch !== ' ' ? k.shifted : k.label;
            const active = (k.mod === 'shift' && shift) || (k.mod === 'ctrl' && ctrl);
            return (
              <button
                key={k.label}
                type="button"
                tabIndex={-1}
                data-key={k.label}
                aria-pressed={k.mod ? active : undefined}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => press(k)}
                style={{ flex: k.grow ?? 1, minWidth: 0, padding: '8px 0', fontSize: 14, background: active ? '#4a6' : '#444', color: '#fff', border: 'none', borderRadius: 4 }}
              >
                {label}
              </button>
            );
          })}
        </div>
      ))}
    </div>
  );
}
