// `genos mcp [--env ID]`: an MCP server on stdin/stdout over the CLI's token.
// stdout carries the protocol, so everything else goes to stderr.
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { connect, type Client } from '../client';
import { genosApi } from './genos-api';
import { createMcpServer } from './mcp-server';
import { createTools } from './tools';

export async function mcpMain(argv: readonly string[]): Promise<number> {
  let env: string | undefined;
  try {
    ({ values: { env } } = parseArgs({ args: [...argv], options: { env: { type: 'string' } } }));
  } catch (e) {
    process.stderr.write(`genos: ${(e as Error).message}\nusage: genos mcp [--env ID]\n`);
    return 1;
  }
  let client: Client;
  try {
    client = await connect();
  } catch (e) {
    // No token, or signing in with GENOS_EMAIL/GENOS_PASSWORD failed: nothing to serve.
    process.stderr.write(`genos: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const server = createMcpServer(createTools(genosApi(client), { defaultEnvironmentId: env }));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = resolve;
    // The client going away (stdin closed) ends the server too.
    process.stdin.once('end', resolve);
  });
  await server.connect(transport);
  process.stderr.write(`genos mcp: serving ${process.env.GENOS_URL ?? 'http://127.0.0.1:3000'} on stdio\n`);
  await closed;
  await server.close();
  return 0;
}
