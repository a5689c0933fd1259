/**
 * The server's RSA key as people compare it: the first 8 bytes of the SHA-1
 * of the key message noVNC hands over ('serververification'), as hex pairs
 * joined by '-'. The dashboard, the server's log and TigerVNC show the same
 * 23 characters. Pure: the unit tests run it in Node.
 */
export function formatFingerprint(sha1: Uint8Array): string {
  return [...sha1.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join('-');
}

/** Whether two keys are the same bytes (a reconnect to the key already trusted needs no question). */
export function sameKey(a: Uint8Array | null, b: Uint8Array): boolean {
  return a !== null && a.length === b.length && a.every((v, i) => v === b[i]);
}
