'use client';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import type { AppCategory, CatalogAppRecord } from '@genos/core';
import { useTRPC } from '@/trpc/react';
import { errorMessage } from '../../error-message';

// The same list as @genos/core's APP_CATEGORIES (the core package is server-side: types only here).
const APP_CATEGORIES: readonly AppCategory[] = ['terminal', 'browser', 'office', 'graphics', 'media', 'audio', 'editor', 'development', 'utility', 'network', 'security', 'science', 'education', 'games', 'communication', 'system'];

interface Draft {
  id: string;
  name: string;
  category: AppCategory;
  aliases: string;
  packages: string;
  command: string;
  needsNetwork: boolean;
  needsDesktop: boolean;
  needsVm: boolean;
}
const EMPTY: Draft = { id: '', name: '', category: 'utility', aliases: '', packages: '', command: '', needsNetwork: false, needsDesktop: true, needsVm: false };
const words = (s: string) => s.split(',').map((w) => w.trim()).filter(Boolean);
const fromRow = (r: CatalogAppRecord): Draft => ({
  id: r.id,
  name: r.name,
  category: r.category,
  aliases: r.aliases.join(', '),
  packages: r.packages.join(' '),
  command: r.command,
  needsNetwork: r.requires.network,
  needsDesktop: r.requires.desktop,
  needsVm: r.requires.vm,
});

/** The composer's applications: add one, edit, enable or disable, build its image. */
export function CatalogAdmin() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const [filter, setFilter] = useState('');
  const [onlyAdded, setOnlyAdded] = useState(true);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const list = useQuery(trpc.admin.catalog.list.queryOptions({}));
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.admin.catalog.list.queryKey() });
  const fail = (e: unknown) => setMessage({ ok: false, text: errorMessage(e) });
  const add = useMutation(trpc.admin.catalog.add.mutationOptions({ onSuccess: (a) => (setMessage({ ok: true, text: `Added ${a.name} (${a.id}).` }), setDraft(EMPTY), void refresh()), onError: fail }));
  const update = useMutation(trpc.admin.catalog.update.mutationOptions({ onSuccess: (a) => (setMessage({ ok: true, text: `Saved ${a.name} (${a.enabled ? 'enabled' : 'disabled'}).` }), setEditing(null), setDraft(EMPTY), void refresh()), onError: fail }));
  const build = useMutation(trpc.admin.images.build.mutationOptions({ onSuccess: (img) => router.push(`/admin/images?image=${img.id}`), onError: fail }));

  const submit = () => {
    const common = { name: draft.name, category: draft.category, aliases: words(draft.aliases), command: draft.command, needsNetwork: draft.needsNetwork, needsDesktop: draft.needsDesktop, needsVm: draft.needsVm };
    const packages = draft.packages.split(/[\s,]+/).filter(Boolean);
    if (editing) update.mutate({ id: editing, patch: { ...common, ...(packages.length ? { packages } : {}) } });
    else add.mutate({ id: draft.id.trim(), ...common, ...(packages.length ? { packages } : {}) });
  };
  const rows = (list.data ?? []).filter((r) => (!onlyAdded || r.source !== 'builtin') && (!filter || `${r.id} ${r.name} ${r.category}`.toLowerCase().includes(filter.toLowerCase())));

  return (
    <>
      <section className="card">
        <h2>{editing ? `Edit ${editing}` : 'Add an application'}</h2>
        <form
          aria-label="Application"
          onSubmit={(e) => {
            e.preventDefault();
            submit();
          }}
          style={{ display: 'grid', gap: '0.5rem', maxWidth: 560 }}
        >
          <label>Debian package <input aria-label="Debian package" value={draft.id} disabled={Boolean(editing)} onChange={(e) => setDraft({ ...draft, id: e.target.value })} placeholder="e.g. dclock" /></label>
          <label>Name <input aria-label="Name" value={draft.name} onChange={(e) => setDraft({ ...draft, name: e.target.value })} /></label>
          <label>
            Category{' '}
            <select aria-label="Category" value={draft.category} onChange={(e) => setDraft({ ...draft, category: e.target.value as Draft['category'] })}>
              {APP_CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </label>
          <label>Aliases (comma-separated) <input aria-label="Aliases" value={draft.aliases} onChange={(e) => setDraft({ ...draft, aliases: e.target.value })} /></label>
          <label>Packages (default: the package above) <input aria-label="Packages" value={draft.packages} onChange={(e) => setDraft({ ...draft, packages: e.target.value })} /></label>
          <label>Command <input aria-label="Command" value={draft.command} onChange={(e) => setDraft({ ...draft, command: e.target.value })} placeholder="program and arguments" /></label>
          <label><input type="checkbox" checked={draft.needsNetwork} onChange={(e) => setDraft({ ...draft, needsNetwork: e.target.checked })} /> Needs network</label>
          <label><input type="checkbox" checked={draft.needsDesktop} onChange={(e) => setDraft({ ...draft, needsDesktop: e.target.checked })} /> Has a window (needs a desktop)</label>
          <label><input type="checkbox" checked={draft.needsVm} onChange={(e) => setDraft({ ...draft, needsVm: e.target.checked })} /> Needs a VM</label>
          <div>
            <button type="submit" disabled={add.isPending || update.isPending}>{editing ? 'Save application' : 'Add application'}</button>{' '}
            {editing && <button type="button" className="secondary" onClick={() => (setEditing(null), setDraft(EMPTY))}>Cancel</button>}
          </div>
          {message && <p className={message.ok ? 'ok' : 'error'} role={message.ok ? 'status' : 'alert'} data-testid="catalog-message">{message.text}</p>}
        </form>
      </section>

      <section className="card">
        <h2>Catalog</h2>
        <p>
          <input aria-label="Filter applications" placeholder="filter" value={filter} onChange={(e) => setFilter(e.target.value)} />{' '}
          <label><input type="checkbox" checked={onlyAdded} onChange={(e) => setOnlyAdded(e.target.checked)} /> only applications admins added</label>
        </p>
        {!list.data ? (
          <p className="muted">{list.error ? errorMessage(list.error) : 'Loading…'}</p>
        ) : rows.length === 0 ? (
          <p className="muted">Nothing matches.</p>
        ) : (
          <table data-testid="catalog-list">
            <thead><tr><th>Package</th><th>Name</th><th>Category</th><th>Command</th><th>Needs</th><th>Source</th><th>State</th><th /></tr></thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id} data-testid="catalog-row" data-app={r.id}>
                  <td>{r.id}</td>
                  <td>{r.name}</td>
                  <td>{r.category}</td>
                  <td><code>{r.command}</code></td>
                  <td className="muted">{[r.requires.network && 'network', r.requires.desktop && 'desktop', r.requires.vm && 'VM'].filter(Boolean).join(', ')}</td>
                  <td>{r.source}</td>
                  <td>{r.enabled ? 'enabled' : 'disabled'}</td>
                  <td>
                    <button className="secondary" onClick={() => (setEditing(r.id), setDraft(fromRow(r)), setMessage(null))}>Edit</button>{' '}
                    <button className="secondary" disabled={update.isPending} onClick={() => update.mutate({ id: r.id, patch: { enabled: !r.enabled } })}>{r.enabled ? 'Disable' : 'Enable'}</button>{' '}
                    <button className="secondary" disabled={build.isPending || r.preinstalled} onClick={() => build.mutate({ apps: [r.id] })}>Build image</button>
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
