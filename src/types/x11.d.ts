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
      /** A cursor id, or 0 (None) to inherit the parent's. */
      cursor?: number;
    }

    interface QueryPointerReply {
      /** False when the pointer is on another screen (positions are then 0). */
      sameScreen: boolean;
      root: number;
      child: number;
      rootX: number;
      rootY: number;
      childX: number;
      childY: number;
      keyMask: number;
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

    // ---- XFIXES (cursor part) ----

    interface FixesCursorImageReply {
      /** Pointer position on the root window. */
      x: number;
      y: number;
      width: number;
      height: number;
      xhot: number;
      yhot: number;
      /** The server's serial of the cursor object (not of its pixels). */
      cursorSerial: number;
      /** width*height ARGB32 pixels, premultiplied alpha, client (little-endian) byte order. */
      cursorImage: Buffer;
    }

    interface FixesExt {
      /** Negotiated version (the library asks for 5.0). */
      major: number;
      minor: number;
      firstEvent: number;
      events: { SelectionNotify: 0; CursorNotify: 1 };
      CursorNotifyMask: { DisplayCursor: 1 };
      SelectCursorInput(window: number, eventMask: number): void;
      GetCursorImage(cb: ReplyCallback<FixesCursorImageReply>): void;
    }

    // ---- RENDER (what cursor tests use) ----

    interface RenderExt {
      /** PICTFORMAT ids the library found: 32-bit ARGB (a8r8g8b8), 24-bit RGB, ... */
      rgba32: number;
      rgb24: number;
      CreatePicture(pid: number, drawable: number, pictformat: number, values?: Record<string, number>): void;
      FreePicture(pid: number): void;
      /** A cursor from an ARGB32 (premultiplied) picture; x, y = hotspot. */
      CreateCursor(cid: number, source: number, x: number, y: number): void;
    }

    interface ExtensionMap {
      shm: ShmExt;
      damage: DamageExt;
      randr: RandrExt;
      fixes: FixesExt;
      render: RenderExt;
      xinput: XInputExt;
    }

    // ---- XInputExtension: the XI2 event selection (pointer motion) ----

    interface XInputExt {
      majorOpcode: number;
      /** What XIQueryVersion agreed on; null on a server without XI2. */
      xi2: { majorVersion: number; minorVersion: number } | null;
      AllMasterDevices: number;
      EventType: { Motion: 6; RawMotion: 17 };
      /** Replaces this client's XI2 selection on `window` for each device named. */
      XISelectEvents(window: number, masks: XIEventMask | XIEventMask[]): void;
    }

    interface XIEventMask {
      deviceId: number;
      /** A bitmask, or event-type names or numbers. */
      mask: number | Array<string | number>;
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
      QueryPointer(window: number, cb: ReplyCallback<QueryPointerReply>): boolean;
      /** Move the pointer to (dstX, dstY) in dstWin (srcWin 0 = from anywhere). */
      WarpPointer(srcWin: number, dstWin: number, srcX: number, srcY: number, srcWidth: number, srcHeight: number, dstX: number, dstY: number): boolean;
      FreeCursor(cursor: number): boolean;

      /** Round trip: resolves once every request sent so far has been processed. */
      sync(): Promise<void>;
      /** Round trip, then close; cb fires once the socket is gone. */
      close(cb?: (err?: Error) => void): void;
      terminate(): void;

      on(event: 'event', listener: (ev: XEvent) => void): this;
      on(event: 'error', listener: (err: Error) => void): this;
      on(event: 'end' | 'close', listener: () => void): this;
    }

    // ---- selections (core requests/events and the XFIXES selection part) ----

    interface GetPropertyReply {
      /** The property's type atom; 0 (None) when the property does not exist. */
      type: number;
      /** 8, 16 or 32 (0 when the property does not exist). */
      format: number;
      /** Bytes left beyond the part returned. */
      bytesAfter: number;
      /** The part returned (a view of the reply buffer). */
      data: Buffer;
    }

    interface PropertyNotifyEvent extends XEvent {
      wid: number;
      atom: number;
      time: number;
      /** 0 NewValue, 1 Deleted */
      state: number;
    }

    interface SelectionClearEvent extends XEvent {
      time: number;
      owner: number;
      selection: number;
    }

    interface SelectionRequestEvent extends XEvent {
      /** 0 = CurrentTime */
      time: number;
      owner: number;
      requestor: number;
      selection: number;
      target: number;
      /** 0 (None) from obsolete clients: use the target as the property. */
      property: number;
    }

    /** The core SelectionNotify (type 31), the answer to ConvertSelection. */
    interface SelectionNotifyEvent extends XEvent {
      time: number;
      requestor: number;
      selection: number;
      target: number;
      /** 0 (None) when the conversion was refused. */
      property: number;
    }

    /**
     * XFIXES SelectionNotify (type firstEvent + 0). The library names it
     * 'SelectionNotify' like the core event; tell them apart by `type`.
     */
    interface FixesSelectionNotifyEvent extends XEvent {
      /** 0 SetSelectionOwner, 1 SelectionWindowDestroy, 2 SelectionClientClose */
      subtype: number;
      window: number;
      /** The new owner window, 0 when none. */
      owner: number;
      selection: number;
      timestamp: number;
      selectionTimestamp: number;
    }

    /** An event object SendEvent packs (type or name picks the layout). */
    interface SendableEvent {
      type?: number;
      name?: string;
      seq?: number;
      [field: string]: unknown;
    }

    interface FixesExt {
      SelectionEventMask: { SetSelectionOwner: 1; SelectionWindowDestroy: 2; SelectionClientClose: 4 };
      SelectSelectionInput(window: number, selection: number, eventMask: number): void;
    }

    interface XClient {
      /** Sequence number of the last request issued (full width, not the 16 wire bits). */
      seq_num: number;
      CreateWindow(
        id: number,
        parent: number,
        x: number,
        y: number,
        width: number,
        height: number,
        borderWidth: number,
        depth: number,
        windowClass: number,
        visual: number,
        values: WindowAttributes,
      ): boolean;
      DestroyWindow(window: number): boolean;
      /** Answered from the library's cache when known (standard atoms always are). */
      InternAtom(onlyIfExists: boolean, name: string, cb: ReplyCallback<number>): boolean;
      /** mode: 0 Replace, 1 Prepend, 2 Append. A Buffer is sent as is; numbers are packed at `format` width. */
      ChangeProperty(mode: number, window: number, property: number, type: number, format: 8 | 16 | 32, data: Buffer | number[]): boolean;
      DeleteProperty(window: number, property: number): boolean;
      /** longOffset and longLength in 4-byte units; type 0 = AnyPropertyType. */
      GetProperty(
        del: 0 | 1,
        window: number,
        property: number,
        type: number,
        longOffset: number,
        longLength: number,
        cb: ReplyCallback<GetPropertyReply>,
      ): boolean;
      /** time 0 = CurrentTime */
      SetSelectionOwner(owner: number, selection: number, time: number): boolean;
      GetSelectionOwner(selection: number, cb: ReplyCallback<number>): boolean;
      ConvertSelection(requestor: number, selection: number, target: number, property: number, time: number): boolean;
      /** propagate: 0 or 1. The event: its 32 wire bytes or an object in the parsers' shape. */
      SendEvent(destination: number, propagate: number, eventMask: number, event: Buffer | SendableEvent): boolean;
    }

    // ---- keyboard and pointer: mappings, XTEST input injection ----

    interface Display {
      /** Smallest and largest keycode the server uses (8 and 255 on most). */
      min_keycode: number;
      max_keycode: number;
    }

    interface XTestExt {
      majorOpcode: number;
      KeyPress: 2;
      KeyRelease: 3;
      ButtonPress: 4;
      ButtonRelease: 5;
      MotionNotify: 6;
      /**
       * Fake one input event. detail: keycode, button, or for MotionNotify 0 =
       * absolute / 1 = relative; time 0 = now; window: the root for absolute
       * motion (0 = the pointer's screen); x, y: motion position.
       */
      FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
      /** cb gets [major, minor]. */
      GetVersion(clientMajor: number, clientMinor: number, cb: ReplyCallback<[number, number]>): void;
      GrabControl(impervious: boolean): void;
    }

    interface ExtensionMap {
      xtest: XTestExt;
    }

    /** MappingNotify (34). request: 0 Modifier, 1 Keyboard, 2 Pointer. */
    interface MappingNotifyEvent extends XEvent {
      request: number;
      firstKeyCode: number;
      count: number;
    }

    /** KeyPress/KeyRelease/ButtonPress/ButtonRelease/MotionNotify (the library parses all five alike). */
    interface KeyButtonEvent extends XEvent {
      /** Keycode, button number, or for MotionNotify 0 (Normal) / 1 (Hint). */
      keycode: number;
      time: number;
      root: number;
      wid: number;
      child: number;
      rootx: number;
      rooty: number;
      x: number;
      y: number;
      /** The modifier and button state mask before the event. */
      buttons: number;
      sameScreen: number;
    }

    interface XClient {
      /** One row of keysyms (keysyms-per-keycode long, NoSymbol = 0) per keycode from firstKeycode. */
      GetKeyboardMapping(firstKeycode: number, count: number, cb: ReplyCallback<number[][]>): boolean;
      /** keysyms: the rows of consecutive keycodes from firstKeycode, keysymsPerKeycode each, flattened. */
      ChangeKeyboardMapping(firstKeycode: number, keysymsPerKeycode: number, keysyms: number[]): boolean;
      /** 8 rows (Shift, Lock, Control, Mod1–Mod5) of keycodes (0 = unused slot). */
      GetModifierMapping(cb: ReplyCallback<number[][]>): boolean;
      /** The core pointer's button map; its length is the number of buttons. */
      GetPointerMapping(cb: ReplyCallback<number[]>): boolean;
      /** 32 bytes: bit (keycode & 7) of byte (keycode >> 3) is set while that key is down. */
      QueryKeymap(cb: ReplyCallback<Buffer>): boolean;
      /** revertTo: 0 None, 1 PointerRoot, 2 Parent. window 1 = PointerRoot. */
      SetInputFocus(window: number, revertTo: number): boolean;
      MapWindow(window: number): boolean;
    }

    /** keysymdef.h: "XK_name" → code and, for keysyms that type one, "(c) UNICODE NAME". */
    const keySyms: Record<string, { code: number; description: string | null } | number>;

    function createClient(options: ClientOptions, cb: (err: Error | undefined, display: Display) => void): XClient;

    const eventMask: Record<string, number>;
  }

  export = x11;
}
