/**
 * A program driving a running 1280×800 desktop through the control API
 * (issue 18), over the same token and HTTP path an internal tool uses:
 *
 * - screenshot_p50_ms: control.screenshot of the full screen, PNG included;
 * - action_to_screen_p50_ms: a keypress (control.keyboard, alternately "x"
 *   and BackSpace in the focused xterm) until a screenshot differs from the
 *   one before: keyboard → waitForChange(sinceVersion) → screenshot, again
 *   while the pixels are still the old ones;
 * - mcp_tool_call_p50_ms: the MCP server (`genos mcp`, a child process on
 *   stdio, as an agent framework runs it) answering the `cursor` tool:
 *   stdio → tRPC → the desktop and back.
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { createTRPCClient } from '@trpc/client';
import type { AppRouter } from '../apps/web/src/server/api/root';

type Results = Record<string, { value: number; unit: string }>;
type Api = ReturnType<typeof createTRPCClient<AppRouter>>;

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1]!;
const round = (ms: number) => Math.round(ms * 10) / 10;

export async function benchControl(opts: { api: Api; id: string; url: string; token: string; runs?: number; log?: (l: string) => void }): Promise<Results> {
  const { api, id } = opts;
  const runs = opts.runs ?? 20;
  const log = opts.log ?? console.log;

  // Screenshots of the full screen (first one a warm-up: the engine opens its guacd connection).
  let shot = await api.control.screenshot.query({ id });
  if (shot.width !== 1280 || shot.height !== 800) throw new Error(`the bench desktop is ${shot.width}×${shot.height}, not 1280×800`);
  const shots: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    shot = await api.control.screenshot.query({ id });
    shots.push(performance.now() - t0);
  }

  // Keypress until a screenshot shows it. The desktop's xterm (at +40+40) gets the focus first.
  await api.control.mouse.mutate({ id, action: 'click', x: 300, y: 300, button: 'left' });
  await api.control.waitForChange.query({ id, timeoutMs: 500 });
  const actions: number[] = [];
  for (let i = 0; i < runs + 1; i++) {
    const before = await api.control.screenshot.query({ id });
    const t0 = performance.now();
    await api.control.keyboard.mutate(i % 2 === 0 ? { id, text: 'x' } : { id, keys: 'BackSpace' });
    let version = before.version;
    for (let tries = 0; ; tries++) {
      const changed = await api.control.waitForChange.query({ id, sinceVersion: version, timeoutMs: 5000 });
      if (!changed.changed) throw new Error('a keypress did not change the screen within 5 s');
      const after = await api.control.screenshot.query({ id });
      if (after.png !== before.png) break;
      // The engine saw an update that left these pixels as they were (a cursor redraw): wait for the next.
      version = after.version;
      if (tries > 20) throw new Error('the screenshot never showed the keypress');
    }
    if (i > 0) actions.push(performance.now() - t0); // the first is a warm-up
  }

  // The MCP server as a child process; the first call is a warm-up.
  const mcp = new Client({ name: 'genos-bench', version: '1.0.0' });
  await mcp.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [path.resolve(import.meta.dirname, '../apps/cli/bin/genos.mjs'), 'mcp', '--env', id],
      env: { ...(process.env as Record<string, string>), GENOS_URL: opts.url, GENOS_TOKEN: opts.token },
      stderr: 'ignore',
    }),
  );
  const calls: number[] = [];
  try {
    for (let i = 0; i < runs + 1; i++) {
      const t0 = performance.now();
      const r = await mcp.callTool({ name: 'cursor', arguments: {} });
      if (r.isError) throw new Error(`the MCP cursor tool failed: ${JSON.stringify(r.content)}`);
      if (i > 0) calls.push(performance.now() - t0);
    }
  } finally {
    await mcp.close();
  }
  log(`screenshot (ms): ${shots.map(Math.round).join(', ')}`);
  log(`keypress → screenshot showing it (ms): ${actions.map(Math.round).join(', ')}`);
  log(`MCP cursor tool call (ms): ${calls.map(Math.round).join(', ')}`);
  return {
    screenshot_p50_ms: { value: round(p50(shots)), unit: `ms (1280×800 PNG, ${Math.round(shot.png.length / 1024)} KiB base64)` },
    action_to_screen_p50_ms: { value: round(p50(actions)), unit: 'ms (keypress until a screenshot shows it)' },
    mcp_tool_call_p50_ms: { value: round(p50(calls)), unit: 'ms (cursor tool: stdio → tRPC → desktop)' },
  };
}
