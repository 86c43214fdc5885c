import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { TRPCClientError } from '@trpc/client';
import { isAppError, type ApiScope, type ComposeResult } from '@genos/core';
import { connect, type Client } from './client';
import { composerOptions } from './composer-options';
import { OPS_USAGE } from './ops-usage';
import { PITR_USAGE } from './pitr-usage';
import { DESKTOP_USAGE } from './desktop/desktop-usage';

const USAGE = `usage:
  genos compose [--json] "<request>"          compose a spec offline (no server needed)
  genos compose --json --batch FILE           one request per line, one JSON result per line
  genos refine --spec FILE "<instruction>"    edit a spec ("add vlc", "make it 8 GB")
  genos env create [--wait] [--json] "<request>"
  genos env list [--json]
  genos env get ID [--json]
  genos env terminate ID [--wait]
  genos token issue NAME [--scopes a,b] [--ttl-hours H]   a scoped API token for internal tools (secret shown once)
  genos token list [--json]
  genos token revoke ID
${DESKTOP_USAGE}
${OPS_USAGE}
${PITR_USAGE}
env: GENOS_URL (default http://127.0.0.1:3000), GENOS_TOKEN or GENOS_EMAIL + GENOS_PASSWORD;
     GENOS_LLM_BASE_URL + GENOS_LLM_MODEL (+ GENOS_LLM_API_KEY) compose through a language model.
compose checks requests against the GenOS platform on this host's size; a server
additionally refuses what its own deployment has not enabled.`;

// `desktop` and `mcp` parse their own flags (negative numbers, --out, --env), before the parser below would refuse them.
if (process.argv[2] === 'desktop') process.exit(await (await import('./desktop/desktop-command')).desktopMain(process.argv.slice(3)));
if (process.argv[2] === 'mcp') process.exit(await (await import('./mcp/mcp-command')).mcpMain(process.argv.slice(3)));
if (process.argv[2] === 'pitr') process.exit(await (await import('./pitr-command')).pitrMain(process.argv.slice(3)));

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { scopes: { type: 'string' }, 'ttl-hours': { type: 'string' }, json: { type: 'boolean', default: false }, force: { type: 'boolean', default: false }, wait: { type: 'boolean', default: false }, batch: { type: 'string' }, spec: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});

const print = (v: unknown) => process.stdout.write(`${flags.json ? JSON.stringify(v) : JSON.stringify(v, null, 2)}\n`);

/** Errors become a result object so batch runs keep one line per request and exit 0. */
async function composeSafely(request: string, refineSpec?: unknown): Promise<ComposeResult> {
  try {
    const { composeRequest, refineEnvironment } = await import('@genos/core');
    const opts = composerOptions();
    return refineSpec === undefined ? await composeRequest({ request, ...opts }) : refineEnvironment({ spec: refineSpec, instruction: request, ...opts });
  } catch (e) {
    if (!isAppError(e)) throw e;
    return { status: 'rejected', spec: null, questions: [], problems: [{ field: 'request', message: e.message, kind: 'invalid' }], assumptions: [] };
  }
}

type EnvState = Parameters<Client['environments']['waitFor']['query']>[0]['states'][number];

/**
 * Waits on the server (environments.waitFor, woken by live changes, no
 * polling) in chunks of at most 60 s, so no single request hangs for minutes.
 */
async function waitFor(client: Client, id: string, states: EnvState[], timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const chunk = Math.max(1, Math.min(60_000, deadline - Date.now()));
    try {
      return await client.environments.waitFor.query({ id, states, timeoutMs: chunk });
    } catch (e) {
      if (!(e instanceof TRPCClientError) || e.data?.code !== 'TIMEOUT' || Date.now() >= deadline) {
        throw e instanceof TRPCClientError && e.data?.code === 'TIMEOUT' ? new Error(`timed out after ${Math.round(timeoutMs / 1000)} s: ${e.message}`) : e;
      }
    }
  }
}

async function main(): Promise<number> {
  const [cmd, sub, ...rest] = positionals;
  if (flags.help || !cmd) {
    console.log(USAGE);
    return cmd ? 0 : 1;
  }
  if (cmd === 'compose') {
    if (flags.batch) {
      const lines = (await readFile(flags.batch, 'utf8')).split(/\r?\n/).filter((l) => l.trim() !== '');
      for (const line of lines) process.stdout.write(`${JSON.stringify(await composeSafely(line))}\n`);
      return 0;
    }
    print(await composeSafely([sub, ...rest].join(' ')));
    return 0;
  }
  if (cmd === 'refine') {
    if (!flags.spec) throw new Error('refine needs --spec FILE (a spec as JSON, or a compose result)');
    const json = JSON.parse(await readFile(flags.spec, 'utf8')) as { spec?: unknown };
    print(await composeSafely([sub, ...rest].join(' '), json.spec !== undefined && json.spec !== null ? json.spec : json));
    return 0;
  }
  if (cmd === 'keys' || cmd === 'backup') {
    // Loaded only here: these commands reach the database and Docker directly.
    const { runOpsCommand } = await import('./ops-commands');
    const code = await runOpsCommand(cmd, sub, rest, { json: flags.json, force: flags.force });
    if (code === 1) console.error(USAGE);
    return code;
  }
  if (cmd === 'token') {
    const client = await connect();
    switch (sub) {
      case 'issue': {
        const scopes = flags.scopes ? (flags.scopes.split(',').map((s) => s.trim()).filter(Boolean) as ApiScope[]) : undefined;
        const ttlHours = flags['ttl-hours'] ? Number(flags['ttl-hours']) : undefined;
        print(await client.auth.tokens.issue.mutate({ name: rest.join(' ') || 'internal-tool', scopes, ttlHours }));
        if (!flags.json) console.error('genos: the token is shown once; keep it in GENOS_TOKEN');
        return 0;
      }
      case 'list':
        print(await client.auth.tokens.list.query());
        return 0;
      case 'revoke':
        print(await client.auth.tokens.revoke.mutate({ id: rest[0] ?? '' }));
        return 0;
      default:
        console.error(USAGE);
        return 1;
    }
  }
  if (cmd !== 'env') {
    console.error(USAGE);
    return 1;
  }
  const client = await connect();
  switch (sub) {
    case 'create': {
      const request = rest.join(' ');
      const result = await composeSafely(request);
      if (result.status !== 'ok' || !result.spec) {
        print(result);
        return 2;
      }
      let env = await client.environments.create.mutate({ spec: result.spec, request });
      if (flags.wait) env = await waitFor(client, env.id, ['running', 'failed', 'terminated']);
      print(env);
      return env.state === 'failed' ? 3 : 0;
    }
    case 'list':
      print(await client.environments.list.query({ includeTerminated: false }));
      return 0;
    case 'get':
      print(await client.environments.get.query({ id: rest[0] ?? '' }));
      return 0;
    case 'terminate': {
      let env = await client.environments.terminate.mutate({ id: rest[0] ?? '' });
      if (flags.wait) env = await waitFor(client, env.id, ['terminated']);
      print(flags.json ? env : { id: env.id, state: env.state });
      return 0;
    }
    default:
      console.error(USAGE);
      return 1;
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`genos: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
