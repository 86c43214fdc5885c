import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { GuacFramebuffer } from './guac-framebuffer';

// guacd's drawing instructions, made up here, applied to the engine's
// framebuffer; the result is read back from its PNG snapshots.

type Rgba = [number, number, number, number];

function pngOf(width: number, height: number, pixel: (x: number, y: number) => Rgba): string {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) png.data.set(pixel(x, y), (y * width + x) * 4);
  return PNG.sync.write(png).toString('base64');
}

function jpegOf(width: number, height: number, rgb: [number, number, number]): string {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([...rgb, 255], i * 4);
  return jpeg.encode({ width, height, data }, 95).data.toString('base64');
}

/** Sends an image in two blobs, as guacd splits a stream. */
function img(fb: GuacFramebuffer, stream: number, layer: number, mimetype: string, x: number, y: number, base64: string, mask = 0xe) {
  fb.handle('img', [String(stream), String(mask), String(layer), mimetype, String(x), String(y)]);
  const half = Math.floor(base64.length / 2);
  fb.handle('blob', [String(stream), base64.slice(0, half)]);
  fb.handle('blob', [String(stream), base64.slice(half)]);
  fb.handle('end', [String(stream)]);
}

const sync = (fb: GuacFramebuffer) => fb.handle('sync', ['1']);

/** Pixel (x, y) of a snapshot. */
function pixelOf(png: Buffer, x: number, y: number): Rgba {
  const p = PNG.sync.read(png);
  return Array.from(p.data.subarray((y * p.width + x) * 4, (y * p.width + x) * 4 + 4)) as Rgba;
}

function screen(width = 100, height = 80) {
  const fb = new GuacFramebuffer();
  fb.handle('size', ['0', String(width), String(height)]);
  return fb;
}

describe('GuacFramebuffer', () => {
  it('draws PNG images where guacd says, and bumps the version once per frame', () => {
    const fb = screen();
    sync(fb);
    expect(fb.ready).toBe(false); // sized, nothing drawn yet
    expect(fb.version).toBe(1);
    img(fb, 1, 0, 'image/png', 0, 0, pngOf(100, 80, () => [10, 20, 30, 255]));
    img(fb, 2, 0, 'image/png', 10, 10, pngOf(5, 5, () => [200, 0, 0, 255]));
    expect(fb.version).toBe(1); // not before the frame ends
    sync(fb);
    expect(fb.version).toBe(2);
    expect(fb.ready).toBe(true);
    const shot = fb.snapshot();
    expect([shot.width, shot.height, shot.version]).toEqual([100, 80, 2]);
    expect(pixelOf(shot.png, 0, 0)).toEqual([10, 20, 30, 255]);
    expect(pixelOf(shot.png, 12, 12)).toEqual([200, 0, 0, 255]);
    expect(pixelOf(shot.png, 15, 15)).toEqual([10, 20, 30, 255]);
  });

  it('decodes JPEG tiles', () => {
    const fb = screen();
    img(fb, 1, 0, 'image/jpeg', 20, 20, jpegOf(16, 16, [0, 128, 255]));
    sync(fb);
    const [r, g, b] = pixelOf(fb.snapshot().png, 28, 28);
    // JPEG is lossy: near enough.
    expect(Math.abs(r - 0) + Math.abs(g - 128) + Math.abs(b - 255)).toBeLessThan(12);
  });

  it('blends a translucent PNG OVER the screen, and replaces with the SRC mask', () => {
    const fb = screen();
    img(fb, 1, 0, 'image/png', 0, 0, pngOf(100, 80, () => [255, 255, 255, 255]));
    img(fb, 2, 0, 'image/png', 0, 0, pngOf(10, 10, () => [0, 0, 0, 128]));
    img(fb, 3, 0, 'image/png', 20, 0, pngOf(10, 10, () => [0, 0, 0, 128]), 0xc);
    sync(fb);
    const shot = fb.snapshot().png;
    // Half-transparent black over white: grey.
    expect(pixelOf(shot, 5, 5)[0]).toBeGreaterThan(120);
    expect(pixelOf(shot, 5, 5)[0]).toBeLessThan(136);
    // SRC leaves a half-transparent pixel, which the opaque PNG shows over black.
    expect(pixelOf(shot, 25, 5).slice(0, 3)).toEqual([0, 0, 0]);
  });

  it('fills rect paths with cfill, and copies within the screen (scrolling) and from buffers', () => {
    const fb = screen();
    fb.handle('rect', ['0', '0', '0', '100', '80']);
    fb.handle('cfill', ['14', '0', '255', '255', '255', '255']);
    fb.handle('rect', ['0', '0', '0', '10', '10']);
    fb.handle('rect', ['0', '50', '50', '10', '10']);
    fb.handle('cfill', ['14', '0', '0', '0', '255', '255']);
    // An off-screen buffer grows to what is drawn into it.
    fb.handle('rect', ['-1', '0', '0', '4', '4']);
    fb.handle('cfill', ['12', '-1', '0', '255', '0', '255']);
    fb.handle('copy', ['-1', '0', '0', '4', '4', '12', '0', '90', '70']);
    // Overlapping copy within layer 0: the blue square at (0,0) moves down by 5.
    fb.handle('copy', ['0', '0', '0', '10', '10', '12', '0', '0', '5']);
    sync(fb);
    const shot = fb.snapshot().png;
    expect(pixelOf(shot, 2, 2)).toEqual([0, 0, 255, 255]); // still blue from the old square's top (rows 0-4 kept)
    expect(pixelOf(shot, 2, 14)).toEqual([0, 0, 255, 255]); // moved rows
    expect(pixelOf(shot, 2, 16)).toEqual([255, 255, 255, 255]);
    expect(pixelOf(shot, 55, 55)).toEqual([0, 0, 255, 255]);
    expect(pixelOf(shot, 92, 72)).toEqual([0, 255, 0, 255]);
    fb.handle('dispose', ['-1']);
    fb.handle('copy', ['-1', '0', '0', '4', '4', '12', '0', '0', '0']); // a disposed buffer is empty: nothing to copy
    sync(fb);
    expect(pixelOf(fb.snapshot().png, 1, 1)).toEqual([0, 0, 255, 255]);
  });

  it('counts only frames that change pixels on the screen', () => {
    const fb = screen();
    const tile = pngOf(10, 10, () => [1, 2, 3, 255]);
    img(fb, 1, 0, 'image/png', 0, 0, tile);
    sync(fb);
    expect(fb.version).toBe(1);
    img(fb, 2, 0, 'image/png', 0, 0, tile); // identical content again
    sync(fb);
    fb.handle('rect', ['-2', '0', '0', '5', '5']); // a buffer, not the screen
    fb.handle('cfill', ['14', '-2', '9', '9', '9', '255']);
    sync(fb);
    expect(fb.version).toBe(1);
    expect(fb.changedSince(1)).toBe(false);
    img(fb, 3, 0, 'image/png', 50, 50, pngOf(2, 2, () => [9, 9, 9, 255]));
    sync(fb);
    expect(fb.version).toBe(2);
    expect(fb.changedSince(1)).toBe(true);
    expect(fb.changedSince(1, { x: 0, y: 0, width: 20, height: 20 })).toBe(false);
    expect(fb.changedSince(1, { x: 45, y: 45, width: 10, height: 10 })).toBe(true);
    expect(fb.changedSince(0, { x: 0, y: 0, width: 20, height: 20 })).toBe(true);
  });

  it('tells listeners about each changed frame', () => {
    const fb = screen();
    const seen: number[] = [];
    const stop = fb.onChange((c) => seen.push(c.version));
    img(fb, 1, 0, 'image/png', 0, 0, pngOf(4, 4, () => [1, 1, 1, 255]));
    sync(fb);
    stop();
    img(fb, 2, 0, 'image/png', 0, 0, pngOf(4, 4, () => [2, 2, 2, 255]));
    sync(fb);
    expect(seen).toEqual([1]);
  });

  it('keeps what overlaps when the screen is resized, and counts the resize as a change', () => {
    const fb = screen(20, 20);
    img(fb, 1, 0, 'image/png', 0, 0, pngOf(20, 20, () => [7, 7, 7, 255]));
    sync(fb);
    fb.handle('size', ['0', '30', '10']);
    sync(fb);
    expect(fb.version).toBe(2);
    const shot = fb.snapshot();
    expect([shot.width, shot.height]).toEqual([30, 10]);
    expect(pixelOf(shot.png, 19, 9)).toEqual([7, 7, 7, 255]);
    expect(pixelOf(shot.png, 25, 5)).toEqual([0, 0, 0, 255]); // never drawn: black (the PNG is opaque RGB)
  });

  it('crops to a region, clipped to the screen, and scales by averaging', () => {
    const fb = screen(100, 80);
    // Left half black, right half white.
    img(fb, 1, 0, 'image/png', 0, 0, pngOf(100, 80, (x) => (x < 50 ? [0, 0, 0, 255] : [255, 255, 255, 255])));
    sync(fb);
    const region = fb.snapshot({ region: { x: 40, y: 10, width: 20, height: 30 } });
    expect([region.width, region.height]).toEqual([20, 30]);
    expect(pixelOf(region.png, 0, 0)).toEqual([0, 0, 0, 255]);
    expect(pixelOf(region.png, 19, 0)).toEqual([255, 255, 255, 255]);
    const clipped = fb.snapshot({ region: { x: 90, y: 70, width: 50, height: 50 } });
    expect([clipped.width, clipped.height]).toEqual([10, 10]);
    const half = fb.snapshot({ scale: 0.5 });
    expect([half.width, half.height]).toEqual([50, 40]);
    expect(pixelOf(half.png, 10, 10)).toEqual([0, 0, 0, 255]);
    expect(pixelOf(half.png, 40, 10)).toEqual([255, 255, 255, 255]);
    // Scaling a 2-pixel stripe pattern by 1/2 averages to grey.
    const odd = screen(4, 2);
    img(odd, 1, 0, 'image/png', 0, 0, pngOf(4, 2, (x) => (x % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255])));
    sync(odd);
    expect(pixelOf(odd.snapshot({ scale: 0.5 }).png, 0, 0)).toEqual([128, 128, 128, 255]);
    expect(odd.snapshot({ scale: 0.05 })).toMatchObject({ width: 1, height: 1 });
  });

  it('refuses a region off the screen and a scale out of range', () => {
    const fb = screen(10, 10);
    expect(() => fb.snapshot({ region: { x: 20, y: 0, width: 5, height: 5 } })).toThrow(/outside the 10x10 screen/);
    expect(() => fb.snapshot({ scale: 0 })).toThrow(/scale/);
    expect(() => fb.snapshot({ scale: 1.5 })).toThrow(/scale/);
  });

  it('skips corrupt images and image types it did not announce, and leaves other streams alone', () => {
    const fb = screen(10, 10);
    sync(fb);
    expect(fb.version).toBe(1); // sizing the screen is a change
    img(fb, 1, 0, 'image/png', 0, 0, Buffer.from('not a png').toString('base64'));
    img(fb, 2, 0, 'image/webp', 0, 0, Buffer.from('RIFF').toString('base64'));
    sync(fb);
    expect(fb.version).toBe(1);
    // A blob of a stream it does not know (a clipboard stream) is not its own.
    expect(fb.handle('blob', ['9', 'aGk='])).toBe(false);
    expect(fb.handle('end', ['9'])).toBe(false);
    expect(fb.handle('name', ['desk'])).toBe(false);
  });

  it('returns the same PNG for the same unchanged view', () => {
    const fb = screen(10, 10);
    img(fb, 1, 0, 'image/png', 0, 0, pngOf(10, 10, () => [5, 5, 5, 255]));
    sync(fb);
    const a = fb.snapshot();
    expect(fb.snapshot()).toBe(a);
    img(fb, 2, 0, 'image/png', 0, 0, pngOf(2, 2, () => [6, 6, 6, 255]));
    sync(fb);
    expect(fb.snapshot()).not.toBe(a);
  });
});
