/**
 * How the server asks glibc's malloc to give memory back.
 *
 * Every update and every connection allocates and frees many buffers of
 * 32 KB to a few MB (sockets' reads, deflate's state and output, encoders'
 * scratch). glibc serves them from its main heap once it has freed one big
 * mapped block (its mmap threshold then rises to that block's size), and a
 * heap fragmented by them is not returned to the system: after a thousand
 * viewers came and went the server kept some 70 MB it no longer used. With
 * the threshold fixed at 64 KB those buffers are mapped and unmapped one by
 * one and the memory goes back as they are freed (figures in the README's
 * Benchmark section).
 *
 * malloc reads the setting once, when the process starts, so the server sets
 * it by starting itself again in place (process.execve, Node 22.15 and
 * later) before it does anything else. On an older Node, or when the person
 * who started it chose malloc settings of their own, nothing happens; a
 * service unit can set the variable itself.
 */

/** The variable and the value the server starts itself with. */
export const MMAP_THRESHOLD_VAR = 'MALLOC_MMAP_THRESHOLD_';
export const MMAP_THRESHOLD_BYTES = 64 * 1024;

/** Variables through which someone already chose how malloc behaves: then we leave it alone. */
const CHOSEN = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_TOP_PAD_', 'MALLOC_ARENA_MAX', 'GLIBC_TUNABLES', 'LD_PRELOAD'];

/** What the decision depends on (the real process, or a test's). */
export interface ProcessFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** Whether the C library is glibc (the setting means nothing to others). */
  glibc: boolean;
  execPath: string;
  execArgv: readonly string[];
  argv: readonly string[];
  /** process.execve where Node has it. */
  execve: ((file: string, args: string[], env: NodeJS.ProcessEnv) => void) | undefined;
}

/** Why the process runs as it is, or the exec that would tune it. */
export type TuningPlan = { exec: false; why: string } | { exec: true; file: string; args: string[]; env: NodeJS.ProcessEnv };

export function planMallocTuning(p: ProcessFacts): TuningPlan {
  if (p.platform !== 'linux' || !p.glibc) return { exec: false, why: 'not glibc' };
  const chosen = CHOSEN.find((k) => p.env[k] !== undefined);
  if (chosen) return { exec: false, why: `${chosen} is set` };
  if (!p.execve) return { exec: false, why: 'this Node cannot restart itself in place (process.execve: Node 22.15 and later)' };
  return {
    exec: true,
    file: p.execPath,
    args: [p.execPath, ...p.execArgv, ...p.argv.slice(1)],
    env: { ...p.env, [MMAP_THRESHOLD_VAR]: String(MMAP_THRESHOLD_BYTES) },
  };
}

/** The facts of this process. */
export function currentProcess(): ProcessFacts {
  const withExecve = process as NodeJS.Process & { execve?: ProcessFacts['execve'] };
  const canExec = typeof withExecve.execve === 'function';
  // The report names the C library; it takes a moment to make, so only when it can matter.
  const header = canExec && process.platform === 'linux' ? (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header : undefined;
  return {
    platform: process.platform,
    env: process.env,
    glibc: typeof header?.glibcVersionRuntime === 'string',
    execPath: process.execPath,
    execArgv: process.execArgv,
    argv: process.argv,
    execve: canExec ? withExecve.execve!.bind(process) : undefined,
  };
}

/**
 * Start this process again with the malloc setting when it lacks it and can;
 * returns (with the reason) only when it runs on as it is. Call first thing.
 */
export function tuneMalloc(p: ProcessFacts = currentProcess()): string {
  const plan = planMallocTuning(p);
  if (!plan.exec || !p.execve) return plan.exec ? 'no process.execve' : plan.why;
  try {
    p.execve(plan.file, plan.args, plan.env); // does not return when it works
    return 'process.execve returned';
  } catch (e) {
    return `process.execve failed: ${(e as Error).message}`;
  }
}
