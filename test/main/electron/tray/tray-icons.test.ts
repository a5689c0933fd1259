import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appPaths } from '../../../../src/main/electron/app-paths.js';
import { TRAY_STATES, trayIconFile, trayIconPath } from '../../../../src/main/electron/tray/tray-icons.js';

const ROOT = join(import.meta.dirname, '..', '..', '..', '..');
const DIR = appPaths({ root: ROOT, isPackaged: false }).trayIcons;

/** Width, height, bit depth and colour type from a PNG's IHDR chunk. */
function pngInfo(file: string): { width: number; height: number; depth: number; colourType: number } {
  const b = readFileSync(file);
  expect(b.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(b.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), depth: b[24] ?? 0, colourType: b[25] ?? 0 };
}

function pixels(file: string): Buffer {
  return readFileSync(file);
}

describe('tray icons', () => {
  it('uses template images on macOS and coloured ones elsewhere', () => {
    expect(trayIconFile('stopped', 'darwin')).toBe('stoppedTemplate.png');
    expect(trayIconFile('viewed', 'linux')).toBe('viewed.png');
    expect(trayIconFile('sharing', 'win32')).toBe('sharing.png');
    expect(trayIconPath('/r/tray', 'sharing', 'darwin')).toBe('/r/tray/sharingTemplate.png');
  });

  it('has every state’s icon, 16 px with a 32 px @2x twin, with transparency, for every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      for (const state of TRAY_STATES) {
        const file = trayIconPath(DIR, state, platform);
        expect(existsSync(file), file).toBe(true);
        expect(pngInfo(file)).toMatchObject({ width: 16, height: 16, colourType: 6 });
        const twin = file.replace(/\.png$/, '@2x.png');
        expect(existsSync(twin), twin).toBe(true);
        expect(pngInfo(twin)).toMatchObject({ width: 32, height: 32, colourType: 6 });
      }
    }
  });

  it('draws each state differently', () => {
    for (const platform of ['linux', 'darwin'] as const) {
      const images = TRAY_STATES.map((s) => pixels(trayIconPath(DIR, s, platform)).toString('hex'));
      expect(new Set(images).size).toBe(TRAY_STATES.length);
    }
  });

  it('is found under resources/tray in a packaged app', () => {
    expect(appPaths({ root: '/app.asar', isPackaged: true, resourcesPath: '/opt/TrayVNC/resources' }).trayIcons).toBe('/opt/TrayVNC/resources/tray');
  });
});
