/** RFB protocol numbers (RFC 6143 and the community registry, rfbproto.rst). */

export const ClientMessageType = {
  SetPixelFormat: 0,
  SetEncodings: 2,
  FramebufferUpdateRequest: 3,
  KeyEvent: 4,
  PointerEvent: 5,
  ClientCutText: 6,
  EnableContinuousUpdates: 150,
  ClientFence: 248,
  SetDesktopSize: 251,
  QemuClientMessage: 255,
} as const;

export const ServerMessageType = {
  FramebufferUpdate: 0,
  SetColourMapEntries: 1,
  Bell: 2,
  ServerCutText: 3,
  EndOfContinuousUpdates: 150,
  ServerFence: 248,
} as const;

export const SecurityType = {
  Invalid: 0,
  None: 1,
  VncAuth: 2,
} as const;

export const Encoding = {
  Raw: 0,
  CopyRect: 1,
  RRE: 2,
  CoRRE: 4,
  Hextile: 5,
  Zlib: 6,
  Tight: 7,
  TRLE: 15,
  ZRLE: 16,
  /** Tight with PNG in place of basic compression (noVNC, libvncserver): fill, JPEG and PNG rectangles only. */
  TightPNG: -260,
} as const;

/** Extended Clipboard formats (low 16 bits of its flags word) and actions (high 8 bits), rfbproto "ExtendedClipboard". */
export const ClipboardFormat = { Text: 1 << 0, Rtf: 1 << 1, Html: 1 << 2, Dib: 1 << 3, Files: 1 << 4 } as const;
export const ClipboardAction = {
  Caps: 1 << 24,
  Request: 1 << 25,
  Peek: 1 << 26,
  Notify: 1 << 27,
  Provide: 1 << 28,
} as const;

export const PseudoEncoding = {
  DesktopSize: -223,
  LastRect: -224,
  Cursor: -239,
  QemuExtendedKeyEvent: -258,
  DesktopName: -307,
  ExtendedDesktopSize: -308,
  Fence: -312,
  ContinuousUpdates: -313,
  ExtendedMouseButtons: -316,
  ExtendedClipboard: 0xc0a1e5ce | 0, // signed 32-bit on the wire
} as const;

const encodingNames = new Map<number, string>([
  ...Object.entries(Encoding).map(([k, v]) => [v, k] as [number, string]),
  ...Object.entries(PseudoEncoding).map(([k, v]) => [v, k] as [number, string]),
]);

/** Human name of an encoding number, for logs and metrics labels. */
export function encodingName(n: number): string {
  return encodingNames.get(n) ?? `unknown(${n})`;
}
