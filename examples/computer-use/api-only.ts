/**
 * A program using a GenOS desktop through the tRPC API only (no model):
 * create a container desktop with xterm, wait until it runs, open a terminal
 * through the desktop's menu, type a command, wait for the screen, and check
 * the command's output from screenshots.
 *
 *   npx genos token issue computer-use --scopes environments:read,environments:write,environments:control
 *   GENOS_URL=http://127.0.0.1:3000 GENOS_TOKEN=genos_… npx tsx examples/computer-use/api-only.ts
 *
 * Every input goes through guacd like a person's, so a person watching the
 * desktop in the browser sees the pointer move and the text appear, and can
 * take over (this program's next call then fails with CONTROL_TAKEN).
 */
import { writeFileSync } from 'node:fs';
import { TRPCClientError } from '@trpc/client';
import { connectGenos, waitForRunning as waitUntilRunning } from '../genos-api';
import { BACKGROUND, bandsEqual, COMMAND, decodePng, EXPECTED_TEXT, firstChangedBand, MENU_TERMINAL_KEY, ocr, REFERENCE, WRONG, XTERM_DESKTOP_SPEC } from './screen-check';

// One request per call (httpLink, not batched): a long waitForChange never holds up another call.
const genos = connectGenos({ scopes: 'environments:read,environments:write,environments:control', batch: false });
const waitForRunning = (id: string) => waitUntilRunning(genos, id);

/** Until the screen has not changed for `quietMs` (a command's output is drawn in several updates). */
async function settle(id: string, quietMs = 700, maxMs = 15_000) {
  const deadline = Date.now() + maxMs;
  let { version } = await genos.control.screenshot.query({ id, scale: 0.05 });
  while (Date.now() < deadline) {
    const r = await genos.control.waitForChange.query({ id, sinceVersion: version, timeoutMs: quietMs });
    if (!r.changed) return;
    version = r.version;
  }
}

/** Types a line into the focused terminal, waits until the screen is still, and returns the screenshot. */
async function run(id: string, line: string) {
  await genos.control.keyboard.mutate({ id, text: line });
  await settle(id);
  return genos.control.screenshot.query({ id });
}

async function main() {
  const created = await genos.environments.create.mutate({ spec: XTERM_DESKTOP_SPEC, request: 'computer-use example' });
  console.log(`created ${created.id}`);
  const id = created.id;
  try {
    const env = await waitForRunning(id);
    if (env.state !== 'running') throw new Error(`the desktop is ${env.state}: ${env.error ?? ''}`);
    await settle(id, 1000, 30_000); // the first xterm and the launcher bar drawing themselves

    // Open a terminal through the desktop's menu: right click on the background, then "Terminal".
    const before = await genos.control.screenshot.query({ id });
    await genos.control.mouse.mutate({ id, action: 'click', x: BACKGROUND.x, y: BACKGROUND.y, button: 'right' });
    const menu = await genos.control.waitForChange.query({ id, sinceVersion: before.version, timeoutMs: 5000 });
    if (!menu.changed) throw new Error('no menu appeared after a right click on the desktop');
    await genos.control.keyboard.mutate({ id, keys: MENU_TERMINAL_KEY });
    await settle(id, 1000);
    console.log('opened a terminal from the desktop menu');

    // The command, then the same terminal printing the expected text (reference) and a wrong one (control).
    const actual = await run(id, COMMAND);
    writeFileSync('computer-use-api-only.png', Buffer.from(actual.png, 'base64'));
    const reference = await run(id, REFERENCE);
    const wrong = await run(id, WRONG);
    const [a, r, w] = [actual, reference, wrong].map((s) => decodePng(s.png)) as [ReturnType<typeof decodePng>, ReturnType<typeof decodePng>, ReturnType<typeof decodePng>];
    const band = firstChangedBand(r, w);
    if (!band) throw new Error('the reference and the control look the same: the terminal did not print them');
    const pixelsMatch = bandsEqual(a, r, band) && !bandsEqual(a, w, band);
    console.log(`pixel check (rows ${band.y0}-${band.y1}): the output ${pixelsMatch ? 'is' : 'is NOT'} ${EXPECTED_TEXT}`);

    const text = ocr(actual.png);
    if (text === null) console.log('OCR skipped (no tesseract; apt-get install tesseract-ocr)');
    else console.log(`OCR: ${text.includes(EXPECTED_TEXT) ? 'found' : 'did not find'} ${EXPECTED_TEXT}`);
    console.log('screenshot saved as computer-use-api-only.png');
    if (!pixelsMatch) process.exitCode = 1;
  } finally {
    await genos.environments.terminate.mutate({ id });
    console.log(`terminated ${id}`);
  }
}

main().catch((e: unknown) => {
  // CONTROL_TAKEN (someone took over), THROTTLED, UNSUPPORTED: the server's code and message say which.
  if (e instanceof TRPCClientError) console.error(`GenOS said ${String(e.data?.appCode ?? e.data?.code)}: ${e.message}`);
  else console.error(e);
  process.exit(1);
});
