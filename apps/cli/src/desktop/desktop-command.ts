// `genos desktop <command> ID …`: one control procedure per command, over
// the same token as the rest of the CLI (GENOS_URL, GENOS_TOKEN).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeApiError, EXIT, UsageError } from './api-errors';
import type { ControlApi } from './control-api';
import { button, int, region, scale, splitArgs, type DesktopFlags } from './desktop-args';
import { DESKTOP_USAGE } from './desktop-usage';

export type DesktopIo = {
  api: () => Promise<ControlApi>;
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readFile: (file: string) => Promise<Buffer>;
  writeFile: (file: string, data: Buffer) => Promise<void>;
};

/** Runs one command; returns its exit code (api-errors.ts EXIT), never throws. */
export async function runDesktopCommand(argv: readonly string[], io: DesktopIo): Promise<number> {
  try {
    const { positionals, flags } = splitArgs(argv);
    const [cmd, id, ...rest] = positionals;
    if (flags.help || !cmd) {
      io.stdout(`usage:\n${DESKTOP_USAGE}\n`);
      return flags.help ? EXIT.ok : EXIT.usage;
    }
    if (!id) throw new UsageError(`desktop ${cmd} needs an environment ID`);
    return await run(cmd, id, rest, flags, io);
  } catch (e) {
    const info = describeApiError(e);
    io.stderr(`genos: ${info.code === 'ERROR' || info.code === 'USAGE' ? '' : `${info.code}: `}${info.message}\n`);
    if (e instanceof UsageError) io.stderr(`usage:\n${DESKTOP_USAGE}\n`);
    return info.exitCode;
  }
}

async function run(cmd: string, id: string, rest: string[], flags: DesktopFlags, io: DesktopIo): Promise<number> {
  const print = (v: unknown) => io.stdout(`${flags.json ? JSON.stringify(v) : JSON.stringify(v, null, 2)}\n`);
  const xy = () => ({ x: int(rest[0], 'X'), y: int(rest[1], 'Y') });
  const api = lazy(io.api);
  switch (cmd) {
    case 'screenshot': {
      if (!flags.out) throw new UsageError('desktop screenshot needs --out FILE');
      const shot = await api.screenshot({ id, region: region(flags.region), scale: scale(flags.scale) });
      await io.writeFile(flags.out, Buffer.from(shot.png, 'base64'));
      print({ out: flags.out, width: shot.width, height: shot.height, version: shot.version });
      return EXIT.ok;
    }
    case 'wait': {
      const since = flags.since === undefined ? undefined : int(flags.since, '--since');
      const result = await api.waitForChange({ id, sinceVersion: since, timeoutMs: flags.timeout === undefined ? undefined : int(flags.timeout, '--timeout'), region: region(flags.region) });
      print(result);
      return result.changed ? EXIT.ok : EXIT.noChange;
    }
    case 'move':
      print(await api.mouse({ id, action: 'move', ...xy() }));
      return EXIT.ok;
    case 'click':
      print(await api.mouse({ id, action: flags.double ? 'doubleClick' : 'click', ...xy(), button: button(flags.button) }));
      return EXIT.ok;
    case 'drag':
      print(await api.mouse({ id, action: 'drag', ...xy(), toX: int(rest[2], 'TO_X'), toY: int(rest[3], 'TO_Y'), button: button(flags.button) }));
      return EXIT.ok;
    case 'scroll':
      print(await api.mouse({ id, action: 'scroll', ...xy(), dy: int(rest[2], 'DY') }));
      return EXIT.ok;
    case 'type': {
      // Words are joined with one space, as a shell would have split them.
      const text = rest.join(' ');
      if (!text) throw new UsageError('desktop type needs TEXT');
      print(await api.keyboard({ id, text }));
      return EXIT.ok;
    }
    case 'key': {
      const keys = rest.join(' ');
      if (!keys) throw new UsageError('desktop key needs KEYS, e.g. "ctrl+alt+t" or "Return"');
      print(await api.keyboard({ id, keys }));
      return EXIT.ok;
    }
    case 'clipboard':
      if (flags.set !== undefined) {
        print(await api.clipboardSet({ id, text: flags.set }));
        return EXIT.ok;
      }
      // Plain text, so `genos desktop clipboard ID > file` keeps it as it is.
      if (flags.json) print(await api.clipboardGet({ id }));
      else io.stdout((await api.clipboardGet({ id })).text);
      return EXIT.ok;
    case 'files':
      return files(api, id, rest, flags, io, print);
    case 'windows': {
      if (flags.focus !== undefined && flags.close !== undefined) throw new UsageError('desktop windows: --focus or --close, not both');
      // Exit 8, like `wait`: asked, and it did not happen (the window manager kept focus elsewhere, the app stayed open).
      if (flags.focus !== undefined) {
        const r = await api.focusWindow({ id, window: flags.focus });
        print(r);
        return r.focused ? EXIT.ok : EXIT.noChange;
      }
      if (flags.close !== undefined) {
        const r = await api.closeWindow({ id, window: flags.close });
        print(r);
        return r.closed ? EXIT.ok : EXIT.noChange;
      }
      print(await api.windows({ id }));
      return EXIT.ok;
    }
    case 'cursor':
      print(await api.cursor({ id }));
      return EXIT.ok;
    case 'status':
      print(await api.status({ id }));
      return EXIT.ok;
    case 'actions':
      for (const a of await api.actions({ id, limit: flags.limit === undefined ? undefined : int(flags.limit, '--limit') })) io.stdout(`${JSON.stringify(a)}\n`);
      return EXIT.ok;
    default:
      throw new UsageError(`unknown desktop command '${cmd}'`);
  }
}

/** Connects on the first call only, so a mistyped command line is refused without a token or a server. */
function lazy(connect: () => Promise<ControlApi>): ControlApi {
  let api: Promise<ControlApi> | undefined;
  return new Proxy({} as ControlApi, {
    get: (_, name: keyof ControlApi) => async (input: never) => ((await (api ??= connect()))[name] as (i: never) => Promise<unknown>)(input),
  });
}

async function files(api: ControlApi, id: string, rest: string[], flags: DesktopFlags, io: DesktopIo, print: (v: unknown) => void): Promise<number> {
  const [op, arg] = rest;
  if (op === undefined) {
    print(await api.filesList({ id }));
    return EXIT.ok;
  }
  if (op === 'put') {
    if (!arg) throw new UsageError('desktop files ID put LOCAL_FILE [--name NAME]');
    const content = await io.readFile(arg);
    print(await api.filesPut({ id, name: flags.name ?? path.basename(arg), contentBase64: content.toString('base64') }));
    return EXIT.ok;
  }
  if (op === 'get') {
    if (!arg || !flags.out) throw new UsageError('desktop files ID get NAME --out FILE');
    const { contentBase64 } = await api.filesGet({ id, name: arg });
    const data = Buffer.from(contentBase64, 'base64');
    await io.writeFile(flags.out, data);
    print({ out: flags.out, bytes: data.length });
    return EXIT.ok;
  }
  throw new UsageError(`desktop files: unknown operation '${op}' (put or get)`);
}

/** The real process: the CLI's token client, the terminal, the disk. */
export async function desktopMain(argv: readonly string[]): Promise<number> {
  const { connect } = await import('../client');
  const { controlApi } = await import('./control-api');
  return runDesktopCommand(argv, {
    api: async () => controlApi(await connect()),
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readFile: (f) => readFile(f),
    writeFile: (f, d) => writeFile(f, d),
  });
}
