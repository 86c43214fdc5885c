/** One sample of a host's use, as listHosts returns it. */
export interface HostUsagePoint {
  at: Date;
  cpu: number;
  memoryMiB: number;
  ready: boolean;
}

const W = 240;
const H = 48;

/**
 * The polylines of a host's placed vCPUs and memory as shares of its
 * capacity over the last `hours` (x: time, right edge now; y: 0–100%), and
 * the stretches where it was not ready. Pure, so it is tested without a DOM.
 */
export function hostUsagePaths(opts: { history: HostUsagePoint[]; cpuCapacity: number; memoryMiB: number; now: Date; hours: number }) {
  const span = opts.hours * 3600_000;
  const start = opts.now.getTime() - span;
  const x = (at: Date) => Math.round((Math.max(0, at.getTime() - start) / span) * W * 10) / 10;
  const y = (share: number) => Math.round((H - Math.min(1, Math.max(0, share)) * H) * 10) / 10;
  const line = (share: (p: HostUsagePoint) => number) => opts.history.map((p) => `${x(p.at)},${y(share(p))}`).join(' ');
  return {
    cpu: line((p) => (opts.cpuCapacity > 0 ? p.cpu / opts.cpuCapacity : 0)),
    memory: line((p) => (opts.memoryMiB > 0 ? p.memoryMiB / opts.memoryMiB : 0)),
    /** x of every sample taken while a dependency was down. */
    unready: opts.history.filter((p) => !p.ready).map((p) => x(p.at)),
  };
}

/** A small chart of a host's use over the last hours: vCPU (solid), memory (dashed), red ticks where it was not ready. */
export function HostUsageChart(props: { history: HostUsagePoint[]; cpuCapacity: number; memoryMiB: number; now: Date; hours: number }) {
  if (props.history.length === 0) return <span className="muted" data-testid="host-usage-chart" data-points={0}>no samples yet</span>;
  const p = hostUsagePaths(props);
  const last = props.history[props.history.length - 1]!;
  const label = `Use over the last ${props.hours} h: now ${last.cpu} of ${props.cpuCapacity} vCPU, ${last.memoryMiB} of ${props.memoryMiB} MiB${p.unready.length ? `; not ready in ${p.unready.length} of ${props.history.length} samples` : ''}`;
  return (
    <svg width={W} height={H} viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} data-testid="host-usage-chart" data-points={props.history.length}>
      <title>{label}</title>
      <rect x={0} y={0} width={W} height={H} fill="none" stroke="currentColor" strokeOpacity={0.2} />
      {p.unready.map((ux, i) => <line key={i} x1={ux} x2={ux} y1={0} y2={H} stroke="#c0392b" strokeOpacity={0.6} />)}
      <polyline points={p.cpu} fill="none" stroke="#2e86de" strokeWidth={1.5} data-series="cpu" />
      <polyline points={p.memory} fill="none" stroke="#27ae60" strokeWidth={1.5} strokeDasharray="4 2" data-series="memory" />
      {/* The latest sample as dots: a line needs two samples, and a worker started a minute ago has one. */}
      {[p.cpu, p.memory].map((series, i) => {
        const [cx, cy] = series.split(' ').at(-1)!.split(',').map(Number);
        return <circle key={i} cx={cx} cy={cy} r={2.5} fill={i === 0 ? '#2e86de' : '#27ae60'} data-latest={i === 0 ? 'cpu' : 'memory'} />;
      })}
    </svg>
  );
}
