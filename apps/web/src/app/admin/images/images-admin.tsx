'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

const BUSY = new Set(['pending', 'building']);

/** App layers per package set: build or rebuild with a live log, versions, retire. */
export function ImagesAdmin({ initialImageId }: { initialImageId: string | null }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [selected, setSelected] = useState<string | null>(initialImageId);
  const [packages, setPackages] = useState('');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const list = useQuery({ ...trpc.admin.images.list.queryOptions(), refetchInterval: (q) => (q.state.data?.some((i) => BUSY.has(i.status)) ? 1000 : false) });
  // The selected image's row (with its log) is polled every second while it builds.
  const image = useQuery({
    ...trpc.admin.images.get.queryOptions({ id: selected ?? 'none' }),
    enabled: Boolean(selected),
    refetchInterval: (q) => (!q.state.data || BUSY.has(q.state.data.status) ? 1000 : false),
  });
  const logRef = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (logRef.current) logRef.current.scrollTop = logRef.current.scrollHeight;
  }, [image.data?.buildLog]);
  const settled = image.data && !BUSY.has(image.data.status) ? image.data.status : null;
  useEffect(() => {
    if (settled) void qc.invalidateQueries({ queryKey: trpc.admin.images.list.queryKey() });
  }, [settled, qc, trpc]);

  const refresh = () => qc.invalidateQueries({ queryKey: trpc.admin.images.list.queryKey() });
  const fail = (e: unknown) => setMessage({ ok: false, text: errorMessage(e) });
  const build = useMutation(
    trpc.admin.images.build.mutationOptions({
      onSuccess: (img) => {
        setSelected(img.id);
        setMessage({ ok: true, text: `Building ${img.tag} (version ${img.version}).` });
        void refresh();
        void qc.invalidateQueries({ queryKey: trpc.admin.images.get.queryKey({ id: img.id }) });
      },
      onError: fail,
    }),
  );
  const retire = useMutation(trpc.admin.images.retire.mutationOptions({ onSuccess: () => void refresh(), onError: fail }));

  return (
    <>
      <section className="card">
        <h2>Build a package set</h2>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            build.mutate({ packages: packages.split(/[\s,]+/).filter(Boolean) });
          }}
        >
          <input aria-label="Packages to build" placeholder="Debian packages, space-separated" value={packages} onChange={(e) => setPackages(e.target.value)} style={{ width: 360 }} />{' '}
          <button type="submit" disabled={build.isPending || !packages.trim()}>Build image</button>
        </form>
        {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="images-message">{message.text}</p>}
      </section>

      {selected && (
        <section className="card" data-testid="image-detail" data-status={image.data?.status ?? 'loading'}>
          <h2>
            {image.data ? `${image.data.tag} — version ${image.data.version}` : 'Loading…'}{' '}
            {image.data && <span className={`state ${image.data.status === 'ready' ? 'running' : image.data.status === 'failed' ? 'failed' : ''}`} data-testid="image-status">{image.data.status}</span>}
          </h2>
          {image.error && <p className="error">{errorMessage(image.error)}</p>}
          {image.data && <p className="muted">Packages: {image.data.packages.join(' ') || '(base image)'}</p>}
          <pre ref={logRef} data-testid="build-log" style={{ maxHeight: 360, overflow: 'auto', background: '#111', color: '#ddd', padding: '0.5rem', fontSize: '0.8rem', whiteSpace: 'pre-wrap' }}>
            {image.data?.buildLog || (image.data && BUSY.has(image.data.status) ? 'waiting for a worker…' : '')}
          </pre>
        </section>
      )}

      <section className="card">
        <h2>Images</h2>
        {!list.data ? (
          <p className="muted">{list.error ? errorMessage(list.error) : 'Loading…'}</p>
        ) : (
          <table data-testid="image-list">
            <thead><tr><th>Tag</th><th>Kind</th><th>Packages</th><th>Status</th><th>Version</th><th>Retired</th><th>Updated</th><th /></tr></thead>
            <tbody>
              {list.data.map((i) => (
                <tr key={i.id} data-testid="image-row" data-tag={i.tag} data-status={i.status}>
                  <td><code>{i.tag}</code></td>
                  <td>{i.kind}</td>
                  <td>{i.packages.join(' ')}</td>
                  <td>{i.status}</td>
                  <td>{i.version}</td>
                  <td>{i.retiredAt ? i.retiredAt.toLocaleString() : ''}</td>
                  <td>{i.updatedAt.toLocaleString()}</td>
                  <td>
                    <button className="secondary" onClick={() => setSelected(i.id)}>Log</button>{' '}
                    {i.kind !== 'base' && (
                      <>
                        <button className="secondary" disabled={build.isPending || BUSY.has(i.status)} onClick={() => build.mutate({ packages: i.packages })}>Rebuild</button>{' '}
                        <button className="secondary" disabled={retire.isPending} onClick={() => retire.mutate({ id: i.id, retired: !i.retiredAt })}>{i.retiredAt ? 'Unretire' : 'Retire'}</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
