import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { TestProject } from 'vitest/node';

/** Remove the temporary config folder vitest.config.ts made for this run (XDG_CONFIG_HOME). */
export default function setup(project: TestProject): () => void {
  const configHome = project.config.env['XDG_CONFIG_HOME'];
  return () => {
    if (typeof configHome === 'string' && configHome.startsWith(tmpdir())) rmSync(configHome, { recursive: true, force: true });
  };
}
