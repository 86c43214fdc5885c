/**
 * The glue between the MCP server and the AI SDK for the mcp-agent example:
 * MCP tools as AI SDK tools, and the AI SDK's mock model driven by a script
 * (an async generator) in place of a real model.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { dynamicTool, jsonSchema, type ToolSet } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';

/** The MCP tools as AI SDK tools; screenshots reach the model as images, not as base64 in JSON. */
export async function mcpTools(mcp: Client): Promise<ToolSet> {
  const tools: ToolSet = {};
  for (const t of (await mcp.listTools()).tools) {
    tools[t.name] = dynamicTool({
      description: t.description,
      inputSchema: jsonSchema(t.inputSchema as Parameters<typeof jsonSchema>[0]),
      execute: async (input) => (await mcp.callTool({ name: t.name, arguments: input as Record<string, unknown> })) as CallToolResult,
      toModelOutput: ({ output }) => {
        const r = output as CallToolResult;
        // A refused call (CONTROL_TAKEN, THROTTLED, …) reaches the model as an error it can react to.
        if (r.isError) return { type: 'error-text', value: r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n') };
        return {
          type: 'content',
          value: r.content.map((c) => (c.type === 'image' ? { type: 'image-data' as const, data: c.data, mediaType: c.mimeType } : { type: 'text' as const, text: c.type === 'text' ? c.text : JSON.stringify(c) })),
        };
      },
    });
  }
  return tools;
}

/** What a tool gave back, as the model sees it: its text parsed as JSON, its image as base64. */
export type Seen = { isError: boolean; json: any; image: string | null };
export type Call = { tool: string; args: Record<string, unknown> };

/** The mock model: each generate step reads the last tool result from the prompt and asks the script for the next call. */
export function scriptedModel(script: AsyncGenerator<Call, string, Seen>, log: (l: string) => void = console.log) {
  let step = 0;
  let started = false;
  const usage = { inputTokens: { total: 0, noCache: 0, cacheRead: 0, cacheWrite: 0 }, outputTokens: { total: 0, text: 0, reasoning: 0 } };
  return new MockLanguageModelV3({
    doGenerate: async ({ prompt }) => {
      const last = prompt.at(-1);
      const part = last?.role === 'tool' ? last.content.find((p) => p.type === 'tool-result') : undefined;
      const seen: Seen = { isError: false, json: null, image: null };
      if (part?.type === 'tool-result' && part.output.type === 'error-text') Object.assign(seen, { isError: true, json: part.output.value });
      if (part?.type === 'tool-result' && part.output.type === 'content') {
        for (const v of part.output.value) {
          if (v.type === 'image-data') seen.image = v.data;
          if (v.type === 'text' && seen.json === null) {
            try {
              seen.json = JSON.parse(v.text);
            } catch {
              seen.json = v.text;
            }
          }
        }
      }
      const next = started ? await script.next(seen) : await script.next();
      started = true;
      if (next.done) return { content: [{ type: 'text', text: next.value }], finishReason: { unified: 'stop', raw: 'stop' }, usage, warnings: [] };
      log(`agent → ${next.value.tool} ${JSON.stringify(next.value.args).slice(0, 120)}`);
      return {
        content: [{ type: 'tool-call', toolCallId: `call-${++step}`, toolName: next.value.tool, input: JSON.stringify(next.value.args) }],
        finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
        usage,
        warnings: [],
      };
    },
  });
}

