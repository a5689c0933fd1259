// Minimal hand-written types for the parts of the `x11` package (4.x, pure JS,
// CommonJS, ships no types) that TrayVNC uses. Only what is called is typed;
// add members here as code starts to use them.
declare module 'x11' {
  import type { EventEmitter } from 'node:events';

  namespace x11 {
    interface Visual {
      vid: number;
      class: number;
      bits_per_rgb: number;
      map_ent: number;
      red_mask: number;
      green_mask: number;
      blue_mask: number;
    }

    interface Screen {
      root: number;
      default_colormap: number;
      white_pixel: number;
      black_pixel: number;
      pixel_width: number;
      pixel_height: number;
      mm_width: number;
      mm_height: number;
      root_visual: number;
      root_depth: number;
      /** depth → visual id → visual */
      depths: Record<number, Record<number, Visual>>;
    }

    interface PixmapFormat {
      bits_per_pixel: number;
      scanline_pad: number;
    }

    interface Display {
      client: XClient;
      screen: Screen[];
      /** depth → pixmap format */
      format: Record<number, PixmapFormat>;
      /** In 4-byte units; the BIG-REQUESTS maximum once that is enabled. */
      max_request_length: number;
      /** 0 = LSBFirst, 1 = MSBFirst */
      image_byte_order: number;
      vendor: string;
      release: number;
      isLocalSocket: boolean;
    }

    /** What the library hands to callbacks and 'error' listeners for X protocol errors. */
    interface XError extends Error {
      error: number;
      seq: number;
      badParam: number;
      minorOpcode: number;
      majorOpcode: number;
    }

    /**
     * Reply callback. Returning true from an error callback marks the error as
     * handled; otherwise the client also emits 'error'.
     */
    type ReplyCallback<T> = (err: XError | null | undefined, result: T) => boolean | void;
    type VoidCallback = (err: XError | null | undefined) => boolean | void;

    interface GetImageReply {
      depth: number;
      visualId: number;
      data: Buffer;
    }

    interface GetGeometryReply {
      depth: number;
      windowid: number;
      xPos: number;
      yPos: number;
      width: number;
      height: number;
      borderWidth: number;
    }

    /** Common shape of every parsed event; specific fields depend on `name`. */
    interface XEvent {
      type: number;
      seq: number;
      name?: string;
      [field: string]: unknown;
    }

    interface WindowAttributes {
      backgroundPixmap?: number;
      backgroundPixel?: number;
      borderPixel?: number;
      overrideRedirect?: number;
      eventMask?: number;
      colormap?: number;
    }

    interface GCValues {
      foreground?: number;
      background?: number;
      graphicsExposures?: number;
      subwindowMode?: number;
    }

    interface ClientOptions {
      display?: string;
      /** false or 'off' disables MIT-SHM (no fd-capable socket, no provider). */
      shm?: false | 'off';
      disableBigRequests?: boolean;
    }

    // ---- MIT-SHM ----

    interface ShmGetImageReply {
      depth: number;
      visual: number;
      size: number;
    }

    interface ShmExt {
      major: number;
      minor: number;
      ImageFormat: { XYBitmap: 0; XYPixmap: 1; ZPixmap: 2 };
      /** Probes (once, cached) whether a segment can really be attached. */
      usable(cb: (err: Error | null, ok: boolean) => void): void;
      /**
       * Attach a regular-file/memfd descriptor as segment `shmseg` (SHM 1.2).
       * The caller keeps owning `fd` (the library sends a dup).
       */
      AttachFd(shmseg: number, fd: number, readOnly: boolean, cb?: VoidCallback): void;
      Detach(shmseg: number, cb?: VoidCallback): void;
      GetImage(
        drawable: number,
        x: number,
        y: number,
        width: number,
        height: number,
        planeMask: number,
        format: number,
        shmseg: number,
        offset: number,
        cb: ReplyCallback<ShmGetImageReply>,
      ): void;
    }

    // ---- DAMAGE ----

    interface DamageExt {
      major: number;
      minor: number;
      firstEvent: number;
      ReportLevel: { RawRectangles: 0; DeltaRectangles: 1; BoundingBox: 2; NonEmpty: 3 };
      Create(damage: number, drawable: number, reportLevel: number): void;
      Destroy(damage: number): void;
      /** repair / parts: XFIXES region ids, or 0 (None). */
      Subtract(damage: number, repair: number, parts: number): void;
    }

    // ---- RANDR ----

    interface RandrScreenResources {
      timestamp: number;
      config_timestamp: number;
      crtcs: number[];
      outputs: number[];
      modeinfos: Array<{ id: number; width: number; height: number; name: string }>;
    }

    interface RandrOutputInfo {
      timestamp: number;
      crtc: number;
      mm_width: number;
      mm_height: number;
      /** 0 connected, 1 disconnected, 2 unknown */
      connection: number;
      name: string;
      crtcs: number[];
      modes: number[];
    }

    interface RandrCrtcInfo {
      status: number;
      timestamp: number;
      x: number;
      y: number;
      width: number;
      height: number;
      mode: number;
      rotation: number;
      output: number[];
    }

    interface RandrExt {
      major_version: number;
      minor_version: number;
      firstEvent: number;
      NotifyMask: { ScreenChange: 1; CrtcChange: 2; OutputChange: 4; OutputProperty: 8; All: 15 };
      SelectInput(window: number, mask: number): void;
      GetScreenResourcesCurrent(window: number, cb: ReplyCallback<RandrScreenResources>): void;
      GetOutputInfo(output: number, configTimestamp: number, cb: ReplyCallback<RandrOutputInfo>): void;
      GetCrtcInfo(crtc: number, configTimestamp: number, cb: ReplyCallback<RandrCrtcInfo>): void;
      GetOutputPrimary(window: number, cb: ReplyCallback<number>): void;
    }

    interface ExtensionMap {
      shm: ShmExt;
      damage: DamageExt;
      randr: RandrExt;
    }

    interface XClient extends EventEmitter {
      display: Display;
      /** The transport (a unix or TCP socket). */
      stream: EventEmitter;
      AllocID(): number;
      ReleaseID(id: number): void;
      require<K extends keyof ExtensionMap>(name: K, cb: (err: Error | null, ext: ExtensionMap[K]) => void): void;

      GetImage(
        format: number,
        drawable: number,
        x: number,
        y: number,
        width: number,
        height: number,
        planeMask: number,
        cb: ReplyCallback<GetImageReply>,
      ): boolean;
      PutImage(
        format: number,
        drawable: number,
        gc: number,
        width: number,
        height: number,
        dstX: number,
        dstY: number,
        leftPad: number,
        depth: number,
        data: Buffer,
      ): boolean;
      CreatePixmap(pid: number, drawable: number, depth: number, width: number, height: number): boolean;
      FreePixmap(pixmap: number): boolean;
      CreateGC(gc: number, drawable: number, values: GCValues): boolean;
      FreeGC(gc: number): boolean;
      ChangeWindowAttributes(window: number, values: WindowAttributes, cb?: VoidCallback): boolean;
      ClearArea(window: number, x: number, y: number, width: number, height: number, exposures: number): boolean;
      GetGeometry(drawable: number, cb: ReplyCallback<GetGeometryReply>): boolean;
      GetInputFocus(cb: ReplyCallback<unknown>): boolean;

      /** Round trip: resolves once every request sent so far has been processed. */
      sync(): Promise<void>;
      /** Round trip, then close; cb fires once the socket is gone. */
      close(cb?: (err?: Error) => void): void;
      terminate(): void;

      on(event: 'event', listener: (ev: XEvent) => void): this;
      on(event: 'error', listener: (err: Error) => void): this;
      on(event: 'end' | 'close', listener: () => void): this;
    }

    function createClient(options: ClientOptions, cb: (err: Error | undefined, display: Display) => void): XClient;

    const eventMask: Record<string, number>;
  }

  export = x11;
}
