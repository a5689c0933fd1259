import { describe, expect, it } from 'vitest';
import { decodeVncPasswd, encodeVncPasswd, looksLikeText, passwordFileFormat, vncpasswdIsUnambiguous } from '../../../src/main/app/vncpasswd.js';
import { tigerVncpasswd } from '../../support/tigervnc.js';

/** Passwords whose vncpasswd form is binary (checked below), of several lengths. */
const SAMPLES = ['secret', 'secret12', 'abc', 'longer-than-eight', 'Pa$$ w0rd'];

describe('the vncpasswd format, against TigerVNC’s vncpasswd', () => {
  it.each(SAMPLES)('reads what vncpasswd writes for %j, and writes the same bytes', (pw) => {
    const theirs = tigerVncpasswd(pw);
    expect(theirs).toHaveLength(8);
    expect(decodeVncPasswd(theirs)).toEqual({ full: pw.slice(0, 8), viewOnly: null });
    expect(encodeVncPasswd(pw)).toEqual(theirs);
    expect(passwordFileFormat(theirs)).toBe('vncpasswd');
  });

  it('reads and writes the view-only password as the second 8 bytes', () => {
    const theirs = tigerVncpasswd('secret12', 'viewonly');
    expect(theirs).toHaveLength(16);
    expect(decodeVncPasswd(theirs)).toEqual({ full: 'secret12', viewOnly: 'viewonly' });
    expect(encodeVncPasswd('secret12', 'viewonly')).toEqual(theirs);
    expect(passwordFileFormat(theirs)).toBe('vncpasswd');
  });

  it('keeps bytes that are not ASCII as they are (a UTF-8 "é" is two characters, as vncpasswd sees it)', () => {
    const utf8 = Buffer.from('pässwd', 'utf8');
    const theirs = tigerVncpasswd(utf8);
    const { full } = decodeVncPasswd(theirs);
    expect(Buffer.from(full, 'latin1')).toEqual(utf8);
    expect(encodeVncPasswd(full)).toEqual(theirs);
  });

  it('refuses what is not a vncpasswd file', () => {
    expect(() => decodeVncPasswd(Buffer.alloc(12))).toThrow(/8 or 16 bytes/);
    expect(() => encodeVncPasswd('')).toThrow(/empty/);
  });
});

describe('telling a vncpasswd file from a text file', () => {
  it.each([
    ['secret12\n', 'a line'],
    ['secret12', 'exactly 8 characters and no line break'],
    ['secret1\n', '8 bytes with the line break'],
    ['abcdefghijklmnop', '16 characters'],
    ['pässwrd', 'UTF-8, 8 bytes'],
    ['secret12\r\n', 'a Windows line'],
    ['first\nsecond\n', 'two lines'],
  ])('%j (%s) is text', (text) => {
    expect(passwordFileFormat(Buffer.from(text, 'utf8'))).toBe('text');
  });

  it('takes control characters or bytes that are not UTF-8 in 8 or 16 bytes for vncpasswd, and nothing of another size', () => {
    expect(passwordFileFormat(Buffer.from([0x24, 0xb5, 0xae, 0x4c, 0xe1, 0x55, 0x03, 0xc6]))).toBe('vncpasswd');
    expect(passwordFileFormat(Buffer.from('secret\x01\x02', 'latin1'))).toBe('vncpasswd');
    expect(passwordFileFormat(Buffer.from('secret\x01\x02x', 'latin1'))).toBe('text');
    expect(looksLikeText(Buffer.from('tab\there\n'))).toBe(true);
    expect(looksLikeText(Buffer.from([0xc3, 0x28]))).toBe(false); // broken UTF-8
  });

  it('finds, rarely, a password whose vncpasswd form reads as text, and says so', () => {
    // DES output is text about once in 2,000 tries: search a bounded number of made-up passwords.
    let found: string | null = null;
    let tries = 0;
    for (; tries < 200_000 && found === null; tries++) {
      const pw = `p${tries.toString(36)}`;
      if (!vncpasswdIsUnambiguous(encodeVncPasswd(pw))) found = pw;
    }
    expect(found).not.toBeNull();
    expect(tries).toBeGreaterThan(20); // rare, not common
    const bytes = tigerVncpasswd(found!);
    expect(looksLikeText(bytes)).toBe(true);
    expect(passwordFileFormat(bytes)).toBe('text');
  });
});
