import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configureLogging } from '../../src/main/base/logger.js';

/**
 * The "Use as a library" examples in README.md are these files, with the
 * package name in place of the relative import: each ```ts block must equal
 * one file, every file must be in the README, and every file runs.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const HERE = import.meta.dirname;
const LOCAL = "from '../../src/main/index.js'";
const PACKAGE = "from 'trayvnc'";

function readmeBlocks(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use as a library\n');
  expect(start, 'README.md has a "## Use as a library" section').toBeGreaterThan(0);
  const next = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, next < 0 ? undefined : next);
  return [...section.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

const files = readdirSync(HERE)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
  .sort();

afterEach(() => {
  vi.restoreAllMocks();
  configureLogging({ level: 'silent' });
});

describe('README library examples', () => {
  it('are exactly the files in test/readme-examples/', () => {
    const blocks = readmeBlocks();
    const sources = new Map(files.map((f) => [f, readFileSync(join(HERE, f), 'utf8').replaceAll(LOCAL, PACKAGE)]));
    expect(files.length).toBeGreaterThan(0);
    for (const [file, text] of sources) expect(blocks, `${file} is shown in README.md`).toContain(text);
    for (const block of blocks) expect([...sources.values()], `README block is a file:\n${block}`).toContain(block);
  });

  it.each(files)('%s runs', async (file) => {
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(args.join(' ')));
    await import(join(HERE, file));
    if (file === 'embed.ts') expect(printed).toEqual([expect.stringMatching(/^VNC server on 127\.0\.0\.1:\d+$/)]);
    if (file === 'metrics.ts') expect(printed).toEqual(['trayvnc_clients_connected 0']);
    if (file === 'monitor.ts') expect(printed).toEqual([expect.stringMatching(/^0 clients, 0 updates\/s, 0 B\/s$/), expect.stringMatching(/^0 clients/)]);
  });
});
