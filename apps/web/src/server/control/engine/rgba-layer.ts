/**
 * A Guacamole layer (or buffer) as pixels: one 32-bit word per pixel whose
 * bytes are R, G, B, A in memory order, so the same memory is the RGBA buffer
 * PNG encoding wants. Every drawing function reports the rectangle whose
 * pixels really changed (null when none did): guacd resends identical
 * content now and then, and "the screen changed" must mean what a person
 * would see change.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RgbaLayer {
  width: number;
  height: number;
  px: Uint32Array;
}

/** Decoded image pixels, RGBA bytes row by row. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** Guacamole's composite mask for "source replaces destination" (SRC); every other mask is drawn as OVER. */
export const GUAC_COMPOSITE_SRC = 0xc;

export const createLayer = (width: number, height: number): RgbaLayer => ({ width, height, px: new Uint32Array(Math.max(0, width * height)) });

/** New size, keeping what overlaps (what guacamole-common-js does on `size`). */
export function resizeLayer(l: RgbaLayer, width: number, height: number): void {
  if (width === l.width && height === l.height) return;
  const next = new Uint32Array(Math.max(0, width * height));
  const w = Math.min(width, l.width);
  for (let y = 0; y < Math.min(height, l.height); y++) next.set(l.px.subarray(y * l.width, y * l.width + w), y * width);
  l.px = next;
  l.width = width;
  l.height = height;
}

/** The part of `r` inside a width×height area, or null. */
export function clipRect(r: Rect, width: number, height: number): Rect | null {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : null;
}

export const intersects = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

export function unionRect(a: Rect | null, b: Rect | null): Rect | null {
  if (!a) return b;
  if (!b) return a;
  const x = Math.min(a.x, b.x);
  const y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Tracks the bounding box of changed pixels. */
class Changes {
  x0 = Infinity;
  y0 = Infinity;
  x1 = -1;
  y1 = -1;
  mark(x: number, y: number) {
    if (x < this.x0) this.x0 = x;
    if (x > this.x1) this.x1 = x;
    if (y < this.y0) this.y0 = y;
    if (y > this.y1) this.y1 = y;
  }
  rect(): Rect | null {
    return this.x1 < 0 ? null : { x: this.x0, y: this.y0, width: this.x1 - this.x0 + 1, height: this.y1 - this.y0 + 1 };
  }
}

// Pixel words are little-endian RGBA: alpha is the top byte.
const alphaOf = (p: number) => p >>> 24;

/** Source OVER destination for one pixel (non-premultiplied, as both sides are stored). */
function over(src: number, dst: number): number {
  const sa = alphaOf(src);
  if (sa === 255) return src;
  if (sa === 0) return dst;
  const da = alphaOf(dst);
  const outA = sa + ((da * (255 - sa)) / 255);
  const mix = (shift: number) => {
    const s = (src >>> shift) & 0xff;
    const d = (dst >>> shift) & 0xff;
    return Math.round((s * sa + (d * da * (255 - sa)) / 255) / outA) & 0xff;
  };
  return ((Math.round(outA) << 24) | (mix(16) << 16) | (mix(8) << 8) | mix(0)) >>> 0;
}

/**
 * Draws `src` pixels (a word array with row stride `stride`, starting at
 * `srcOffset`) into `dst` at (dx, dy), clipped to dst. With `src` null
 * the word `fill` is drawn everywhere (a colour fill).
 */
function composite(dst: RgbaLayer, dx: number, dy: number, w: number, h: number, src: Uint32Array | null, srcOffset: number, stride: number, fill: number, useOver: boolean): Rect | null {
  const area = clipRect({ x: dx, y: dy, width: w, height: h }, dst.width, dst.height);
  if (!area) return null;
  const changes = new Changes();
  const d = dst.px;
  for (let y = area.y; y < area.y + area.height; y++) {
    const sRow = srcOffset + (y - dy) * stride - dx;
    const dRow = y * dst.width;
    for (let x = area.x; x < area.x + area.width; x++) {
      const s = src ? src[sRow + x]! : fill;
      const old = d[dRow + x]!;
      const next = useOver ? over(s, old) : s;
      if (next !== old) {
        d[dRow + x] = next;
        changes.mark(x, y);
      }
    }
  }
  return changes.rect();
}

const wordsOf = (data: Uint8Array): Uint32Array => {
  // Uint32Array needs 4-byte alignment; decoders usually hand out aligned buffers, copy when not.
  if (data.byteOffset % 4 === 0) return new Uint32Array(data.buffer, data.byteOffset, data.byteLength >>> 2);
  return new Uint32Array(Uint8Array.from(data).buffer);
};

/** An image drawn at (x, y). */
export function drawImage(dst: RgbaLayer, x: number, y: number, img: RgbaImage, mask: number): Rect | null {
  return composite(dst, x, y, img.width, img.height, wordsOf(img.data), 0, img.width, 0, mask !== GUAC_COMPOSITE_SRC);
}

/** A solid colour over `r`. */
export function fillRect(dst: RgbaLayer, r: Rect, rgba: [number, number, number, number], mask: number): Rect | null {
  const [red, green, blue, alpha] = rgba.map((c) => Math.max(0, Math.min(255, c | 0))) as [number, number, number, number];
  const word = ((alpha << 24) | (blue << 16) | (green << 8) | red) >>> 0;
  return composite(dst, r.x, r.y, r.width, r.height, null, 0, 0, word, mask !== GUAC_COMPOSITE_SRC);
}

/** A rectangle of `src` copied into `dst` at (dx, dy); src and dst may be the same layer and overlap (scrolling). */
export function copyRect(src: RgbaLayer, r: Rect, dst: RgbaLayer, dx: number, dy: number, mask: number): Rect | null {
  const from = clipRect(r, src.width, src.height);
  if (!from) return null;
  // Copy out first: an overlapping copy within one layer must read the old pixels.
  const tmp = new Uint32Array(from.width * from.height);
  for (let y = 0; y < from.height; y++) {
    const start = (from.y + y) * src.width + from.x;
    tmp.set(src.px.subarray(start, start + from.width), y * from.width);
  }
  return composite(dst, dx + (from.x - r.x), dy + (from.y - r.y), from.width, from.height, tmp, 0, from.width, 0, mask !== GUAC_COMPOSITE_SRC);
}

/** Grows a layer (never shrinks) so that `r` fits: guacamole-common-js autosizes buffers and off-screen layers the same way. */
export function growToFit(l: RgbaLayer, r: Rect): void {
  const w = Math.max(l.width, r.x + r.width);
  const h = Math.max(l.height, r.y + r.height);
  if (w > l.width || h > l.height) resizeLayer(l, w, h);
}

/** Opaque pixels, RGB bytes row by row: what a screenshot shows. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/**
 * A region of a layer as opaque RGB (composited over black, as a viewer's
 * screen starts), scaled by area averaging: a fair thumbnail of text, unlike
 * nearest-neighbour. RGB rather than RGBA: it is what the PNG holds, and the
 * PNG encoder's per-pixel alpha handling cost more than the rest together.
 */
export function extractRegion(l: RgbaLayer, r: Rect, scale: number): RgbImage {
  const outW = Math.max(1, Math.round(r.width * scale));
  const outH = Math.max(1, Math.round(r.height * scale));
  const out = new Uint8Array(outW * outH * 3);
  const px = l.px;
  // Each output pixel averages the source box it covers; boxes tile the region exactly (1x1 boxes unscaled).
  const xEdges = Array.from({ length: outW + 1 }, (_, i) => r.x + Math.floor((i * r.width) / outW));
  const yEdges = Array.from({ length: outH + 1 }, (_, i) => r.y + Math.floor((i * r.height) / outH));
  if (outW === r.width && outH === r.height) {
    let o = 0;
    for (let y = r.y; y < r.y + r.height; y++) {
      for (let i = y * l.width + r.x, end = i + r.width; i < end; i++, o += 3) {
        const p = px[i]!;
        const a = p >>> 24;
        if (a === 255) {
          out[o] = p & 0xff;
          out[o + 1] = (p >>> 8) & 0xff;
          out[o + 2] = (p >>> 16) & 0xff;
        } else if (a !== 0) {
          out[o] = ((p & 0xff) * a) / 255;
          out[o + 1] = (((p >>> 8) & 0xff) * a) / 255;
          out[o + 2] = (((p >>> 16) & 0xff) * a) / 255;
        }
      }
    }
    return { width: outW, height: outH, data: out };
  }
  const acc = new Float64Array(outW * 3);
  for (let oy = 0; oy < outH; oy++) {
    acc.fill(0);
    const y0 = yEdges[oy]!;
    const y1 = Math.max(yEdges[oy + 1]!, y0 + 1);
    for (let y = y0; y < y1; y++) {
      const row = y * l.width;
      for (let ox = 0; ox < outW; ox++) {
        const x1 = Math.max(xEdges[ox + 1]!, xEdges[ox]! + 1);
        let red = 0;
        let green = 0;
        let blue = 0;
        for (let x = xEdges[ox]!; x < x1; x++) {
          const p = px[row + x]!;
          const a = (p >>> 24) / 255;
          red += (p & 0xff) * a;
          green += ((p >>> 8) & 0xff) * a;
          blue += ((p >>> 16) & 0xff) * a;
        }
        acc[ox * 3] = acc[ox * 3]! + red;
        acc[ox * 3 + 1] = acc[ox * 3 + 1]! + green;
        acc[ox * 3 + 2] = acc[ox * 3 + 2]! + blue;
      }
    }
    for (let ox = 0; ox < outW; ox++) {
      const n = (y1 - y0) * (Math.max(xEdges[ox + 1]!, xEdges[ox]! + 1) - xEdges[ox]!);
      const o = (oy * outW + ox) * 3;
      out[o] = Math.round(acc[ox * 3]! / n);
      out[o + 1] = Math.round(acc[ox * 3 + 1]! / n);
      out[o + 2] = Math.round(acc[ox * 3 + 2]! / n);
    }
  }
  return { width: outW, height: outH, data: out };
}
