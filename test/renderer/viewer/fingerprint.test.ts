import { createHash, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeyMessage, rsaFingerprint } from '../../../src/main/rfb/security/rsa-aes-keys.js';
import { formatFingerprint, sameKey } from '../../../src/renderer/viewer/fingerprint.js';

describe('viewer key fingerprint', () => {
  it('shows a key as the server, its log and the dashboard do', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const message = publicKeyMessage(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
    const shown = formatFingerprint(new Uint8Array(createHash('sha1').update(message).digest()));
    expect(shown).toMatch(/^([0-9a-f]{2}-){7}[0-9a-f]{2}$/);
    expect(shown).toBe(rsaFingerprint(message));
  });

  it('takes the first 8 bytes as hex pairs', () => {
    expect(formatFingerprint(Uint8Array.from([0, 1, 0xab, 0x10, 0xff, 2, 3, 4, 5, 6]))).toBe('00-01-ab-10-ff-02-03-04');
  });

  it('tells the same key from another', () => {
    const a = Uint8Array.from([1, 2, 3]);
    expect(sameKey(null, a)).toBe(false);
    expect(sameKey(Uint8Array.from([1, 2, 3]), a)).toBe(true);
    expect(sameKey(Uint8Array.from([1, 2, 4]), a)).toBe(false);
    expect(sameKey(Uint8Array.from([1, 2]), a)).toBe(false);
  });
});
