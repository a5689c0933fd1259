import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Xvfb displays and real viewers are shared machine resources; files run one at a time on 2 cores.
    fileParallelism: false,
    pool: 'forks',
    // Quiet by default; tests that check logging configure their own destination.
    env: { TRAYVNC_LOG_LEVEL: process.env['TRAYVNC_LOG_LEVEL'] ?? 'silent' },
  },
});
