'use client';
import { useCallback, useEffect, useState } from 'react';

interface TransferFile {
  name: string;
  bytes: number;
  modifiedAt: string;
}

const size = (n: number) => (n < 1024 ? `${n} B` : n < 1024 * 1024 ? `${(n / 1024).toFixed(1)} KB` : `${(n / 1024 / 1024).toFixed(1)} MB`);

/**
 * Files in and out of a desktop's ~/Transfer folder, through the web app's
 * /api/environments/<id>/files routes (which enforce the team's upload and
 * download policy and the size limit). Files can be dropped onto the element
 * `dropTarget` selects (the live display) or picked with the file input.
 */
export function FilesPanel(props: { environmentId: string; dropTarget?: string; maxBytes?: number }) {
  const base = `/api/environments/${encodeURIComponent(props.environmentId)}/files`;
  const [files, setFiles] = useState<TransferFile[] | null>(null);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [listError, setListError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    const res = await fetch(base, { cache: 'no-store' });
    const body = (await res.json().catch(() => ({}))) as { files?: TransferFile[]; error?: string };
    if (res.ok) {
      setFiles(body.files ?? []);
      setListError(null);
    } else setListError(body.error ?? `listing failed (${res.status})`);
  }, [base]);

  const upload = useCallback(
    async (list: FileList | File[]) => {
      setBusy(true);
      setMessage(null);
      try {
        for (const f of Array.from(list)) {
          if (props.maxBytes && f.size > props.maxBytes) {
            setMessage({ kind: 'error', text: `${f.name}: larger than the ${Math.round(props.maxBytes / 1024 / 1024)} MB upload limit.` });
            continue;
          }
          const res = await fetch(`${base}?name=${encodeURIComponent(f.name)}`, { method: 'POST', body: f, headers: { 'Content-Type': 'application/octet-stream' } });
          const body = (await res.json().catch(() => ({}))) as { error?: string; path?: string };
          setMessage(res.ok ? { kind: 'ok', text: `Uploaded to ${body.path}` } : { kind: 'error', text: `${f.name}: ${body.error ?? `upload failed (${res.status})`}` });
        }
      } finally {
        setBusy(false);
        void refresh();
      }
    },
    [base, props.maxBytes, refresh],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  // Drag and drop onto the display (or whatever dropTarget names).
  useEffect(() => {
    if (!props.dropTarget) return;
    const el = document.querySelector<HTMLElement>(props.dropTarget);
    if (!el) return;
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      void upload(e.dataTransfer.files);
    };
    el.addEventListener('dragover', over);
    el.addEventListener('drop', drop);
    return () => {
      el.removeEventListener('dragover', over);
      el.removeEventListener('drop', drop);
    };
  }, [props.dropTarget, upload]);

  return (
    <section data-testid="files-panel" style={{ margin: '0.75rem 0' }}>
      <div style={{ display: 'flex', gap: '0.5rem', alignItems: 'center', flexWrap: 'wrap' }}>
        <strong>Files</strong>
        <span className="muted">Drop files on the desktop, or</span>
        <input type="file" aria-label="Upload files" multiple disabled={busy} onChange={(e) => e.target.files && void upload(e.target.files)} />
        <button type="button" className="secondary" onClick={() => void refresh()}>Refresh</button>
      </div>
      {message && (
        <p className={message.kind === 'error' ? 'error' : 'muted'} role={message.kind === 'error' ? 'alert' : 'status'} data-testid="files-message">
          {message.text}
        </p>
      )}
      {listError && <p className="muted">{listError}</p>}
      {files && files.length > 0 && (
        <ul data-testid="transfer-files" style={{ margin: '0.5rem 0', paddingLeft: '1.2rem' }}>
          {files.map((f) => (
            <li key={f.name}>
              <a href={`${base}/${encodeURIComponent(f.name)}`} download={f.name}>{f.name}</a> <span className="muted">({size(f.bytes)})</span>
            </li>
          ))}
        </ul>
      )}
      {files && files.length === 0 && !listError && <p className="muted">~/Transfer is empty.</p>}
    </section>
  );
}
