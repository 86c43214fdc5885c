import type { ComposeResult } from '@genos/core';

/** What the composer understood, with every assumption it made, before anything is launched. */
export function SpecCard(props: { result: ComposeResult; onLaunch?: () => void; launching?: boolean }) {
  const { result } = props;
  const spec = result.spec;
  return (
    <div className="card" data-testid="spec-card" data-status={result.status}>
      {spec && (
        <>
          <h3 style={{ marginTop: 0 }}>{spec.name}</h3>
          <table>
            <tbody>
              <tr><th>System</th><td>{spec.os.family} · {spec.os.distro} {spec.os.release} · {spec.desktop} · {spec.runtime}</td></tr>
              <tr><th>Apps</th><td data-testid="spec-apps">{spec.apps.join(', ')}</td></tr>
              <tr><th>Resources</th><td>{spec.resources.cpu} CPU · {spec.resources.memoryMiB} MiB · {spec.resources.diskGiB} GiB disk</td></tr>
              <tr><th>Network</th><td data-testid="spec-network">{spec.network.mode}</td></tr>
              <tr><th>Display</th><td>{spec.display.protocol.toUpperCase()} {spec.display.width}×{spec.display.height}</td></tr>
            </tbody>
          </table>
        </>
      )}
      {result.assumptions.length > 0 && (
        <>
          <h4>Assumptions</h4>
          <ul data-testid="spec-assumptions">{result.assumptions.map((a) => <li key={a} className="muted">{a}</li>)}</ul>
        </>
      )}
      {result.questions.length > 0 && (
        <>
          <h4>Tell me more</h4>
          <ul>{result.questions.map((q) => <li key={q}>{q}</li>)}</ul>
        </>
      )}
      {result.problems.length > 0 && (
        <>
          <h4 className="error">Can’t build this here</h4>
          <ul data-testid="spec-problems">{result.problems.map((p) => <li key={p.field + p.message} className="error">{p.message}</li>)}</ul>
        </>
      )}
      {result.status === 'ok' && props.onLaunch && (
        <button onClick={props.onLaunch} disabled={props.launching}>{props.launching ? 'Launching…' : 'Launch'}</button>
      )}
    </div>
  );
}
