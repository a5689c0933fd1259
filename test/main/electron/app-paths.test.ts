import { describe, expect, it } from 'vitest';
import { appPaths, isPage, packageRootFrom } from '../../../src/main/electron/app-paths.js';
import { permissionPolicy } from '../../../src/main/electron/permissions.js';

describe('appPaths', () => {
  it('lays out the built files under the package root', () => {
    expect(appPaths({ root: '/src/trayvnc', isPackaged: false })).toEqual({
      root: '/src/trayvnc',
      preload: '/src/trayvnc/dist/electron/preload.cjs',
      capturePreload: '/src/trayvnc/dist/electron/capture-preload.cjs',
      rendererIndex: '/src/trayvnc/dist/renderer/index.html',
      captureIndex: '/src/trayvnc/dist/renderer/capture/index.html',
      trayIcons: '/src/trayvnc/assets/tray',
    });
  });

  it('finds the package root three folders above the compiled entry', () => {
    expect(packageRootFrom('file:///opt/TrayVNC/resources/app.asar/dist/main/electron/main.js')).toBe('/opt/TrayVNC/resources/app.asar');
  });
});

describe('isPage', () => {
  const index = '/app/dist/renderer/index.html';

  it('matches the file itself, whatever its query or fragment', () => {
    expect(isPage('file:///app/dist/renderer/index.html', index)).toBe(true);
    expect(isPage('file:///app/dist/renderer/index.html?x=1#/clients', index)).toBe(true);
  });

  it('refuses other files, other schemes and nonsense', () => {
    expect(isPage('file:///app/dist/renderer/capture/index.html', index)).toBe(false);
    expect(isPage('https://app/dist/renderer/index.html', index)).toBe(false);
    expect(isPage('file:///app/dist/renderer/x/../index.html', index)).toBe(true); // normalised by URL: the same file
    expect(isPage('not a url', index)).toBe(false);
  });
});

describe('permissionPolicy', () => {
  const allow = permissionPolicy({ rendererIndex: '/app/dist/renderer/index.html', captureIndex: '/app/dist/renderer/capture/index.html' });

  it('gives the capture page the screen and nothing else', () => {
    expect(allow('media', 'file:///app/dist/renderer/capture/index.html')).toBe(true);
    expect(allow('notifications', 'file:///app/dist/renderer/capture/index.html')).toBe(false);
  });

  it('lets the window write the clipboard, and not capture the screen', () => {
    expect(allow('clipboard-sanitized-write', 'file:///app/dist/renderer/index.html')).toBe(true);
    expect(allow('media', 'file:///app/dist/renderer/index.html')).toBe(false);
    expect(allow('geolocation', 'file:///app/dist/renderer/index.html')).toBe(false);
  });

  it('refuses every other page', () => {
    expect(allow('media', 'https://evil.example/')).toBe(false);
    expect(allow('media', '')).toBe(false);
  });
});
