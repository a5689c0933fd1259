import { describe, expect, it, vi } from 'vitest';
import { MMAP_THRESHOLD_VAR, planMallocTuning, tuneMalloc, type ProcessFacts } from '../../../src/main/base/malloc-tuning.js';

function facts(over: Partial<ProcessFacts> = {}): ProcessFacts {
  return {
    platform: 'linux',
    env: { PATH: '/usr/bin', HOME: '/home/u' },
    glibc: true,
    execPath: '/usr/bin/node',
    execArgv: ['--enable-source-maps'],
    argv: ['/usr/bin/node', '/opt/trayvnc/dist/main/cli.js', 'serve', '--port', '5901'],
    execve: vi.fn(),
    ...over,
  };
}

describe('malloc tuning', () => {
  it('starts the same command again, in place, with the mmap threshold set', () => {
    const p = facts();
    expect(planMallocTuning(p)).toEqual({
      exec: true,
      file: '/usr/bin/node',
      args: ['/usr/bin/node', '--enable-source-maps', '/opt/trayvnc/dist/main/cli.js', 'serve', '--port', '5901'],
      env: { PATH: '/usr/bin', HOME: '/home/u', [MMAP_THRESHOLD_VAR]: '65536' },
    });
    tuneMalloc(p);
    expect(p.execve).toHaveBeenCalledOnce();
  });

  it('leaves the process alone where it cannot or should not', () => {
    for (const p of [
      facts({ platform: 'darwin' }),
      facts({ glibc: false }), // musl: the variable means nothing
      facts({ execve: undefined }), // Node before 22.15
      facts({ env: { [MMAP_THRESHOLD_VAR]: '65536' } }), // already tuned: no loop
      facts({ env: { MALLOC_ARENA_MAX: '2' } }), // someone chose malloc settings
      facts({ env: { GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=0' } }),
      facts({ env: { LD_PRELOAD: '/usr/lib/libjemalloc.so.2' } }), // another allocator
    ]) {
      expect(planMallocTuning(p).exec).toBe(false);
      expect(tuneMalloc(p)).not.toBe('');
      expect(p.execve ?? vi.fn()).not.toHaveBeenCalled();
    }
  });

  it('runs on when the restart fails', () => {
    const p = facts({ execve: vi.fn(() => { throw new Error('EACCES'); }) });
    expect(tuneMalloc(p)).toMatch(/EACCES/);
  });
});
