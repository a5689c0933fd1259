import { closeSync, constants as fsConstants, accessSync, ftruncateSync, openSync, readSync, unlinkSync } from 'node:fs';
import type { ShmExt } from 'x11';
import type { Rect } from '../../framebuffer/rect.js';
import type { X11Connection } from './x11-connection.js';

const SHM_DIR = '/dev/shm';
const ZPIXMAP = 2;
const ALL_PLANES = 0xffffffff;
let counter = 0;

/** Whether MIT-SHM capture can work on this connection (cached by the library). */
export async function shmUsable(conn: X11Connection, shm: ShmExt): Promise<boolean> {
  try {
    accessSync(SHM_DIR, fsConstants.W_OK);
  } catch {
    return false;
  }
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 3000);
    shm.usable((err, ok) => {
      clearTimeout(timer);
      resolve(!err && ok && !conn.closed);
    });
  });
}

/**
 * One MIT-SHM segment the X server writes images into.
 *
 * It is an unlinked file on /dev/shm (tmpfs), attached with ShmAttachFd
 * (MIT-SHM 1.2), like the `x11` package's built-in provider. Unlike that
 * provider it keeps the descriptor at hand and reads the server's pixels with
 * `pread` straight into the caller's memory (for a full-width area, the frame
 * itself), so a grab costs one copy and no allocation.
 */
export class ShmSegment {
  private destroyed = false;

  private constructor(
    private readonly conn: X11Connection,
    private readonly shm: ShmExt,
    readonly xid: number,
    private fd: number,
    readonly size: number,
  ) {}

  static async create(conn: X11Connection, shm: ShmExt, size: number): Promise<ShmSegment> {
    if (!(size > 0)) throw new RangeError(`shared segment size must be positive, got ${size}`);
    const path = `${SHM_DIR}/trayvnc-shm-${process.pid}-${counter++}`;
    const fd = openSync(path, 'w+', 0o600);
    try {
      ftruncateSync(fd, size);
      unlinkSync(path); // anonymous from here on: lives while our fd or the server's mapping does
    } catch (err) {
      closeSync(fd);
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
      throw err;
    }
    const xid = conn.client.AllocID();
    try {
      await conn.request<void>((cb) => shm.AttachFd(xid, fd, false, (err) => cb(err, undefined)));
    } catch (err) {
      closeSync(fd);
      conn.client.ReleaseID(xid);
      throw err;
    }
    return new ShmSegment(conn, shm, xid, fd, size);
  }

  /**
   * Have the server copy `r` of `drawable` (ZPixmap, all planes) into the
   * segment at byte `offset`. Resolves with the byte count written.
   */
  getImage(drawable: number, r: Rect, offset: number): Promise<number> {
    return this.conn
      .request<{ size: number }>((cb) => this.shm.GetImage(drawable, r.x, r.y, r.w, r.h, ALL_PLANES, ZPIXMAP, this.xid, offset, cb))
      .then((rep) => rep.size);
  }

  /** Copy `length` bytes at segment byte `position` into `target` at `targetOffset`. */
  read(target: Uint8Array, targetOffset: number, length: number, position: number): void {
    let done = 0;
    // pread on tmpfs returns everything at once; loop anyway, bounded by progress
    while (done < length) {
      const n = readSync(this.fd, target, targetOffset + done, length - done, position + done);
      if (n <= 0) throw new Error(`short read from the shared segment (${done} of ${length} bytes)`);
      done += n;
    }
  }

  /** Detach from the server and release the memory. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    if (!this.conn.closed) {
      try {
        await this.conn.request<void>((cb) => this.shm.Detach(this.xid, (err) => cb(err, undefined)));
      } catch {
        /* the connection went away: the server detached it then */
      }
      this.conn.client.ReleaseID(this.xid);
    }
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    this.fd = -1;
  }
}
