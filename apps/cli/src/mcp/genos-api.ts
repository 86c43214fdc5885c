import { TRPCClientError } from '@trpc/client';
import type { Client } from '../client';
import { controlApi, type ControlApi } from '../desktop/control-api';

/** An environment as the MCP tools report it: what an agent needs, not the whole row. */
export type EnvironmentSummary = { id: string; name: string; state: string; runtime?: string; error?: string | null };

export interface EnvironmentsApi {
  list(): Promise<EnvironmentSummary[]>;
  /** The server's composer turns a sentence into a spec (token scope `composer`). */
  compose(request: string): Promise<{ status: string; spec: unknown; problems: { field: string; message: string }[]; questions: unknown[] }>;
  create(i: { spec: unknown; request: string | null }): Promise<EnvironmentSummary>;
  /** Until the environment is running, failed or terminated, or `timeoutMs` passed. */
  waitUntilSettled(id: string, timeoutMs: number): Promise<EnvironmentSummary>;
  terminate(id: string): Promise<EnvironmentSummary>;
}

/** Everything the MCP tools call: the control router and the environments around it. */
export type GenosApi = { control: ControlApi; environments: EnvironmentsApi };

const summary = (e: { id: string; name: string; state: string; spec?: { runtime?: string } | null; error?: string | null }): EnvironmentSummary => ({
  id: e.id,
  name: e.name,
  state: e.state,
  runtime: e.spec?.runtime,
  error: e.error ?? null,
});

export function genosApi(client: Client): GenosApi {
  return {
    control: controlApi(client),
    environments: {
      list: async () => (await client.environments.list.query({ includeTerminated: false })).map(summary),
      compose: (request) => client.composer.compose.mutate({ request }),
      create: async (i) => summary(await client.environments.create.mutate(i)),
      async waitUntilSettled(id, timeoutMs) {
        // The server answers within at most 60 s per call (woken by live changes); ask again until the deadline.
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          try {
            return summary(await client.environments.waitFor.query({ id, states: ['running', 'failed', 'terminated'], timeoutMs: Math.max(1, Math.min(60_000, deadline - Date.now())) }));
          } catch (e) {
            if (!(e instanceof TRPCClientError && e.data?.code === 'TIMEOUT') || Date.now() >= deadline) throw e;
          }
        }
      },
      terminate: async (id) => summary(await client.environments.terminate.mutate({ id })),
    },
  };
}
