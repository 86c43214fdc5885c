import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeGenosApi, fakeServerError, FAKE_PNG_BASE64 } from './fake-genos-api';
import { createMcpServer } from './mcp-server';
import { createTools } from './tools';

/** A real MCP client and the real server, joined in memory (what `genos mcp` serves over stdio). */
async function connected() {
  const api = createFakeGenosApi();
  const server = createMcpServer(createTools(api));
  const client = new Client({ name: 'test-agent', version: '1.0.0' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await Promise.all([server.connect(serverSide), client.connect(clientSide)]);
  closers.push(() => client.close(), () => server.close());
  return { api, client };
}
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

describe('genos MCP server', () => {
  it('answers tools/list with every tool and its JSON schema', async () => {
    const { client } = await connected();
    const { tools } = await client.listTools();
    expect(tools).toHaveLength(18);
    const click = tools.find((t) => t.name === 'click')!;
    expect(click.inputSchema).toMatchObject({ type: 'object', required: expect.arrayContaining(['id', 'x', 'y']) });
    expect(Object.keys(click.inputSchema.properties ?? {})).toEqual(['id', 'x', 'y', 'button']);
  });

  it('answers tools/call: a screenshot as an image, an action through its procedure', async () => {
    const { api, client } = await connected();
    const shot = await client.callTool({ name: 'screenshot', arguments: { id: 'env1' } });
    expect(shot.content).toEqual([
      { type: 'image', data: FAKE_PNG_BASE64, mimeType: 'image/png' },
      { type: 'text', text: JSON.stringify({ width: 1280, height: 800, version: 7 }) },
    ]);
    const keys = await client.callTool({ name: 'press_keys', arguments: { id: 'env1', keys: 'Return' } });
    expect(keys.content).toEqual([{ type: 'text', text: JSON.stringify({ sent: 6 }) }]);
    expect(api.calls.map(([name]) => name)).toEqual(['control.screenshot', 'control.keyboard']);
  });

  it('reports a refused call and bad arguments as tool errors the agent can read', async () => {
    const { api, client } = await connected();
    api.failNext(fakeServerError('CONFLICT', 'CONTROL_TAKEN', 'Ada (ada@example.com) has taken control of this desktop'));
    const taken = await client.callTool({ name: 'click', arguments: { id: 'env1', x: 1, y: 1 } });
    expect(taken).toMatchObject({ isError: true, content: [{ type: 'text', text: 'CONTROL_TAKEN: Ada (ada@example.com) has taken control of this desktop' }] });
    const bad = await client.callTool({ name: 'click', arguments: { id: 'env1', x: -5, y: 1 } });
    expect(bad.isError).toBe(true);
    expect(api.calls).toHaveLength(1); // the bad call never reached GenOS
  });
});
