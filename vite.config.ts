import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const root = resolve(import.meta.dirname, 'src/renderer');
const mainPage = resolve(root, 'index.html');
// The tray app's hidden capture page is built alongside when it is there.
const capturePage = resolve(root, 'capture/index.html');
// The browser viewer, served at /viewer on the dashboard's port (its CSP comes from that server).
const viewerPage = resolve(root, 'viewer/index.html');

/**
 * noVNC's package exports only core/rfb.js; the recording player bundles three
 * of its rectangle decoders (core/decoders/*.js), so their paths are mapped
 * to the package's files here.
 */
const novncDir = dirname(dirname(createRequire(import.meta.url).resolve('@novnc/novnc')));
export const NOVNC_ALIAS = { find: /^@novnc\/novnc\/core\/(.*)$/, replacement: `${novncDir}/core/$1` };

/**
 * The built UI page gets a Content-Security-Policy of its own, for the tray
 * app (loaded from file://, where no server sends one). Build only: the dev
 * server injects inline scripts.
 */
const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React and the chart library set element styles at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function uiContentSecurityPolicy(): Plugin {
  return {
    name: 'trayvnc-ui-csp',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        if (resolve(ctx.filename) !== mainPage) return html;
        return html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${UI_CSP}" />`);
      },
    },
  };
}

export default defineConfig({
  root,
  base: './',
  plugins: [react(), uiContentSecurityPolicy()],
  resolve: { alias: [NOVNC_ALIAS] },
  build: {
    outDir: resolve(import.meta.dirname, 'dist/renderer'),
    emptyOutDir: true,
    // Electron and current browsers preload modules natively.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: {
        main: mainPage,
        viewer: viewerPage,
        ...(existsSync(capturePage) ? { capture: capturePage } : {}),
      },
    },
  },
  server: {
    proxy: {
      '/control': {
        target: `ws://127.0.0.1:${process.env['TRAYVNC_DASHBOARD_PORT'] ?? 7900}`,
        ws: true,
      },
    },
  },
});
