import { Duplex } from 'node:stream';

/**
 * The in-process "socket" between the server and its watcher session: what
 * the session writes arrives at `onMessage`, a write at a time (a message
 * with one call, except a big update, whose header and pieces come in
 * several, back to back: the recorder gathers them); what `send` pushes, the
 * session reads as client messages. Writes complete at once, so the session
 * never waits on it: the recording's own queue decides what happens when the
 * disk is slow.
 */
export class WatcherStream extends Duplex {
  /** How a session names its peer in logs. */
  readonly remoteAddress = 'recorder';
  readonly remotePort = 0;

  constructor(private readonly onMessage: (message: Buffer) => void) {
    super();
  }

  /** A client message to the session. */
  send(message: Buffer): void {
    if (!this.destroyed) this.push(message);
  }

  override _read(): void {
    // Messages are pushed as the watcher decides to send them.
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    try {
      this.onMessage(chunk);
      callback();
    } catch (e) {
      callback(e as Error);
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.push(null);
    callback();
  }
}
