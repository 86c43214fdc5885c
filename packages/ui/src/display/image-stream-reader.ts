/**
 * guacamole-common-js 1.5 reads every image guacd sends through its
 * BlobReader, which makes a Blob of each ~4.5 KB chunk (each one registered
 * with the browser process) and acknowledges each chunk over the tunnel: a
 * full-screen frame is ~50 chunks, so 30 frames/s meant ~1,500 Blobs and
 * ~1,500 upstream messages a second, all on the same cores that must decode
 * the frames. guacd never waits on those acknowledgements for images (it
 * sends image, blobs and end in one go; the library's own data-URI path never
 * acknowledges either), so for image/* streams this reader keeps the chunks
 * as bytes, makes one Blob at the end and sends nothing back. Every other
 * stream (files, clipboard) keeps the library's reader and its flow control.
 */
export function installImageStreamReader(G: any): void {
  const Original = G.BlobReader;
  if (!Original || Original.genosImageReader) return;
  function Reader(this: any, stream: any, mimetype: string) {
    // Returning an object from a constructor makes `new` yield it: other streams get the original.
    if (!/^image\//.test(mimetype)) return new Original(stream, mimetype);
    const chunks: Uint8Array[] = [];
    let length = 0;
    stream.onblob = (data: string) => {
      const binary = atob(data);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      chunks.push(bytes);
      length += bytes.length;
      this.onprogress?.(bytes.length);
    };
    stream.onend = () => this.onend?.();
    this.getLength = () => length;
    this.getBlob = () => new Blob(chunks as BlobPart[], { type: mimetype });
  }
  (Reader as any).genosImageReader = true;
  G.BlobReader = Reader;
}
