import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');

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

/**
 * The layers of src/, bottom first (docs/architecture.md draws the same
 * picture). A module may import from its own layer and the ones below it,
 * never from one above. Layers that share a rank are siblings and must not
 * import each other either: the protocol core and the desktop backends meet
 * only in app/.
 */
const LAYERS: ReadonlyArray<{ name: string; rank: number; holds: (path: string) => boolean }> = [
  { name: 'shared', rank: 0, holds: (p) => p.startsWith('shared/') },
  { name: 'types', rank: 0, holds: (p) => p.startsWith('types/') },
  { name: 'main/base', rank: 1, holds: (p) => p.startsWith('main/base/') },
  { name: 'main/framebuffer', rank: 2, holds: (p) => p.startsWith('main/framebuffer/') },
  { name: 'main/rfb', rank: 3, holds: (p) => p.startsWith('main/rfb/') },
  { name: 'main/desktop', rank: 3, holds: (p) => p.startsWith('main/desktop/') },
  { name: 'main/telemetry', rank: 4, holds: (p) => p.startsWith('main/telemetry/') },
  { name: 'main/recording', rank: 4, holds: (p) => p.startsWith('main/recording/') },
  { name: 'main/app', rank: 5, holds: (p) => p.startsWith('main/app/') },
  { name: 'main (entry points)', rank: 6, holds: (p) => /^main\/[^/]+$/.test(p) },
  { name: 'main/electron', rank: 6, holds: (p) => p.startsWith('main/electron/') },
  { name: 'renderer', rank: 6, holds: (p) => p.startsWith('renderer/') },
];

function layerOf(pathInSrc: string): { name: string; rank: number } {
  const layer = LAYERS.find((l) => l.holds(pathInSrc));
  if (!layer) throw new Error(`${pathInSrc} is in no layer: add its folder to LAYERS and to docs/architecture.md`);
  return layer;
}

/** Relative module specifiers a source file imports or re-exports (static and dynamic). */
function relativeImports(text: string): string[] {
  const out: string[] = [];
  const re = /(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1]!);
  return out;
}

/** Imports that point up the layers, or sideways between sibling layers, as "from → to". */
function layerViolations(files: ReadonlyArray<{ path: string; text: string }>): string[] {
  const bad: string[] = [];
  for (const { path, text } of files) {
    const from = relative(SRC, path).split(sep).join('/');
    const fromLayer = layerOf(from);
    for (const spec of relativeImports(text)) {
      const target = relative(SRC, resolve(dirname(path), spec)).split(sep).join('/');
      if (target.startsWith('..')) continue; // outside src/ (package.json for the version)
      const toLayer = layerOf(target);
      if (toLayer.name === fromLayer.name) continue;
      if (toLayer.rank >= fromLayer.rank) {
        bad.push(`${from} → ${target} (${fromLayer.name} may not import ${toLayer.name})`);
      }
    }
  }
  return bad;
}

const ALL = sources(SRC).map((path) => ({ path, text: readFileSync(path, 'utf8') }));

describe('architecture', () => {
  it("only src/main/electron/ imports 'electron'", () => {
    const offenders = ALL.map(({ path, text }) => ({ p: relative(ROOT, path), text }))
      .filter(({ p }) => !p.startsWith(join('src', 'main', 'electron')))
      .filter(({ text }) => importsElectron.test(text))
      .map(({ p }) => p);
    expect(offenders).toEqual([]);
  });

  it('the check itself recognises the import forms', () => {
    for (const line of ["import { app } from 'electron';", 'const e = require("electron")', "await import('electron/main')", "import 'electron';"]) {
      expect(importsElectron.test(line), line).toBe(true);
    }
    expect(importsElectron.test("import x from 'electron-builder-thing'")).toBe(false);
  });

  it('no module imports from a layer above its own, nor from a sibling layer', () => {
    expect(layerViolations(ALL)).toEqual([]);
  });

  it('the layer check catches upward, sideways and dynamic imports', () => {
    const at = (p: string, text: string) => ({ path: join(SRC, p), text });
    expect(
      layerViolations([
        at('main/rfb/session.ts', "import { x } from '../telemetry/metrics.js';"),
        at('main/base/logger.ts', "export { y } from '../rfb/constants.js';"),
        at('main/desktop/x11/x11-input.ts', "const m = await import('../../rfb/server.js');"),
        at('main/app/config.ts', "import { z } from '../electron/main.js';"),
        at('shared/hosts.ts', "import type { Rect } from '../main/framebuffer/rect.js';"),
        at('main/telemetry/monitor.ts', "import type { A } from '../app/capture-loop.js';"),
      ]),
    ).toHaveLength(6);
    expect(
      layerViolations([
        at('main/app/vnc-service.ts', "import { RfbServer } from '../rfb/server.js';"),
        at('main/rfb/server.ts', "import { getLogger } from '../base/logger.js';"),
        at('main/electron/tray/tray-menu.ts', "import type { ClientInfo } from '../../../shared/control-contract.js';"),
        at('main/cli.ts', "import { VncService } from './app/vnc-service.js';"),
      ]),
    ).toEqual([]);
  });

  it('the renderer sees only shared/, never main/', () => {
    const offenders = ALL.filter(({ path }) => relative(SRC, path).startsWith('renderer'))
      .filter(({ path, text }) => relativeImports(text).some((s) => relative(SRC, resolve(dirname(path), s)).startsWith('main')))
      .map(({ path }) => relative(ROOT, path));
    expect(offenders).toEqual([]);
  });
});
