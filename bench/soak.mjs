// The long security checks, one after another (each its own process, so a
// failing one does not stop the rest): `npm run soak` builds, then runs this.
//
//   bench/flood-memory.mjs   memory under authentication floods and viewer churn
//   bench/load.mjs           50 viewers for ten minutes, then one that stops reading
//   bench/fuzz.mjs           a million mutated client messages in every protocol state
//
// Each with its defaults; run a script directly for its options. Exit
// status: 1 if any script failed.

import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The scripts, in order; add one here to have `npm run soak` run it. */
const SCRIPTS = ['flood-memory.mjs', 'load.mjs', 'fuzz.mjs'];

const here = dirname(fileURLToPath(import.meta.url));
const results = [];
for (const script of SCRIPTS) {
  process.stderr.write(`\nsoak: ${script}\n`);
  const started = performance.now();
  const run = spawnSync(process.execPath, [join(here, script)], { stdio: 'inherit' });
  const minutes = (performance.now() - started) / 60_000;
  results.push({ script, ok: run.status === 0, detail: run.status === null ? `signal ${run.signal}` : `exit ${run.status}`, minutes });
}
console.log('\nsoak');
for (const r of results) console.log(`  ${r.ok ? 'OK  ' : 'FAIL'} ${r.script.padEnd(20)} ${r.detail}, ${r.minutes.toFixed(1)} min`);
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
