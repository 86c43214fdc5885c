import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { HostUsageChart, hostUsagePaths } from './host-usage-chart';

const now = new Date('2026-12-07T12:00:00Z');
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);

describe('HostUsageChart', () => {
  it('draws use as shares of capacity over the window, newest at the right edge', () => {
    const p = hostUsagePaths({
      history: [
        { at: at(360), cpu: 0, memoryMiB: 0, ready: true },
        { at: at(180), cpu: 4, memoryMiB: 1024, ready: false },
        { at: at(0), cpu: 8, memoryMiB: 4096, ready: true },
      ],
      cpuCapacity: 8,
      memoryMiB: 4096,
      now,
      hours: 6,
    });
    // x 0..240 over 6 h; y 48 (0%) .. 0 (100%).
    expect(p.cpu).toBe('0,48 120,24 240,0');
    expect(p.memory).toBe('0,48 120,36 240,0');
    expect(p.unready).toEqual([120]);
  });

  it('clamps samples older than the window and overcommitted use to the frame', () => {
    const p = hostUsagePaths({ history: [{ at: at(600), cpu: 20, memoryMiB: 10, ready: true }], cpuCapacity: 8, memoryMiB: 100, now, hours: 6 });
    expect(p.cpu).toBe('0,0');
  });

  it('says so when there are no samples, and describes the latest one for screen readers', () => {
    expect(renderToStaticMarkup(createElement(HostUsageChart, { history: [], cpuCapacity: 8, memoryMiB: 1024, now, hours: 6 }))).toContain('no samples yet');
    const html = renderToStaticMarkup(createElement(HostUsageChart, { history: [{ at: at(1), cpu: 2, memoryMiB: 512, ready: false }], cpuCapacity: 8, memoryMiB: 1024, now, hours: 6 }));
    expect(html).toContain('aria-label="Use over the last 6 h: now 2 of 8 vCPU, 512 of 1024 MiB; not ready in 1 of 1 samples"');
    // One sample draws no line: its values show as dots at the right edge (vCPU 25%, memory 50% of the 48 px height).
    expect(html).toMatch(/<circle cx="239.3" cy="36" r="2.5" fill="#2e86de" data-latest="cpu"/);
    expect(html).toMatch(/<circle cx="239.3" cy="24" r="2.5" fill="#27ae60" data-latest="memory"/);
  });
});
