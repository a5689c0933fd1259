import { Duplex } from 'node:stream';
import { WebSocket, type RawData } from 'ws';

/**
 * One WebSocket as the RFB byte stream: what a browser viewer (noVNC) sends
 * and receives, in binary frames — or, when the client chose websockify's
 * `base64` subprotocol, as base64 text frames.
 */

/** Largest single frame we send: queued writes are batched into frames up to this size. */
const MAX_FRAME_BYTES = 1024 * 1024;

/**
 * One WebSocket as the byte stream RFB expects. Every write leaves as binary
 * frames; `writableLength` counts the bytes not yet handed to the kernel (a
 * write completes when ws has flushed its frame to the TCP socket), so the
 * session's backpressure works as it does on TCP.
 */
export class WebSocketStream extends Duplex {
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  private readonly base64: boolean;

  constructor(
    private readonly ws: WebSocket,
    remote: { remoteAddress?: string | undefined; remotePort?: number | undefined },
  ) {
    super({ allowHalfOpen: false, decodeStrings: true });
    this.remoteAddress = remote.remoteAddress;
    this.remotePort = remote.remotePort;
    // websockify's 'base64' subprotocol (old noVNC, some proxies): RFB bytes as base64 text frames both ways.
    this.base64 = ws.protocol === 'base64';
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const raw = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (isBinary === this.base64) {
        ws.close(1003, this.base64 ? 'base64 text frames only (the subprotocol chosen)' : 'binary frames only');
        return;
      }
      const chunk = this.base64 ? Buffer.from(raw.toString('latin1'), 'base64') : raw;
      if (!this.push(chunk)) ws.pause();
    });
    ws.on('close', () => {
      this.push(null);
      // allowHalfOpen is off, so the stream ends and closes itself once read; make sure of it.
      setTimeout(() => this.destroy(), 1000).unref();
    });
    ws.on('error', (err: Error) => this.destroy(err));
  }

  /** Bytes queued in ws and its TCP socket beyond what this stream still holds. */
  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  override _read(): void {
    if (this.ws.isPaused) this.ws.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendFrames([chunk], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    this.sendFrames(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  override _final(callback: (error?: Error | null) => void): void {
    // The close frame follows the data already queued.
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.ws.readyState !== WebSocket.CLOSED) this.ws.terminate();
    callback(error);
  }

  /** Send the chunks as binary frames (small ones merged, up to MAX_FRAME_BYTES a frame); `done` once all are flushed. */
  private sendFrames(chunks: Buffer[], done: (error?: Error | null) => void): void {
    if (this.ws.readyState !== WebSocket.OPEN) {
      done(); // closing: the bytes have nowhere to go, and 'close' follows
      return;
    }
    const frames: Buffer[] = [];
    let batch: Buffer[] = [];
    let size = 0;
    const flush = (): void => {
      if (batch.length > 0) frames.push(batch.length === 1 ? batch[0]! : Buffer.concat(batch, size));
      batch = [];
      size = 0;
    };
    for (const chunk of chunks) {
      for (let at = 0; at < chunk.length; ) {
        const take = Math.min(chunk.length - at, MAX_FRAME_BYTES - size);
        batch.push(at === 0 && take === chunk.length ? chunk : chunk.subarray(at, at + take));
        size += take;
        at += take;
        if (size >= MAX_FRAME_BYTES) flush();
      }
    }
    flush();
    if (frames.length === 0) {
      done();
      return;
    }
    let left = frames.length;
    let failed: Error | null = null;
    for (const frame of frames) {
      const payload = this.base64 ? frame.toString('base64') : frame;
      this.ws.send(payload, { binary: !this.base64, compress: false }, (err?: Error) => {
        if (err && !failed) failed = err;
        if (--left === 0) done(failed);
      });
    }
  }
}
