import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * The user's config folder for this run: `trayvnc serve` reads and saves
 * $XDG_CONFIG_HOME/trayvnc/config.json, and no test may touch the real one (a
 * file left there would change later runs). Removed by test/global-setup.ts.
 */
const configHome = mkdtempSync(join(tmpdir(), 'trayvnc-test-config-'));
/** The same for $XDG_STATE_HOME, where the audit trail goes by default. */
const stateHome = mkdtempSync(join(tmpdir(), 'trayvnc-test-state-'));

/** noVNC's decoders, as the renderer imports them (vite.config.ts maps them the same way for the page). */
const novncDir = dirname(dirname(createRequire(import.meta.url).resolve('@novnc/novnc')));

export default defineConfig({
  resolve: { alias: [{ find: /^@novnc\/novnc\/core\/(.*)$/, replacement: `${novncDir}/core/$1` }] },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Xvfb displays and real viewers are shared machine resources; files run one at a time on 2 cores.
    fileParallelism: false,
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
    env: {
      // Quiet by default; tests that check logging configure their own destination.
      TRAYVNC_LOG_LEVEL: process.env['TRAYVNC_LOG_LEVEL'] ?? 'silent',
      XDG_CONFIG_HOME: configHome,
      XDG_STATE_HOME: stateHome,
    },
  },
});
