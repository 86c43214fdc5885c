import type { ImageRecord } from '../ports/admin-store';
import type { Store } from '../ports/store';

export const BUILD_LOG_FLUSH_MS = 500;

/**
 * Runs one `image.build` job: the row goes `building`, every log line the
 * build reports is appended to Image.buildLog (batched, at most every
 * `flushMs`, so a chatty apt does not write per line), then `ready` with the
 * digest or `failed` with the error as the log's last line.
 * A row already ready and unchanged since (a duplicate job) is left alone.
 */
export async function runImageBuild(opts: {
  store: Store;
  imageId: string;
  build: (packages: string[], onLine: (line: string) => void) => Promise<{ digest?: string | null }>;
  flushMs?: number;
}): Promise<ImageRecord | null> {
  const { store } = opts;
  const img = await store.admin.images.findById(opts.imageId);
  if (!img || img.status === 'ready' || img.status === 'failed') return img;
  await store.admin.images.setStatus(img.id, 'building');
  let pending: string[] = [];
  let writing = Promise.resolve();
  const flush = () => {
    if (!pending.length) return writing;
    const text = pending.join('');
    pending = [];
    writing = writing.then(() => store.admin.images.appendLog(img.id, text)).catch(() => undefined);
    return writing;
  };
  const timer = setInterval(() => void flush(), opts.flushMs ?? BUILD_LOG_FLUSH_MS);
  const onLine = (line: string) => {
    for (const l of line.split(/\r?\n/)) if (l.trim()) pending.push(`${l.replace(/\s+$/, '')}\n`);
  };
  try {
    onLine(`image ${img.tag} v${img.version}: ${img.packages.join(' ')}`);
    const result = await opts.build(img.packages, onLine);
    onLine('build finished: ready');
    clearInterval(timer);
    await flush();
    return await store.admin.images.setStatus(img.id, 'ready', { digest: result.digest ?? null });
  } catch (e) {
    onLine(`build failed: ${e instanceof Error ? e.message : String(e)}`);
    clearInterval(timer);
    await flush();
    return await store.admin.images.setStatus(img.id, 'failed');
  }
}
