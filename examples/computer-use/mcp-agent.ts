/**
 * The api-only example again, driven by an "agent" through the MCP server
 * (`npx genos mcp`): the AI SDK's mock language model stands in for a real
 * one, scripted to call the desktop tools in order and to look at their
 * results, as a model would. Swap the mock for any AI SDK model (with
 * vision) and the same loop drives the desktop.
 *
 *   npx genos token issue mcp-agent --scopes environments:read,environments:write,environments:control
 *   GENOS_URL=http://127.0.0.1:3000 GENOS_TOKEN=genos_… npx tsx examples/computer-use/mcp-agent.ts
 */
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { generateText, stepCountIs } from 'ai';
import { mcpTools, scriptedModel, type Call, type Seen } from './agent-loop';
import { BACKGROUND, bandsEqual, COMMAND, decodePng, EXPECTED_TEXT, firstChangedBand, MENU_TERMINAL_KEY, ocr, REFERENCE, WRONG, XTERM_DESKTOP_SPEC } from './screen-check';

if (!process.env.GENOS_TOKEN) throw new Error('set GENOS_TOKEN (npx genos token issue NAME --scopes environments:read,environments:write,environments:control)');

// The MCP server as any agent framework starts it: a child process on stdio, with the token in its environment.
const mcp = new Client({ name: 'genos-mcp-agent-example', version: '1.0.0' });
await mcp.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [path.resolve(import.meta.dirname, '../../apps/cli/bin/genos.mjs'), 'mcp'],
    env: process.env as Record<string, string>,
    stderr: 'inherit',
  }),
);

/**
 * The scripted agent: yields one tool call per step and receives what the
 * tool answered. It keeps waiting while the screen still changes, as an
 * agent would before looking.
 */
async function* agent(): AsyncGenerator<Call, string, Seen> {
  const created = yield { tool: 'create_environment', args: { spec: XTERM_DESKTOP_SPEC } };
  if (created.isError) return `could not create the desktop: ${created.json}`;
  const id: string = created.json.id;
  found.id = id;
  async function* settle(quietMs: number): AsyncGenerator<Call, void, Seen> {
    for (let i = 0; i < 40; i++) if (!(yield { tool: 'wait_for_change', args: { id, timeoutMs: quietMs } }).json.changed) return;
  }
  yield* settle(1000);
  const before = yield { tool: 'screenshot', args: { id, scale: 0.05 } };
  yield { tool: 'click', args: { id, x: BACKGROUND.x, y: BACKGROUND.y, button: 'right' } };
  const menu = yield { tool: 'wait_for_change', args: { id, sinceVersion: before.json.version, timeoutMs: 5000 } };
  if (!menu.json.changed) return 'no menu appeared';
  yield { tool: 'press_keys', args: { id, keys: MENU_TERMINAL_KEY } };
  yield* settle(1000);
  for (const [name, line] of [['actual', COMMAND], ['reference', REFERENCE], ['wrong', WRONG]] as const) {
    const typed = yield { tool: 'type_text', args: { id, text: line } };
    if (typed.isError) return `typing was refused: ${typed.json}`;
    yield* settle(700);
    found[name] = (yield { tool: 'screenshot', args: { id } }).image;
  }
  yield { tool: 'terminate_environment', args: { id } };
  found.terminated = true;
  return 'typed the command in a terminal opened from the menu and took the screenshots';
}
const found: { id?: string; actual?: string | null; reference?: string | null; wrong?: string | null; terminated?: boolean } = {};

try {
  const result = await generateText({ model: scriptedModel(agent()), tools: await mcpTools(mcp), stopWhen: stepCountIs(200), prompt: 'Open a terminal from the desktop menu and run echo genos-$((6*7)).' });
  console.log(`agent: ${result.text}`);
  if (!found.actual || !found.reference || !found.wrong) throw new Error('the agent did not take its screenshots');
  // The same check as api-only.ts: the output's pixels equal the terminal printing genos-42 itself, not genos-41.
  const [a, r, w] = [found.actual, found.reference, found.wrong].map(decodePng) as [ReturnType<typeof decodePng>, ReturnType<typeof decodePng>, ReturnType<typeof decodePng>];
  const band = firstChangedBand(r, w);
  const pixelsMatch = band !== null && bandsEqual(a, r, band) && !bandsEqual(a, w, band);
  console.log(`pixel check: the output ${pixelsMatch ? 'is' : 'is NOT'} ${EXPECTED_TEXT}`);
  const text = ocr(found.actual);
  console.log(text === null ? 'OCR skipped (no tesseract)' : `OCR: ${text.includes(EXPECTED_TEXT) ? 'found' : 'did not find'} ${EXPECTED_TEXT}`);
  if (!pixelsMatch) process.exitCode = 1;
} finally {
  // Whatever the agent got to, the desktop does not outlive the example.
  if (found.id && !found.terminated) await mcp.callTool({ name: 'terminate_environment', arguments: { id: found.id } });
  await mcp.close();
}
