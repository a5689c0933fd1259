import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(ts|tsx|mts|js|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const importsElectron = /(?:from\s+|import\s*\(\s*|require\s*\(\s*|import\s+)['"]electron(?:\/[^'"]*)?['"]/;

describe('architecture', () => {
  it("only src/main/electron/ imports 'electron'", () => {
    const offenders = sources(join(ROOT, 'src'))
      .map((p) => relative(ROOT, p))
      .filter((p) => !p.startsWith(join('src', 'main', 'electron')))
      .filter((p) => importsElectron.test(readFileSync(join(ROOT, p), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check itself recognises the import forms', () => {
    for (const line of ["import { app } from 'electron';", 'const e = require("electron")', "await import('electron/main')", "import 'electron';"]) {
      expect(importsElectron.test(line), line).toBe(true);
    }
    expect(importsElectron.test("import x from 'electron-builder-thing'")).toBe(false);
  });

  it('the protocol core knows nothing of desktops or the app', () => {
    const offenders = sources(join(ROOT, 'src', 'main', 'rfb'))
      .filter((p) => /from\s+['"]\.\.\/(?:\.\.\/)?(desktop|app|electron)\//.test(readFileSync(p, 'utf8')))
      .map((p) => relative(ROOT, p));
    expect(offenders).toEqual([]);
  });
});
