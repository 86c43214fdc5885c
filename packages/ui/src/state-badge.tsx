export function StateBadge({ state }: { state: string }) {
  return <span className={`state ${state}`} data-testid="env-state" data-state={state}>{state}</span>;
}
