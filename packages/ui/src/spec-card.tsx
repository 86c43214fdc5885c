import type { ComposeResult, SpecChange } from '@genos/core';

const STATUS_TITLE: Record<ComposeResult['status'], string> = {
  ok: 'Ready to launch',
  needs_clarification: 'A few questions first',
  unsatisfiable: 'Can’t build this here',
  rejected: 'Refused',
};

const fmtValue = (v: unknown) => (Array.isArray(v) ? v.join(', ') || '(none)' : v === undefined ? '(unset)' : String(v));

/** Which rows of the card a change touches, so the card can mark them. */
const touched = (changes: SpecChange[] | undefined, prefix: string) => Boolean(changes?.some((c) => c.field === prefix || c.field.startsWith(`${prefix}.`)));

/** What the composer understood, with every assumption it made, before anything is launched. */
export function SpecCard(props: { result: ComposeResult; onLaunch?: () => void; launching?: boolean }) {
  const { result } = props;
  const spec = result.spec;
  const changes = result.changes;
  // Notices (an app this deployment cannot install, and what it gets instead) stand above the spec, not among the defaults.
  const notices = result.notices ?? [];
  // Defaults were filled in because nothing asked otherwise: shown apart, so they never read as if asked for.
  const defaults = result.defaults ?? [];
  const assumptions = result.assumptions.filter((a) => !notices.includes(a) && !defaults.includes(a));
  const unread = result.unread ?? [];
  const row = (label: string, prefix: string[], value: React.ReactNode, testId?: string) => (
    <tr className={prefix.some((p) => touched(changes, p)) ? 'changed' : undefined}>
      <th>{label}</th>
      <td data-testid={testId}>{value}</td>
    </tr>
  );
  return (
    <div className="card" data-testid="spec-card" data-status={result.status}>
      <h3 style={{ marginTop: 0 }}>{spec ? `${spec.name} · ` : ''}<span className={result.status === 'ok' ? 'ok' : 'warn'}>{STATUS_TITLE[result.status]}</span></h3>
      {notices.length > 0 && (
        <ul data-testid="spec-notices" role="note" style={{ listStyle: 'none', padding: 0 }}>
          {notices.map((n) => <li key={n} className="warn"><strong>Please note:</strong> {n}</li>)}
        </ul>
      )}
      {unread.length > 0 && (
        <p data-testid="spec-unread" role="alert" className="warn">
          <strong>Not understood:</strong> {unread.map((w) => `“${w}”`).join(', ')}. Nothing was built from these words: answer the question below, or leave them out.
        </p>
      )}
      {changes && changes.length > 0 && (
        <>
          <h4>Changed</h4>
          <ul data-testid="spec-changes">
            {changes.map((c) => <li key={c.field}><code>{c.field}</code>: {fmtValue(c.from)} → <strong>{fmtValue(c.to)}</strong></li>)}
          </ul>
        </>
      )}
      {spec && (
        <table>
          <tbody>
            {row('System', ['os', 'desktop', 'runtime', 'isolation'], `${spec.os.distro} ${spec.os.release} · ${spec.desktop} · ${spec.runtime} · ${spec.isolation} sandbox`, 'spec-system')}
            {row('Apps', ['apps', 'packages'], spec.apps.join(', '), 'spec-apps')}
            {row('Resources', ['resources'], `${spec.resources.cpu} CPU · ${spec.resources.memoryMiB} MiB · ${spec.resources.diskGiB} GiB disk`, 'spec-resources')}
            {row('Network', ['network'], spec.network.allowHosts.length ? `${spec.network.mode} · only ${spec.network.allowHosts.join(', ')}` : spec.network.mode, 'spec-network')}
            {row('Display', ['display'], `${spec.display.protocol.toUpperCase()} ${spec.display.width}×${spec.display.height}`, 'spec-display')}
            {row('Lifetime', ['lifetime', 'persistence'], `suspends after ${spec.lifetime.idleSuspendMinutes} idle min · ends after ${spec.lifetime.maxHours} h · ${spec.persistence.homeVolume ? 'home folder kept' : 'files not kept'}`)}
          </tbody>
        </table>
      )}
      {result.questions.length > 0 && (
        <>
          <h4>Tell me more</h4>
          <ul data-testid="spec-questions">{result.questions.map((q) => <li key={q}>{q}</li>)}</ul>
        </>
      )}
      {result.problems.length > 0 && (
        <>
          <h4 className="error">Problems</h4>
          <ul data-testid="spec-problems">{result.problems.map((p) => <li key={p.field + p.message} className="error" data-kind={p.kind}>{p.message}</li>)}</ul>
        </>
      )}
      {assumptions.length + defaults.length > 0 && (
        <details open={result.status === 'ok'}>
          <summary>Assumptions: {assumptions.length} read from your request, {defaults.length} default{defaults.length === 1 ? '' : 's'}</summary>
          <ul data-testid="spec-assumptions">
            {assumptions.map((a) => <li key={a}>{a}</li>)}
            {defaults.map((a) => <li key={a} className="muted" data-default="true">{a}</li>)}
          </ul>
        </details>
      )}
      {result.status === 'ok' && props.onLaunch && (
        <button onClick={props.onLaunch} disabled={props.launching}>{props.launching ? 'Launching…' : 'Launch'}</button>
      )}
    </div>
  );
}
