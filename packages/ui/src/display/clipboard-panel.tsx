'use client';
import { useEffect, useState } from 'react';

export interface ClipboardPolicy {
  /** Remote → local. */
  allowCopy: boolean;
  /** Local → remote. */
  allowPaste: boolean;
}

/**
 * Both directions of the clipboard, as text the user can see: what the
 * desktop last copied (when the team allows copying out) and a box whose text
 * goes to the desktop's clipboard (when it allows pasting in). The display
 * tunnel enforces the same policy, so a disabled button here is only the
 * explanation, not the lock.
 */
export function ClipboardPanel(props: { policy: ClipboardPolicy; remoteText: string; onSend: (text: string) => void }) {
  const [local, setLocal] = useState('');
  const [note, setNote] = useState<string | null>(null);
  const { allowCopy, allowPaste } = props.policy;

  useEffect(() => setNote(null), [props.remoteText]);

  return (
    <div data-testid="clipboard-panel" style={{ display: 'grid', gap: 6, padding: 8, background: '#1b1b1b', color: '#eee', borderRadius: 6, fontSize: 13 }}>
      <label style={{ display: 'grid', gap: 2 }}>
        <span>From the desktop</span>
        {allowCopy ? (
          <textarea data-testid="clipboard-remote" readOnly value={props.remoteText} rows={2} aria-label="Text copied on the desktop" />
        ) : (
          <span data-testid="copy-disabled" className="muted">Copying from the desktop is disabled by your team.</span>
        )}
      </label>
      {allowCopy && (
        <button
          type="button"
          disabled={!props.remoteText}
          onClick={() =>
            void navigator.clipboard?.writeText(props.remoteText).then(
              () => setNote('Copied to this device.'),
              () => setNote('The browser refused clipboard access: select the text above and copy it.'),
            )
          }
        >
          Copy to this device
        </button>
      )}
      <label style={{ display: 'grid', gap: 2 }}>
        <span>To the desktop</span>
        {allowPaste ? (
          <textarea data-testid="clipboard-local" value={local} onChange={(e) => setLocal(e.target.value)} rows={2} aria-label="Text to send to the desktop" />
        ) : (
          <span data-testid="paste-disabled" className="muted">Pasting into the desktop is disabled by your team.</span>
        )}
      </label>
      {allowPaste && (
        <div style={{ display: 'flex', gap: 6 }}>
          <button
            type="button"
            onClick={() =>
              void navigator.clipboard?.readText().then(
                (t) => setLocal(t),
                () => setNote('The browser refused clipboard access: paste into the box instead.'),
              )
            }
          >
            Read my clipboard
          </button>
          <button
            type="button"
            disabled={!local}
            onClick={() => {
              props.onSend(local);
              setNote('Sent: paste it on the desktop (middle click, Shift+Insert or Ctrl+V).');
            }}
          >
            Send to desktop
          </button>
        </div>
      )}
      {note && <span role="status">{note}</span>}
    </div>
  );
}
