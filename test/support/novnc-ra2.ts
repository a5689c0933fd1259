/**
 * noVNC's own RSA-AES code (core/ra2.js and core/crypto/aes.js from
 * @novnc/novnc, MPL-2.0), run unchanged in Node as an independent client and
 * an independent AES-EAX: it was written for browsers on WebCrypto, which
 * Node has as globalThis.crypto. The package exports only core/rfb.js, so the
 * files are imported by file URL.
 */

/** noVNC's AES-EAX (WebCrypto AES-CTR and AES-CBC): `iv` is the nonce; the result is ciphertext || tag, or null. */
export interface NoVncEax {
  encrypt(algorithm: { name: 'AES-EAX'; iv: Uint8Array; additionalData: Uint8Array }, message: Uint8Array): Promise<Uint8Array>;
  decrypt(algorithm: { name: 'AES-EAX'; iv: Uint8Array; additionalData: Uint8Array }, data: Uint8Array): Promise<Uint8Array | null>;
}

/** The receive and send queue methods of noVNC's Websock that ra2.js calls. */
export interface Ra2Sock {
  rQwait(msg: string, num: number): boolean;
  rQpeekBytes(len: number): Uint8Array;
  rQshift16(): number;
  rQshift32(): number;
  rQshiftBytes(len: number): Uint8Array;
  sQpushBytes(bytes: Uint8Array): void;
  flush(): void;
}

export interface Ra2Event {
  type: string;
  detail: { type?: string; publickey?: Uint8Array; types?: string[] };
}

/** noVNC's RSAAESAuthenticationState: the client side of RA2ne (type 6). */
export interface NoVncRa2State {
  addEventListener(type: string, cb: (e: Ra2Event) => void): void;
  /** Wake the state machine after bytes arrived or credentials were set. */
  checkInternalEvents(): void;
  /** The user trusts the server's key: go on. */
  approveServer(): void;
  disconnect(): void;
  negotiateRA2neAuthAsync(): Promise<void>;
}

type Ra2StateClass = new (sock: Ra2Sock, getCredentials: () => { username?: string; password?: string }) => NoVncRa2State;

function prepareGlobals(): void {
  // noVNC reads window.crypto and window.console; in Node they are on globalThis.
  const g = globalThis as { window?: unknown };
  g.window ??= globalThis;
}

function moduleUrl(path: string): string {
  return new URL(`../../node_modules/@novnc/novnc/core/${path}`, import.meta.url).href;
}

export async function noVncEax(key: Uint8Array): Promise<NoVncEax> {
  prepareGlobals();
  const mod = (await import(moduleUrl('crypto/aes.js'))) as {
    AESEAXCipher: { importKey(key: Uint8Array, algorithm: unknown, extractable: boolean, usages: string[]): Promise<NoVncEax> };
  };
  return mod.AESEAXCipher.importKey(key, { name: 'AES-EAX' }, false, ['encrypt', 'decrypt']);
}

/** noVNC's RSA (PKCS#1 v1.5 on BigInt): a generated key pair, or a public key from its modulus and exponent. */
export interface NoVncRsa {
  encrypt(algorithm: { name: 'RSA-PKCS1-v1_5' }, message: Uint8Array): Promise<Uint8Array | null>;
  decrypt(algorithm: { name: 'RSA-PKCS1-v1_5' }, message: Uint8Array): Promise<Uint8Array | null>;
  exportKey(): Promise<{ n: Uint8Array; e: Uint8Array; d: Uint8Array }>;
}

export async function noVncRsa(what: { generate: number } | { n: Uint8Array; e: Uint8Array }): Promise<NoVncRsa> {
  prepareGlobals();
  const mod = (await import(moduleUrl('crypto/rsa.js'))) as {
    RSACipher: {
      generateKey(algorithm: { name: string; modulusLength: number; publicExponent: Uint8Array }, extractable: boolean, usages: string[]): Promise<{ privateKey: NoVncRsa }>;
      importKey(key: { n: Uint8Array; e: Uint8Array }, algorithm: unknown, extractable: boolean, usages: string[]): Promise<NoVncRsa>;
    };
  };
  if ('generate' in what) {
    const pair = await mod.RSACipher.generateKey({ name: 'RSA-PKCS1-v1_5', modulusLength: what.generate, publicExponent: new Uint8Array([1, 0, 1]) }, true, ['encrypt']);
    return pair.privateKey;
  }
  return mod.RSACipher.importKey({ n: what.n, e: what.e }, { name: 'RSA-PKCS1-v1_5' }, false, ['encrypt']);
}

export async function loadNoVncRa2(): Promise<Ra2StateClass> {
  prepareGlobals();
  const mod = (await import(moduleUrl('ra2.js'))) as { default: Ra2StateClass };
  return mod.default;
}
