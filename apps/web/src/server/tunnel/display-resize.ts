/**
 * Sizes asked for by one viewer (Guacamole `size` instructions), applied one
 * at a time and at most every `gapMs`: while one is applied the newest waits
 * and older ones are dropped, so a window drag or a misbehaving client costs
 * a few resize jobs, not one per pixel.
 */
export function createResizeQueue(apply: (width: number, height: number) => Promise<unknown>, opts: { gapMs?: number; onError?: (e: unknown) => void } = {}) {
  let next: [number, number] | null = null;
  let busy = false;
  const run = async () => {
    busy = true;
    while (next) {
      const [w, h] = next;
      next = null;
      await apply(w, h).catch((e: unknown) => opts.onError?.(e));
      await new Promise((r) => setTimeout(r, opts.gapMs ?? 250));
    }
    busy = false;
  };
  return (width: number, height: number) => {
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) return;
    next = [width, height];
    if (!busy) void run();
  };
}
