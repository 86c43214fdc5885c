import { describe, expect, it } from 'vitest';
import { installImageStreamReader } from './image-stream-reader';

/** An input stream as guacamole-common-js hands it to a reader: blobs arrive base64, acks go back. */
const stream = () => ({ acks: 0, onblob: null as null | ((d: string) => void), onend: null as null | (() => void), sendAck() { this.acks++; } });

class LibraryReader {
  constructor(public s: ReturnType<typeof stream>, public mimetype: string) {
    s.onblob = () => s.sendAck();
  }
}

describe('image stream reader', () => {
  it('joins an image\'s chunks into one blob and sends no acknowledgement per chunk', async () => {
    const G = { BlobReader: LibraryReader as unknown };
    installImageStreamReader(G);
    const s = stream();
    const reader = new (G.BlobReader as new (s: unknown, m: string) => any)(s, 'image/jpeg');
    let ended = false;
    reader.onend = () => (ended = true);
    const bytes = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 7) % 256);
    for (let i = 0; i < bytes.length; i += 4500) s.onblob!(Buffer.from(bytes.subarray(i, i + 4500)).toString('base64'));
    s.onend!();
    expect(ended).toBe(true);
    expect(s.acks).toBe(0);
    expect(reader.getLength()).toBe(10_000);
    const blob: Blob = reader.getBlob();
    expect(blob.type).toBe('image/jpeg');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
  });

  it('leaves every other stream (files, clipboard) to the library\'s reader and its flow control', () => {
    const G = { BlobReader: LibraryReader as unknown };
    installImageStreamReader(G);
    installImageStreamReader(G); // a second display on the page: installed once
    const s = stream();
    const reader = new (G.BlobReader as new (s: unknown, m: string) => any)(s, 'application/octet-stream');
    expect(reader).toBeInstanceOf(LibraryReader);
    s.onblob!('AAAA');
    expect(s.acks).toBe(1);
  });
});
