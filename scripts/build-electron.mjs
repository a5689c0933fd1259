// Bundles the Electron preloads into one CommonJS file each, in dist/electron/:
// a sandboxed preload can require only 'electron' (and a few built-ins), not
// files of its own, so everything it imports must be inside it.
//
//   node scripts/build-electron.mjs
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const preloads = [
  { entry: 'src/main/electron/preload/control-preload.ts', file: 'preload.cjs' },
  { entry: 'src/main/electron/preload/capture-preload.ts', file: 'capture-preload.cjs' },
];

for (const { entry, file } of preloads) {
  // One build per preload, so neither shares a chunk with the other.
  await build({
    root,
    configFile: false,
    publicDir: false,
    logLevel: 'warn',
    build: {
      outDir: join(root, 'dist', 'electron'),
      emptyOutDir: false,
      target: 'es2022',
      minify: false,
      sourcemap: false,
      lib: {
        entry: join(root, entry),
        formats: ['cjs'],
        fileName: () => file,
      },
      rollupOptions: {
        external: ['electron'],
      },
    },
  });
  console.log(`dist/electron/${file}`);
}
