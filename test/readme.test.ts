import { accessSync, constants, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** What README.md states about setting up and testing, checked against the files that decide it. */

const ROOT = join(import.meta.dirname, '..');
const read = (...p: string[]) => readFileSync(join(ROOT, ...p), 'utf8');
const README = read('README.md');

/** The lowest version an engines range such as ">= 22.12.0" or ">=20.19" allows, as "22.12". */
function minimum(range: string): string {
  const m = /^>=\s*(\d+)\.(\d+)/.exec(range.trim());
  if (!m) throw new Error(`not a ">=" range: ${range}`);
  return `${m[1]}.${m[2]}`;
}

describe('README.md', () => {
  it('names the Node.js versions: the headless server’s (engines.node) and the tray app’s and packaging’s (Electron’s)', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    const electron = JSON.parse(read('node_modules', 'electron', 'package.json')) as { engines: { node: string } };
    const headless = minimum(pkg.engines.node);
    const tray = minimum(electron.engines.node);
    expect(headless).toBe('20.19');
    const setUp = README.slice(README.indexOf('\n## Set up\n'), README.indexOf('\n## Share a desktop\n'));
    expect(setUp).toMatch(new RegExp(`headless server[^.]*Node\\.js ${headless.replace('.', '\\.')} or newer`));
    expect(setUp).toMatch(new RegExp(`tray app[^.]*packag[^.]*Node\\.js ${tray.replace('.', '\\.')} or newer`));
    // The warning npm prints on the older Node is explained, not left to alarm.
    expect(setUp).toContain('EBADENGINE');
    expect(setUp).toMatch(/harmless/);
  });

  it('names the one script that installs the test packages, which CI runs too, instead of a list', () => {
    const script = 'scripts/install-test-deps.sh';
    accessSync(join(ROOT, script), constants.X_OK);
    const test = README.slice(README.indexOf('\n## Test\n'), README.indexOf('\n## Benchmark\n'));
    expect(test).toContain(script);
    // No package list of its own to fall out of date.
    expect(test).not.toMatch(/xvfb|libvncserver-dev|tigervnc/);
    const ci = read('.ci', 'run');
    expect(ci).toContain(script);
    expect(ci).not.toContain('apt-get install');
    expect(ci.indexOf(script)).toBeLessThan(ci.indexOf('npm ci'));
    expect(ci.indexOf('npm ci')).toBeLessThan(ci.indexOf('npm test'));
    const text = read(script);
    expect(text.indexOf('apt-get update')).toBeGreaterThan(0);
    expect(text.indexOf('apt-get update')).toBeLessThan(text.indexOf('apt-get install'));
    expect(text).toMatch(/sudo/);
    for (const p of ['xvfb', 'xauth', 'xterm', 'xdotool', 'xclip', 'xsel', 'libvncserver-dev', 'x11vnc', 'tigervnc-scraping-server', 'tigervnc-viewer', 'chromium', 'prometheus', 'imagemagick', 'fonts-dejavu-core']) {
      expect(text, p).toMatch(new RegExp(`\\b${p}\\b`));
    }
  });
});
