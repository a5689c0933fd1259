import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { TestProject } from 'vitest/node';

/** Remove the temporary folders vitest.config.ts made for this run (XDG_CONFIG_HOME, XDG_STATE_HOME). */
export default function setup(project: TestProject): () => void {
  const homes = [project.config.env['XDG_CONFIG_HOME'], project.config.env['XDG_STATE_HOME']];
  return () => {
    for (const home of homes) if (typeof home === 'string' && home.startsWith(tmpdir())) rmSync(home, { recursive: true, force: true });
  };
}
