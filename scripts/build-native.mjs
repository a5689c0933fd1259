// Builds the optional native addon (native/zlib-deflate: the system zlib's
// deflate for the encode workers) with node-gyp, the copy npm ships. Run by
// `npm run build` (and so by `npm install`).
//
//   node scripts/build-native.mjs [--force]
//
// It needs a C compiler, Python and zlib's static library (Debian: gcc, make,
// python3, zlib1g-dev; macOS: the Xcode command-line tools). Without them the
// build is skipped with a warning and TrayVNC uses Node's zlib instead, whose
// ZRLE frames of photo-like screens are 15-20 % bigger: nothing else changes.
// TRAYVNC_REQUIRE_NATIVE=1 makes a failed build an error (CI sets it).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dir = join(root, 'native', 'zlib-deflate');
const addon = join(dir, 'build', 'Release', 'zlib_deflate.node');
const sources = ['zlib_deflate.c', 'binding.gyp'].map((f) => join(dir, f));
const required = process.env.TRAYVNC_REQUIRE_NATIVE === '1';

const upToDate = existsSync(addon) && sources.every((s) => statSync(s).mtimeMs <= statSync(addon).mtimeMs);
if (upToDate && !process.argv.includes('--force')) process.exit(0);

// npm tells its scripts where its node-gyp is; run directly, look beside this Node.
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => p && existsSync(p));

function skip(why) {
  const msg = `native deflate addon not built (${why}); ZRLE will use Node's zlib.`;
  if (required) {
    console.error(`build-native: ${msg}`);
    process.exit(1);
  }
  console.warn(`build-native: warning: ${msg}`);
  process.exit(0);
}

if (process.platform === 'win32') skip('no system zlib to link on Windows yet');
if (candidates.length === 0) skip('node-gyp not found');
const args = [candidates[0], 'rebuild', '--release'];
// Headers of the running Node where npm is set up with them (a Node installed by the system's packages).
if (!process.env.npm_config_nodedir && existsSync(join(dirname(process.execPath), '..', 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${join(dirname(process.execPath), '..')}`);
}
const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (r.status !== 0 || !existsSync(addon)) {
  process.stderr.write((r.stdout ?? '') + (r.stderr ?? ''));
  skip(`node-gyp exited with ${r.status}`);
}
console.log(`build-native: ${addon.slice(root.length + 1)}`);
