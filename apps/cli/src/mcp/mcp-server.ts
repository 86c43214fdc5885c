import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ToolDefinition } from './tools';

/** The SDK's server with every tool registered; the transport is the caller's (stdio, or in memory in tests). */
export function createMcpServer(tools: ToolDefinition[], version = '0.1.0'): McpServer {
  const server = new McpServer(
    { name: 'genos', version },
    { instructions: 'Drive GenOS desktops: take a screenshot to see the screen, act with the mouse and keyboard tools in screen pixels, then wait_for_change and look again.' },
  );
  for (const t of tools) server.registerTool(t.name, { description: t.description, inputSchema: t.inputSchema }, (args: Record<string, unknown>) => t.run(args));
  return server;
}
