import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditFile, defaultAuditPath } from '../../../src/main/app/audit-file.js';

const DIR = mkdtempSync(join(tmpdir(), 'trayvnc-audit-file-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** The lines of path.N … path.1, path: oldest first. */
function allLines(path: string, keep: number): string[] {
  const files = [...Array.from({ length: keep }, (_, i) => `${path}.${keep - i}`), path].filter((f) => existsSync(f));
  return files.flatMap((f) => readFileSync(f, 'utf8').split('\n').filter((l) => l !== ''));
}

describe('AuditFile', () => {
  it('goes where the platform keeps logs: $XDG_STATE_HOME (or ~/.local/state), ~/Library/Logs, %LOCALAPPDATA%', () => {
    expect(defaultAuditPath({ XDG_STATE_HOME: '/s' }, '/home/u', 'linux')).toBe('/s/trayvnc/audit.jsonl');
    expect(defaultAuditPath({}, '/home/u', 'linux')).toBe('/home/u/.local/state/trayvnc/audit.jsonl');
    expect(defaultAuditPath({ XDG_STATE_HOME: '/s' }, '/Users/u', 'darwin')).toBe('/Users/u/Library/Logs/TrayVNC/audit.jsonl');
    expect(defaultAuditPath({ LOCALAPPDATA: '/c/Local' }, '/c/u', 'win32')).toBe(join('/c/Local', 'TrayVNC', 'audit.jsonl'));
  });

  it('rotates by size without losing, splitting or reordering a line, appended in one burst', async () => {
    const path = join(DIR, 'burst', 'audit.jsonl');
    const file = new AuditFile({ path, maxBytes: 2000, keep: 50 });
    const t0 = performance.now();
    for (let i = 0; i < 600; i++) file.append({ n: i, pad: 'x'.repeat(i % 40) });
    // Appending queues: it never waits for the disk.
    expect(performance.now() - t0).toBeLessThan(500);
    await file.close();
    const lines = allLines(path, 50);
    expect(lines.map((l) => (JSON.parse(l) as { n: number }).n)).toEqual(Array.from({ length: 600 }, (_, i) => i));
    const files = readdirSync(join(DIR, 'burst'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const size = statSync(join(DIR, 'burst', f)).size;
      expect(size, f).toBeLessThanOrEqual(2000);
      expect(readFileSync(join(DIR, 'burst', f), 'utf8').endsWith('\n'), f).toBe(true);
    }
    // Only the owner may read who connected.
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps only the newest files, and the newest lines in them', async () => {
    const path = join(DIR, 'keep', 'audit.jsonl');
    const file = new AuditFile({ path, maxBytes: 500, keep: 2 });
    for (let i = 0; i < 200; i++) {
      file.append({ n: i });
      // Spread over many writes, as a running server appends.
      if (i % 17 === 0) await file.flush();
    }
    await file.close();
    expect(readdirSync(join(DIR, 'keep')).sort()).toEqual(['audit.jsonl', 'audit.jsonl.1', 'audit.jsonl.2']);
    const ns = allLines(path, 2).map((l) => (JSON.parse(l) as { n: number }).n);
    expect(ns[ns.length - 1]).toBe(199);
    // Consecutive: whatever was kept has no hole.
    expect(ns).toEqual(Array.from({ length: ns.length }, (_, i) => 200 - ns.length + i));
  });

  it('continues an existing file, counting its size toward the next rotation', async () => {
    const path = join(DIR, 'existing.jsonl');
    writeFileSync(path, `${JSON.stringify({ n: -1, pad: 'y'.repeat(900) })}\n`);
    const file = new AuditFile({ path, maxBytes: 1000, keep: 3 });
    file.append({ n: 0, pad: 'z'.repeat(200) });
    await file.close();
    expect(readFileSync(`${path}.1`, 'utf8')).toContain('"n":-1');
    expect(readFileSync(path, 'utf8')).toContain('"n":0');
  });

  it('survives a place it cannot write to: append and close do not throw', async () => {
    const blocker = join(DIR, 'not-a-folder');
    writeFileSync(blocker, '');
    const file = new AuditFile({ path: join(blocker, 'audit.jsonl') });
    file.append({ n: 1 });
    await file.flush();
    await expect(file.close()).resolves.toBeUndefined();
  });
});
