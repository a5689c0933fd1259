import { describe, expect, it } from 'vitest';
import { generatePassword, GENERATED_PASSWORD_LENGTH, PASSWORD_ALPHABET } from '../../src/shared/password.js';
import { prng } from '../support/prng.js';

function counterBytes(): (n: number) => Uint8Array {
  let k = 0;
  return (n) => Uint8Array.from({ length: n }, () => (k++ * 37) & 0xff);
}

describe('generatePassword', () => {
  it('draws the given length from the unambiguous alphabet', () => {
    const p = generatePassword(counterBytes());
    expect(p).toHaveLength(GENERATED_PASSWORD_LENGTH);
    for (const ch of p) expect(PASSWORD_ALPHABET).toContain(ch);
    expect(PASSWORD_ALPHABET).not.toMatch(/[01ilo]/);
  });

  it('skips bytes that would bias the draw', () => {
    // 248..255 are rejected (31 × 8 = 248).
    const bytes = [255, 250, 248, 0, 1, 2, 3, 4, 5, 6, 7];
    let i = 0;
    const p = generatePassword((n) => Uint8Array.from({ length: n }, () => bytes[i++ % bytes.length] ?? 0));
    expect(p).toBe(PASSWORD_ALPHABET.slice(0, 8));
  });

  it('generates 8-character passwords from the unambiguous alphabet, evenly', () => {
    const random = prng(7);
    const fill = (n: number) => Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
    const counts = new Map<string, number>();
    const n = 4000;
    for (let i = 0; i < n; i++) {
      const p = generatePassword(fill);
      expect(p).toMatch(/^[23456789abcdefghjkmnpqrstuvwxyz]{8}$/);
      for (const ch of p) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    }
    expect(counts.size).toBe(PASSWORD_ALPHABET.length);
    // 32000 characters over 31 symbols: about 1032 each. A modulo bias would give the
    // first 8 symbols about 3% more; this only guards against gross skew.
    const expected = (n * 8) / PASSWORD_ALPHABET.length;
    for (const c of counts.values()) expect(Math.abs(c - expected)).toBeLessThan(expected * 0.15);
  });

  it('skips bytes that would favour the first characters', () => {
    let call = 0;
    // First every byte is in the dropped range, then every byte is 31 (the alphabet's first character again).
    const p = generatePassword((n) => new Uint8Array(n).fill(call++ === 0 ? 250 : 31), 2);
    expect(p).toBe('22');
    expect(call).toBe(2);
  });
});
