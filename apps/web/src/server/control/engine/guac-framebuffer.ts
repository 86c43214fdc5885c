import { AppError } from '@genos/core';
import { decodeImage, encodePng } from './image-codec';
import { clipRect, copyRect, createLayer, drawImage, extractRegion, fillRect, growToFit, intersects, resizeLayer, unionRect, type Rect, type RgbaLayer } from './rgba-layer';

/**
 * The screen as a browser would hold it, rebuilt from guacd's drawing
 * instructions. guacd 1.3 renders VNC and RDP into its own surface and sends
 * only its results: `size`, `img` streams (PNG/JPEG, the only types the
 * engine announces) with `blob`/`end`, `copy`, `rect`+`cfill` and `dispose`.
 * Layer 0 is the screen; negative indices are off-screen buffers.
 *
 * `version` counts frames (a frame ends at guacd's `sync`) in which layer 0's
 * pixels really changed, so a program can ask "did anything change since
 * version N" without comparing screenshots itself.
 */

export interface FrameChange {
  version: number;
  rect: Rect;
}

interface ImageStream {
  layer: number;
  mask: number;
  mimetype: string;
  x: number;
  y: number;
  chunks: string[];
  size: number;
}

/** Base64 one image stream may hold: a full 2560x1600 PNG of noise is ~16 MB of base64. */
const MAX_IMAGE_STREAM = 32 * 1024 * 1024;
/** Frame changes remembered for waitForChange's `sinceVersion`; older ones count as "changed". */
const CHANGE_LOG = 512;

const int = (s: string | undefined) => {
  const n = Number.parseInt(s ?? '', 10);
  return Number.isFinite(n) ? n : 0;
};

export class GuacFramebuffer {
  private layers = new Map<number, RgbaLayer>([[0, createLayer(0, 0)]]);
  private images = new Map<string, ImageStream>();
  /** Rectangles of the current path per layer (`rect` adds, `cfill` fills and clears). */
  private paths = new Map<number, Rect[]>();
  private dirty: Rect | null = null;
  private log: FrameChange[] = [];
  private listeners = new Set<(c: FrameChange) => void>();
  private cache: { key: string; result: { png: Buffer; width: number; height: number; version: number } } | null = null;
  private _version: number;
  /** At least one frame has drawn pixels on the screen (guacd sizes it in a frame of its own first). */
  private painted = false;

  /**
   * `startVersion`: the last version a previous connection to the same desktop
   * reached, so versions a program holds stay comparable across reconnects.
   */
  constructor(startVersion = 0) {
    this._version = startVersion;
  }

  get version(): number {
    return this._version;
  }

  get screen(): { width: number; height: number } {
    const l = this.layers.get(0)!;
    return { width: l.width, height: l.height };
  }

  /** The first frame has arrived: a screenshot now shows the desktop, not a black rectangle. */
  get ready(): boolean {
    return this.painted;
  }

  private layer(index: number): RgbaLayer {
    let l = this.layers.get(index);
    if (!l) this.layers.set(index, (l = createLayer(0, 0)));
    return l;
  }

  /** A frame that drew pixels on the screen since the last sync (a bare resize only makes it black). */
  private drew = false;

  private touched(index: number, rect: Rect | null, drawing = true) {
    if (index !== 0 || !rect) return;
    this.dirty = unionRect(this.dirty, rect);
    if (drawing) this.drew = true;
  }

  /** Applies one instruction from guacd; false for an instruction that is not about drawing (or a stream not its own). */
  handle(opcode: string, args: string[]): boolean {
    switch (opcode) {
      case 'size': {
        const index = int(args[0]);
        const l = this.layer(index);
        const before = { width: l.width, height: l.height };
        resizeLayer(l, Math.max(0, int(args[1])), Math.max(0, int(args[2])));
        if (index === 0 && (before.width !== l.width || before.height !== l.height)) this.touched(0, { x: 0, y: 0, width: l.width, height: l.height }, false);
        return true;
      }
      case 'img': {
        const [stream = '', mask, layer, mimetype = '', x, y] = args;
        this.images.set(stream, { mask: int(mask), layer: int(layer), mimetype, x: int(x), y: int(y), chunks: [], size: 0 });
        return true;
      }
      case 'blob': {
        const s = this.images.get(args[0] ?? '');
        if (!s) return false;
        const data = args[1] ?? '';
        s.size += data.length;
        if (s.size > MAX_IMAGE_STREAM) s.chunks = [];
        else s.chunks.push(data);
        return true;
      }
      case 'end': {
        const s = this.images.get(args[0] ?? '');
        if (!s) return false;
        this.images.delete(args[0]!);
        if (s.size <= MAX_IMAGE_STREAM) this.drawStream(s);
        return true;
      }
      case 'copy': {
        const [srcLayer, sx, sy, w, h, mask, dstLayer, dx, dy] = args.map(int) as number[];
        const dst = this.layer(dstLayer!);
        if (dstLayer !== 0) growToFit(dst, { x: dx!, y: dy!, width: w!, height: h! });
        this.touched(dstLayer!, copyRect(this.layer(srcLayer!), { x: sx!, y: sy!, width: w!, height: h! }, dst, dx!, dy!, mask!));
        return true;
      }
      case 'rect': {
        const [layer, x, y, w, h] = args.map(int) as number[];
        const path = this.paths.get(layer!) ?? [];
        path.push({ x: x!, y: y!, width: w!, height: h! });
        this.paths.set(layer!, path);
        return true;
      }
      case 'cfill': {
        const [mask, layer, r, g, b, a] = args.map(int) as number[];
        const l = this.layer(layer!);
        for (const rect of this.paths.get(layer!) ?? []) {
          if (layer !== 0) growToFit(l, rect);
          this.touched(layer!, fillRect(l, rect, [r!, g!, b!, a!], mask!));
        }
        this.paths.delete(layer!);
        return true;
      }
      case 'dispose': {
        const index = int(args[0]);
        if (index !== 0) this.layers.delete(index);
        return true;
      }
      case 'sync':
        this.endFrame();
        return false; // the connection still answers it
      default:
        return false;
    }
  }

  private drawStream(s: ImageStream) {
    let img;
    try {
      img = decodeImage(s.mimetype, Buffer.from(s.chunks.join(''), 'base64'));
    } catch {
      return; // a corrupt tile is skipped, as a browser would skip it; the next update repaints the area
    }
    if (!img) return;
    const l = this.layer(s.layer);
    if (s.layer !== 0) growToFit(l, { x: s.x, y: s.y, width: img.width, height: img.height });
    this.touched(s.layer, drawImage(l, s.x, s.y, img, s.mask));
  }

  private endFrame() {
    if (!this.dirty) return;
    const change = { version: ++this._version, rect: this.dirty };
    this.dirty = null;
    if (this.drew) this.painted = true;
    this.drew = false;
    this.log.push(change);
    if (this.log.length > CHANGE_LOG) this.log.splice(0, this.log.length - CHANGE_LOG);
    for (const f of this.listeners) f(change);
  }

  /** Whether any frame after `version` changed pixels inside `region` (anywhere without one). */
  changedSince(version: number, region?: Rect): boolean {
    if (version >= this._version) return false;
    const oldest = this.log[0];
    // Changes older than the log remembers: assume they touched the region.
    if (!oldest || oldest.version > version + 1) return true;
    return this.log.some((c) => c.version > version && (!region || intersects(c.rect, region)));
  }

  /** Calls `f` after every frame that changed the screen, until the returned function is called. */
  onChange(f: (c: FrameChange) => void): () => void {
    this.listeners.add(f);
    return () => this.listeners.delete(f);
  }

  /** The screen (or a region of it, clipped to the screen), optionally scaled, as a PNG. */
  snapshot(o: { region?: Rect; scale?: number } = {}): { png: Buffer; width: number; height: number; version: number } {
    const scale = o.scale ?? 1;
    if (!(scale > 0 && scale <= 1)) throw new AppError('VALIDATION', `scale must be above 0 and at most 1, not ${scale}`);
    const screen = this.layers.get(0)!;
    const full = { x: 0, y: 0, width: screen.width, height: screen.height };
    const area = o.region ? clipRect(o.region, screen.width, screen.height) : clipRect(full, screen.width, screen.height);
    if (!area) throw new AppError('VALIDATION', `region is outside the ${screen.width}x${screen.height} screen`);
    // An idle screen asked again (a program polling) costs nothing.
    const key = `${this._version}:${area.x},${area.y},${area.width},${area.height}:${scale}`;
    if (this.cache?.key === key && !this.dirty) return this.cache.result;
    const img = extractRegion(screen, area, scale);
    const result = { png: encodePng(img), width: img.width, height: img.height, version: this._version };
    this.cache = this.dirty ? null : { key, result };
    return result;
  }
}
