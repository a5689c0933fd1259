/// <reference path="../../types/novnc-rfb.d.ts" />
import RFB, { type RfbCredentials } from '@novnc/novnc';
import { describeDrop, reconnectDelayMs, type DropFacts, type ViewerStatus } from './connection-status.js';
import { sameKey } from './fingerprint.js';
import { skipWebCryptoSecurity } from './insecure-context.js';

/** What the connection asks of the page around it. */
export interface ConnectionHooks {
  status(status: ViewerStatus): void;
  /** A new RFB and the WebSocket under it, before the handshake: set its options, hook the figures. */
  created(rfb: RFB, socket: WebSocket): void;
  /** The connection is gone (the desktop's figures stop). */
  ended(): void;
  clipboard(text: string): void;
  /** Ask the user for what noVNC needs ('username', 'password'); null when they cancel. */
  askCredentials(types: readonly string[]): Promise<RfbCredentials | null>;
  /** Ask the user whether the server's RSA key is the one they expect. */
  askTrust(publicKey: Uint8Array): Promise<boolean>;
}

/**
 * One viewer's connection to the server, through noVNC: it opens the
 * WebSocket itself (so the page can count the bytes), answers noVNC's
 * questions through the hooks, and after a drop tries again a bounded number
 * of times with growing waits, reusing the password and the key the user
 * already gave and approved (kept in memory only).
 */
export class ViewerConnection {
  rfb: RFB | null = null;
  private credentials: RfbCredentials | null = null;
  private trustedKey: Uint8Array | null = null;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private ticker: ReturnType<typeof setInterval> | null = null;
  /** Bumped for every connection, so events of an old one are ignored. */
  private generation = 0;
  private byUser: string | null = null;

  constructor(
    private readonly target: HTMLElement,
    private readonly socketUrl: string,
    private readonly hooks: ConnectionHooks,
  ) {}

  /** Connect now (the first time, or again from the Connect button: the tries start over). */
  connect(): void {
    this.attempt = 0;
    this.open();
  }

  /** End the connection (or a wait to reconnect) on the user's word. */
  disconnect(reason = 'you disconnected'): void {
    this.stopTimers();
    if (this.rfb) {
      this.byUser = reason;
      this.rfb.disconnect();
    } else {
      this.hooks.status({ kind: 'disconnected', reason });
    }
  }

  private stopTimers(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.ticker !== null) clearInterval(this.ticker);
    this.timer = this.ticker = null;
  }

  private open(): void {
    this.stopTimers();
    const generation = ++this.generation;
    const current = (): boolean => generation === this.generation;
    this.byUser = null;
    const facts: DropFacts = { opened: false, connected: false, clean: true, close: null, securityFailure: null, byUser: null };
    const socket = new WebSocket(this.socketUrl);
    socket.binaryType = 'arraybuffer';
    // Added before RFB sets its own handlers, so these run first.
    socket.addEventListener('open', () => (facts.opened = true));
    socket.addEventListener('close', (e) => (facts.close = { code: e.code, reason: e.reason, wasClean: e.wasClean }));
    this.hooks.status({ kind: 'connecting' });
    const rfb = new RFB(this.target, socket, { shared: true, ...(this.credentials ? { credentials: this.credentials } : {}) });
    this.rfb = rfb;
    // A question answered after the connection ended (its dialog closed by that) changes nothing.
    const live = (): boolean => current() && this.rfb === rfb;
    if (!window.isSecureContext) skipWebCryptoSecurity(rfb);
    this.hooks.created(rfb, socket);
    let desktopName = '';

    rfb.addEventListener('connect', () => {
      if (!current()) return;
      facts.connected = true;
      this.attempt = 0;
      this.hooks.status({ kind: 'connected', desktopName });
    });
    rfb.addEventListener('desktopname', (e) => {
      desktopName = e.detail.name;
      if (current() && facts.connected) this.hooks.status({ kind: 'connected', desktopName });
    });
    rfb.addEventListener('clipboard', (e) => {
      if (current()) this.hooks.clipboard(e.detail.text);
    });
    rfb.addEventListener('credentialsrequired', (e) => {
      void this.hooks.askCredentials(e.detail.types).then((given) => {
        if (!live()) return;
        if (!given) {
          this.disconnect('no password given');
          return;
        }
        this.credentials = given;
        rfb.sendCredentials(given);
      });
    });
    rfb.addEventListener('serververification', (e) => {
      const key = e.detail.publickey;
      const approve = sameKey(this.trustedKey, key) ? Promise.resolve(true) : this.hooks.askTrust(key);
      void approve.then((ok) => {
        if (!live()) return;
        if (!ok) {
          this.disconnect('the server’s identity was not accepted');
          return;
        }
        this.trustedKey = Uint8Array.from(key);
        rfb.approveServer();
      });
    });
    rfb.addEventListener('securityfailure', (e) => {
      facts.securityFailure = { reason: e.detail.reason };
      // The password may be what failed: ask again next time.
      this.credentials = null;
    });
    rfb.addEventListener('disconnect', (e) => {
      if (!current()) return;
      this.rfb = null;
      this.hooks.ended();
      const drop = describeDrop({ ...facts, clean: e.detail.clean, byUser: this.byUser });
      const delay = drop.retry ? reconnectDelayMs(this.attempt) : null;
      if (delay === null) {
        this.hooks.status({ kind: 'disconnected', reason: drop.retry ? `${drop.reason}; gave up after ${this.attempt} tries` : drop.reason });
        return;
      }
      this.waitAndRetry(drop.reason, delay);
    });
  }

  /** Count down on the status line, then connect again. */
  private waitAndRetry(reason: string, delayMs: number): void {
    const attempt = this.attempt++;
    const due = Date.now() + delayMs;
    const show = () => this.hooks.status({ kind: 'reconnecting', reason, seconds: (due - Date.now()) / 1000, attempt });
    show();
    this.ticker = setInterval(show, 1000);
    this.timer = setTimeout(() => this.open(), delayMs);
  }
}
