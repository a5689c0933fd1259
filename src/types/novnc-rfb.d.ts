// Minimal hand-written types for noVNC's RFB client (core/rfb.js, the one
// export of @novnc/novnc), as the bundled browser viewer uses it. noVNC ships
// plain JavaScript and no types; only what the viewer sets, calls and
// listens for is typed, following noVNC's docs/API.md.
//
// The renderer's modules that import '@novnc/novnc' reference this file, so
// it needs the DOM library (HTMLElement, WebSocket, CustomEvent).

declare module '@novnc/novnc' {
  /** What a security type may ask for; the viewer answers with sendCredentials. */
  export interface RfbCredentials {
    username?: string;
    password?: string;
    target?: string;
  }

  export interface RfbOptions {
    shared?: boolean;
    credentials?: RfbCredentials;
    repeaterID?: string;
    wsProtocols?: string[];
  }

  /** The events RFB dispatches, with their `detail`. */
  export interface RfbEventMap {
    connect: CustomEvent<Record<string, never>>;
    /** `clean` is false when noVNC itself failed (a protocol error, a closed socket while connecting). */
    disconnect: CustomEvent<{ clean: boolean }>;
    /** The credentials the security type needs and RFB does not have yet: 'username', 'password', 'target'. */
    credentialsrequired: CustomEvent<{ types: string[] }>;
    /** RSA-AES: the server's public key as sent (4-byte bit length, modulus, exponent); RFB waits for approveServer(). */
    serververification: CustomEvent<{ type: string; publickey: Uint8Array }>;
    securityfailure: CustomEvent<{ status: number; reason?: string }>;
    clipboard: CustomEvent<{ text: string }>;
    desktopname: CustomEvent<{ name: string }>;
    capabilities: CustomEvent<{ capabilities: { power: boolean } }>;
    bell: CustomEvent<Record<string, never>>;
  }

  /**
   * One connection to a VNC server, drawn into `target` (RFB adds its own
   * element there). Not a DOM EventTarget: noVNC's own mixin with the same
   * add/remove methods.
   */
  export default class RFB {
    /**
     * `urlOrChannel`: a ws:// or wss:// URL, or a WebSocket made by the caller
     * (noVNC 1.4 and later), which RFB then uses as it is.
     */
    constructor(target: HTMLElement, urlOrChannel: string | WebSocket, options?: RfbOptions);

    /** Ignore local mouse and keyboard; nothing is sent to the server. */
    viewOnly: boolean;
    /** Scale the desktop to fit the target element (up and down). */
    scaleViewport: boolean;
    /** Ask the server to make its desktop the size of the target element. */
    resizeSession: boolean;
    /** Clip the desktop to the target element instead of letting it scroll. */
    clipViewport: boolean;
    /** Focus the canvas when it is clicked (default true). */
    focusOnClick: boolean;
    /** CSS background of the area around the desktop. */
    background: string;
    readonly capabilities: { power: boolean };

    addEventListener<K extends keyof RfbEventMap>(type: K, listener: (event: RfbEventMap[K]) => void): void;
    removeEventListener<K extends keyof RfbEventMap>(type: K, listener: (event: RfbEventMap[K]) => void): void;

    sendCredentials(credentials: RfbCredentials): void;
    /** Accept the key shown by 'serververification' and go on with the handshake. */
    approveServer(): void;
    sendCtrlAltDel(): void;
    /**
     * A key event: `keysym` an X keysym, `code` a DOM KeyboardEvent.code (sent
     * as a scancode to servers that take QEMU key events) or null; without
     * `down`, a press and a release.
     */
    sendKey(keysym: number, code: string | null, down?: boolean): void;
    clipboardPasteFrom(text: string): void;
    focus(options?: FocusOptions): void;
    blur(): void;
    disconnect(): void;
  }
}
