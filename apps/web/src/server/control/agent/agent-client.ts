import net from 'node:net';
import { AppError, WINDOW_ID_PATTERN, type AgentTarget, type DesktopAgentPort } from '@genos/core';
import { parseClose, parseFocus, parseWindows } from './agent-answers';

/**
 * The desktop agent over its unix socket (DisplayEndpoint.agentSocket, pinned
 * by the worker in root's folder; this process is root on the host): one
 * request line, one JSON line back (docker/desktop-base/genos-agent). The
 * desktop is untrusted, so the answer is read with a size cap and a deadline,
 * and parsed strictly (agent-answers.ts).
 */
export const AGENT_MAX_ANSWER_BYTES = 64 * 1024;
export const AGENT_TIMEOUT_MS = 3000;

export interface AgentClientOptions {
  timeoutMs?: number;
  maxBytes?: number;
}

/**
 * Sends `request` and resolves with the first line of the answer (without
 * its newline), or the whole answer when the agent closed without one.
 * UNAVAILABLE when the socket cannot be reached, the agent is silent past the
 * deadline, or says more than `maxBytes` before its newline.
 */
export function askAgent(socket: string, request: string, o: AgentClientOptions = {}): Promise<string> {
  const timeoutMs = o.timeoutMs ?? AGENT_TIMEOUT_MS;
  const maxBytes = o.maxBytes ?? AGENT_MAX_ANSWER_BYTES;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const conn = net.connect(socket);
    const finish = (err: AppError | null, line?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      conn.destroy();
      if (err) reject(err);
      else resolve(line!);
    };
    const timer = setTimeout(() => finish(new AppError('UNAVAILABLE', `the desktop's agent did not answer within ${timeoutMs / 1000} s`)), timeoutMs);
    // Written, not ended: socat gives the other direction only 0.5 s after a half-close, and the
    // agent may take a second to see a window focused or closed. The agent needs only the line.
    conn.on('connect', () => conn.write(`${request}\n`));
    conn.on('data', (chunk: Buffer) => {
      const nl = chunk.indexOf(0x0a);
      const take = nl === -1 ? chunk : chunk.subarray(0, nl);
      bytes += take.length;
      if (bytes > maxBytes) return finish(new AppError('UNAVAILABLE', `the desktop's agent answered more than ${Math.round(maxBytes / 1024)} KiB`));
      chunks.push(take);
      if (nl !== -1) finish(null, Buffer.concat(chunks).toString('utf8'));
    });
    conn.on('end', () => {
      if (bytes === 0) finish(new AppError('UNAVAILABLE', "the desktop's agent closed without answering"));
      else finish(null, Buffer.concat(chunks).toString('utf8'));
    });
    conn.on('error', (e: NodeJS.ErrnoException) => finish(new AppError('UNAVAILABLE', `the desktop's agent cannot be reached (${e.code ?? e.message})`)));
  });
}

/** Checked here too, though the API already did: nothing but an id ever follows "focus " on the wire. */
function windowArg(id: string): string {
  if (!WINDOW_ID_PATTERN.test(id)) throw new AppError('VALIDATION', 'not a window id');
  return id;
}

/** The agent for core's control actions. */
export function createDesktopAgent(o: AgentClientOptions = {}): DesktopAgentPort {
  return {
    windows: async (t: AgentTarget) => parseWindows(await askAgent(t.socket, 'windows', o)),
    focusWindow: async (t, id) => parseFocus(await askAgent(t.socket, `focus ${windowArg(id)}`, o), id),
    closeWindow: async (t, id) => parseClose(await askAgent(t.socket, `close ${windowArg(id)}`, o), id),
  };
}
